/**
 * The REAL proxy CLI (child process) in front of REAL registries on loopback, spoken to the way a
 * browser on the Signet origin would (Origin header, preflights, reading only exposed headers):
 *  - distribution v3.1.1 with htpasswd auth (Basic),
 *  - distribution v3.1.1 with token auth, its token service reached through the proxy (Bearer realm
 *    rewritten),
 *  - distribution v3.1.1 whose blob reads redirect to a separate storage origin,
 *  - olareg v0.1.2 (Referrers API).
 * Also drives Signet's own registry client (src/lib/registry) through the proxy.
 *
 * Not covered here: a real browser driving the app through the proxy; that comes with the web
 * app's end-to-end tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxiedFetch } from '../../../cors-proxy/src/client-url';
import { computeDigest } from '../../../src/lib/oci/digest';
import { staticCredentials } from '../../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../../src/lib/registry/client';
import type { FetchLike } from '../../../src/lib/registry/http';
import { startProxyProcess, startRedirectingDistribution, type ProxyProcess, type RedirectingDistribution } from '../../helpers/proxy-peers';
import { startDistribution, startOlareg, TEST_USERS, type RunningRegistry } from '../../helpers/registries';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';
import { buildImage, pushImage } from '../registry/images';

const ORIGIN = 'https://signet.example';
const alice = TEST_USERS.alice;
const basic = `Basic ${Buffer.from(`alice:${alice.password}`).toString('base64')}`;

let basicReg: RunningRegistry;
let tokenReg: RunningRegistry;
let tokens: TokenServer;
let olareg: RunningRegistry;
let redirecting: RedirectingDistribution;
let proxy: ProxyProcess;
let tokenDir: string;

beforeAll(async () => {
  tokenDir = await mkdtemp(path.join(tmpdir(), 'signet-proxy-token-'));
  tokens = await startTokenServer({ dir: tokenDir, users: { alice: { password: alice.password, actions: () => ['pull', 'push'] } } });
  [basicReg, tokenReg, olareg, redirecting] = await Promise.all([
    startDistribution({ auth: { htpasswd: ['alice'] } }),
    startDistribution({ auth: { token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, jwksPath: tokens.jwksPath } } }),
    startOlareg(),
    startRedirectingDistribution()
  ]);
  proxy = await startProxyProcess({
    allowedOrigins: [ORIGIN],
    registries: [
      basicReg.url,
      { host: tokenReg.url, authHosts: [new URL(tokens.realm).origin] },
      olareg.url,
      { host: redirecting.url, storageHosts: [redirecting.storageOrigin] }
    ],
    allowAddressRanges: ['127.0.0.0/8']
  });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([basicReg?.stop(), tokenReg?.stop(), olareg?.stop(), redirecting?.stop(), tokens?.stop()]);
  await rm(tokenDir, { recursive: true, force: true });
});

/** What page JavaScript may read of a response: the CORS-safelisted and the exposed headers. */
function readable(res: Response): Record<string, string> {
  const exposed = new Set(
    (res.headers.get('access-control-expose-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean)
  );
  for (const safe of ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']) exposed.add(safe);
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (exposed.has(k)) out[k] = v;
  });
  return out;
}

/** A browser-like request through the proxy: Origin set, and the CORS check a browser would make. */
async function browserFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Origin', ORIGIN);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  expect(res.headers.get('access-control-allow-origin'), `ACAO for ${init.method ?? 'GET'} ${url}`).toBe(ORIGIN);
  return res;
}

/** The fetch Signet's registry client gets when the app routes a registry through the proxy. */
function proxiedFetch(): FetchLike {
  return createProxiedFetch(proxy.url, (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Origin', ORIGIN); // what the browser adds by itself
    return browserFetch(input, { ...init, headers });
  });
}

describe('preflight', () => {
  it('is answered by the proxy where distribution with auth would answer 401', async () => {
    const request = { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,content-type' } };
    const direct = await fetch(`${basicReg.url}/v2/app/manifests/v1`, request);
    expect(direct.status).toBe(401); // distribution#4458: why the proxy exists
    await direct.arrayBuffer();
    for (const reg of [basicReg, tokenReg, olareg]) {
      const res = await fetch(proxy.to(`${reg.url}/v2/app/manifests/v1`), request);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization.*content-type|content-type.*authorization/);
    }
  });
});

describe('distribution with htpasswd (Basic) through the proxy', () => {
  it('shows the 401 challenge to the page, then pushes a blob (POST -> rewritten Location -> PUT) and a manifest, and pulls them', async () => {
    const challenge = await browserFetch(proxy.to(`${basicReg.url}/v2/`));
    expect(challenge.status).toBe(401);
    expect(readable(challenge)['www-authenticate']).toBe('Basic realm="signet-test"');
    await challenge.arrayBuffer();

    const blob = new TextEncoder().encode(`{"architecture":"amd64","os":"linux","n":${Date.now()}}`);
    const digest = await computeDigest(blob);
    const start = await browserFetch(proxy.to(`${basicReg.url}/v2/team/app/blobs/uploads/`), { method: 'POST', headers: { Authorization: basic } });
    expect(start.status).toBe(202);
    const startHeaders = readable(start);
    expect(startHeaders['location']?.startsWith(`${proxy.url}/x/http/${basicReg.host}/v2/team/app/blobs/uploads/`)).toBe(true);
    expect(startHeaders['docker-upload-uuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(startHeaders['range']).toBe('0-0');

    const put = new URL(startHeaders['location']!);
    put.searchParams.set('digest', digest);
    const done = await browserFetch(put.href, { method: 'PUT', headers: { Authorization: basic, 'Content-Type': 'application/octet-stream' }, body: blob });
    expect(done.status).toBe(201);
    expect(readable(done)['docker-content-digest']).toBe(digest);
    expect(readable(done)['location']).toBe(`${proxy.url}/x/http/${basicReg.host}/v2/team/app/blobs/${digest}`);

    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: blob.length },
        layers: []
      })
    );
    const manifestDigest = await computeDigest(manifest);
    const pushed = await browserFetch(proxy.to(`${basicReg.url}/v2/team/app/manifests/v1`), {
      method: 'PUT',
      headers: { Authorization: basic, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest
    });
    expect(pushed.status).toBe(201);
    expect(readable(pushed)['docker-content-digest']).toBe(manifestDigest);

    const pulled = await browserFetch(proxy.to(`${basicReg.url}/v2/team/app/manifests/v1`), {
      headers: { Authorization: basic, Accept: 'application/vnd.oci.image.manifest.v1+json' }
    });
    expect(pulled.status).toBe(200);
    expect(readable(pulled)['docker-content-digest']).toBe(manifestDigest);
    expect(readable(pulled)['content-type']).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(new Uint8Array(await pulled.arrayBuffer())).toEqual(manifest);

    const head = await browserFetch(proxy.to(`${basicReg.url}/v2/team/app/blobs/${digest}`), { method: 'HEAD', headers: { Authorization: basic } });
    expect(head.status).toBe(200);
    expect(readable(head)['content-length']).toBe(String(blob.length));
    const got = await browserFetch(proxy.to(`${basicReg.url}/v2/team/app/blobs/${digest}`), { headers: { Authorization: basic } });
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(blob);
    expect(readable(got)['etag']).toBe(`"${digest}"`);
  });

  it('works for Signet\'s registry client routed through the proxy', async () => {
    const client = createRegistryClient({ fetch: proxiedFetch(), credentials: staticCredentials({ [basicReg.host]: { username: 'alice', password: alice.password } }) });
    const repo = client.repository(`${basicReg.host}/team/client`);
    const image = await buildImage({ layerSize: 200_000 });
    const descriptor = await pushImage(repo, image, 'v1');
    expect(await repo.resolve('v1')).toEqual(descriptor);
    expect((await repo.fetchManifest(descriptor)).bytes).toEqual(image.manifest);
    expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
    expect(await repo.listTags()).toEqual(['v1']);
  });
});

describe('distribution with token auth through the proxy', () => {
  it('rewrites the Bearer realm so the token service is reached through the proxy too', async () => {
    const challenge = await browserFetch(proxy.to(`${tokenReg.url}/v2/team/app/tags/list`));
    expect(challenge.status).toBe(401);
    const header = readable(challenge)['www-authenticate'] ?? '';
    const realmInProxy = `${proxy.url}/x/http/${new URL(tokens.realm).host}/token`;
    expect(header).toContain(`realm="${realmInProxy}"`);
    expect(header).toContain(`service="${tokens.service}"`);
    expect(header).toContain('scope="repository:team/app:pull"');
    await challenge.arrayBuffer();

    const before = tokens.requests.length;
    const tokenRes = await browserFetch(`${realmInProxy}?service=${encodeURIComponent(tokens.service)}&scope=${encodeURIComponent('repository:team/app:pull,push')}`, {
      headers: { Authorization: basic }
    });
    expect(tokenRes.status).toBe(200);
    const { token } = (await tokenRes.json()) as { token: string };
    expect(tokens.requests.slice(before)).toEqual([{ method: 'GET', grant: 'basic', user: 'alice', scopes: ['repository:team/app:pull,push'], offline: false }]);

    const start = await browserFetch(proxy.to(`${tokenReg.url}/v2/team/app/blobs/uploads/`), { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(start.status).toBe(202);
    await start.arrayBuffer();
  });

  it('works for Signet\'s registry client (token flow entirely through the proxy)', async () => {
    const client = createRegistryClient({ fetch: proxiedFetch(), credentials: staticCredentials({ [tokenReg.host]: { username: 'alice', password: alice.password } }) });
    const repo = client.repository(`${tokenReg.host}/team/client`);
    const image = await buildImage();
    const before = tokens.requests.length;
    const descriptor = await pushImage(repo, image, 'v1');
    expect((await repo.fetchManifest('v1')).descriptor).toEqual(descriptor);
    expect(tokens.requests.length).toBeGreaterThan(before);
    expect(tokens.requests.slice(before).every((r) => r.grant === 'basic' && r.user === 'alice')).toBe(true);
  });
});

describe('olareg (Referrers API) through the proxy', () => {
  it('pushes an image and a referrer, and lists referrers with OCI-Subject / OCI-Filters-Applied readable', async () => {
    const client = createRegistryClient({ fetch: proxiedFetch() });
    const repo = client.repository(`${olareg.host}/team/app`);
    const image = await buildImage();
    const subject = await pushImage(repo, image, 'v1');

    const empty = new TextEncoder().encode('{}');
    const emptyDigest = await computeDigest(empty);
    await repo.pushBlob(empty);
    const referrer = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.cncf.notary.signature',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }],
        subject
      })
    );
    const referrerDigest = await computeDigest(referrer);
    const put = await browserFetch(proxy.to(`${olareg.url}/v2/team/app/manifests/${referrerDigest}`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body: referrer
    });
    expect(put.status).toBe(201);
    expect(readable(put)['oci-subject']).toBe(subject.digest);

    const list = await browserFetch(proxy.to(`${olareg.url}/v2/team/app/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/vnd.cncf.notary.signature')}`));
    expect(list.status).toBe(200);
    expect(readable(list)['oci-filters-applied']).toBe('artifactType');
    const index = (await list.json()) as { manifests: Array<{ digest: string; artifactType: string }> };
    expect(index.manifests.map((m) => m.digest)).toEqual([referrerDigest]);
  });
});

describe('storage redirects', () => {
  it('follows the registry\'s 307 to storage server-side and does not send the registry credential there', async () => {
    const client = createRegistryClient({ fetch: proxiedFetch(), credentials: staticCredentials({ [redirecting.host]: { username: 'alice', password: alice.password } }) });
    const repo = client.repository(`${redirecting.host}/team/app`);
    const image = await buildImage({ layerSize: 100_000 });
    await pushImage(repo, image, 'v1');

    // Directly, the registry redirects (the browser would then need CORS from the storage too).
    const direct = await fetch(`${redirecting.url}/v2/team/app/blobs/${image.layer.descriptor.digest}`, { headers: { Authorization: basic }, redirect: 'manual' });
    expect(direct.status).toBe(307);
    expect(direct.headers.get('location')?.startsWith(redirecting.storageOrigin)).toBe(true);
    await direct.arrayBuffer();

    const hitsBefore = redirecting.storageHits.length;
    const res = await browserFetch(proxy.to(`${redirecting.url}/v2/team/app/blobs/${image.layer.descriptor.digest}`), { headers: { Authorization: basic } });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image.layer.bytes);
    const hits = redirecting.storageHits.slice(hitsBefore);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ method: 'GET', status: 200 });
    expect(hits[0]?.headers.authorization).toBeUndefined();
    expect(hits[0]?.headers.cookie).toBeUndefined();

    // And through the client, which only ever sees the proxy.
    expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
    expect(redirecting.storageHits.slice(hitsBefore).every((h) => h.headers.authorization === undefined)).toBe(true);
  });
});

describe('the proxy log', () => {
  it('has one line per request and no credential in it', async () => {
    const logs = proxy.logs();
    expect(logs.length).toBeGreaterThan(20);
    const text = JSON.stringify(logs);
    expect(text).not.toContain(alice.password);
    expect(text).not.toContain(Buffer.from(`alice:${alice.password}`).toString('base64'));
    expect(text).not.toMatch(/Bearer|Basic |eyJ/); // no auth header value, no JWT
    expect(text).not.toContain('_state='); // upload state tokens live in queries, never logged
    expect(logs.some((l) => l.redirects === 1 && l.status === 200)).toBe(true);
    expect(new Set(logs.map((l) => l.id)).size).toBe(logs.length);
  });
});
