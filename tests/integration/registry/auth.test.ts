/**
 * Auth against a REAL distribution registry: htpasswd (Basic) and token auth with a token service
 * whose ES256 JWTs the registry verifies against a JWKS generated for this run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { staticCredentials, type Credential } from '../../../src/lib/registry/auth/credentials';
import { createRegistryClient, type RegistryClientOptions } from '../../../src/lib/registry/client';
import type { HttpExchange } from '../../../src/lib/registry/http';
import { startDistribution, TEST_USERS, type RunningRegistry } from '../../helpers/registries';
import { startTokenServer, type TokenServer, type TokenServerOptions } from '../../helpers/token-server';
import { buildImage, pushImage } from './images';

const ALICE = { username: 'alice', password: TEST_USERS.alice.password };
const BOB = { username: 'bob', password: TEST_USERS.bob.password };

function client(host: string, credential?: Credential, extra: Partial<RegistryClientOptions> = {}) {
  const exchanges: HttpExchange[] = [];
  const c = createRegistryClient({
    fetch: globalThis.fetch,
    onExchange: (e) => exchanges.push(e),
    ...(credential ? { credentials: staticCredentials({ [host]: credential }) } : {}),
    ...extra
  });
  return { client: c, exchanges };
}

/** Nothing secret may appear in the exchange log: no password, no basic blob, no JWT. */
function expectNoSecrets(exchanges: HttpExchange[]) {
  const text = JSON.stringify(exchanges);
  for (const p of [TEST_USERS.alice.password, TEST_USERS.bob.password, Buffer.from(`alice:${TEST_USERS.alice.password}`).toString('base64')]) {
    expect(text).not.toContain(p);
  }
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
}

describe('distribution with htpasswd (Basic)', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startDistribution({ auth: { htpasswd: ['alice', 'bob'] } });
  });
  afterAll(async () => reg?.stop());

  it('pushes, resolves, fetches and lists as alice; after the first challenge Basic is sent up front', async () => {
    const { client: c, exchanges } = client(reg.host, ALICE);
    const repo = c.repository(`${reg.host}/basic/app`);
    const image = await buildImage();
    await pushImage(repo, image, 'v1');
    expect(await repo.resolve('v1')).toEqual(image.descriptor);
    expect((await repo.fetchManifest(image.descriptor)).bytes).toEqual(image.manifest);
    expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
    expect(await repo.listTags()).toEqual(['v1']);
    expect(exchanges.filter((e) => e.status === 401)).toHaveLength(1);
    expect(exchanges[0]!.responseHeaders['www-authenticate']).toBe('Basic realm="signet-test"');
    expect(exchanges.slice(2).every((e) => e.requestHeaders.authorization === 'Basic ‹redacted›')).toBe(true);
    expectNoSecrets(exchanges);
  });

  it('asks for sign-in without credentials and reports a wrong password', async () => {
    const anon = client(reg.host).client.repository(`${reg.host}/basic/app`);
    await expect(anon.resolve('v1')).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('needs a username and password') });
    const wrong = client(reg.host, { username: 'alice', password: 'nope' }).client.repository(`${reg.host}/basic/app`);
    await expect(wrong.resolve('v1')).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('rejected the username and password') });
  });
});

describe('distribution with token auth', () => {
  let reg: RunningRegistry;
  let tokens: TokenServer;
  let dir: string;
  const tokenOptions: Partial<TokenServerOptions> = {};
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'signet-token-'));
    Object.assign(tokenOptions, {
      dir,
      users: {
        alice: { password: TEST_USERS.alice.password, actions: () => ['pull', 'push', 'delete'] },
        bob: { password: TEST_USERS.bob.password, actions: () => ['pull'] }
      },
      anonymous: (repo: string) => (repo.startsWith('public/') ? ['pull'] : [])
    });
    tokens = await startTokenServer(tokenOptions as TokenServerOptions);
    reg = await startDistribution({ auth: { token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, jwksPath: tokens.jwksPath } } });
    // content to read
    const { client: c } = client(reg.host, ALICE);
    await pushImage(c.repository(`${reg.host}/public/app`), await buildImage(), 'v1');
    await pushImage(c.repository(`${reg.host}/private/app`), await buildImage(), 'v1');
  });
  afterAll(async () => {
    await reg?.stop();
    await tokens?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a public repository with an anonymous token for the challenged scope', async () => {
    tokens.requests.length = 0;
    const { client: c, exchanges } = client(reg.host);
    const repo = c.repository(`${reg.host}/public/app`);
    const desc = await repo.resolve('v1');
    expect(desc.mediaType).toBe(MediaType.ociManifest);
    expect(tokens.requests).toEqual([{ method: 'GET', grant: 'anonymous', scopes: ['repository:public/app:pull'], offline: false }]);
    const challenge = exchanges[0]!.responseHeaders['www-authenticate']!;
    expect(challenge).toContain(`realm="${tokens.realm}"`);
    expect(challenge).toContain('scope="repository:public/app:pull"');
    // the token is cached: more reads, no more token requests
    await repo.fetchManifest(desc);
    await repo.listTags();
    expect(tokens.requests).toHaveLength(1);
  });

  it('asks for sign-in when an anonymous token grants nothing', async () => {
    const repo = client(reg.host).client.repository(`${reg.host}/private/app`);
    await expect(repo.resolve('v1')).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('Sign in') });
  });

  it('pushes, lists and deletes as alice with basic credentials sent only to the token service', async () => {
    tokens.requests.length = 0;
    const { client: c, exchanges } = client(reg.host, ALICE);
    const repo = c.repository(`${reg.host}/private/team`);
    const image = await buildImage();
    await pushImage(repo, image, 'v2');
    expect(await repo.listTags()).toEqual(['v2']);
    await repo.deleteManifest(image.descriptor.digest);
    // listTags needs only pull, which the cached pull,push token covers: no extra token request.
    expect(tokens.requests.map((r) => `${r.grant} ${r.user} ${r.scopes.join(' ')}`)).toEqual([
      'basic alice repository:private/team:pull,push',
      'basic alice repository:private/team:delete'
    ]);
    const toRegistry = exchanges.filter((e) => e.url.startsWith(reg.url));
    expect(toRegistry.every((e) => e.requestHeaders.authorization !== 'Basic ‹redacted›')).toBe(true);
    expectNoSecrets(exchanges);
  });

  it('re-authenticates when the registry answers insufficient_scope for a wider scope', async () => {
    tokens.requests.length = 0;
    const { client: c, exchanges } = client(reg.host, ALICE);
    const repo = c.repository(`${reg.host}/private/app`);
    await repo.resolve('v1'); // pull token cached
    // Open an upload while only claiming pull: the registry wants push and says so.
    const response = await c.send(
      { method: 'POST', url: repo.endpoint('blobs/uploads/'), body: new Uint8Array(0), maxBytes: 1024, what: 'an upload' },
      repo.pullScopes()
    );
    expect(response.status).toBe(202);
    expect(exchanges.some((e) => e.status === 401 && /error="insufficient_scope"/.test(e.responseHeaders['www-authenticate'] ?? ''))).toBe(true);
    expect(tokens.requests.map((r) => r.scopes.join(' '))).toEqual(['repository:private/app:pull', 'repository:private/app:pull,push']);
  });

  it('denies a push to a pull-only user with ERR_REGISTRY_DENIED, and rejects a wrong password', async () => {
    const bob = client(reg.host, BOB).client.repository(`${reg.host}/private/app`);
    expect((await bob.resolve('v1')).digest).toMatch(/^sha256:/);
    await expect(bob.pushBlob(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'ERR_REGISTRY_DENIED',
      message: expect.stringContaining('did not grant')
    });
    const wrong = client(reg.host, { username: 'bob', password: 'wrong' }).client.repository(`${reg.host}/private/app`);
    await expect(wrong.resolve('v1')).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('rejected the username and password') });
  });

  it('uses a refresh token when the service offers one, and an access_token without expires_in', async () => {
    tokenOptions.tokenField = 'access_token';
    tokenOptions.expiresIn = undefined;
    try {
      tokens.requests.length = 0;
      const { client: c } = client(reg.host, ALICE, { requestRefreshToken: true });
      await c.repository(`${reg.host}/public/app`).resolve('v1');
      await c.repository(`${reg.host}/private/app`).resolve('v1');
      expect(tokens.requests.map((r) => `${r.method} ${r.grant} ${r.offline}`)).toEqual(['GET basic true', 'POST refresh_token false']);
      expect(tokens.requests[1]!.user).toBe('alice');
    } finally {
      delete tokenOptions.tokenField;
      delete tokenOptions.expiresIn;
    }
  });

  it('accepts an identity (refresh) token as the credential, without a password', async () => {
    // Obtain one the way `docker login` does, then sign in with it alone.
    const { client: c } = client(reg.host, ALICE, { requestRefreshToken: true });
    await c.repository(`${reg.host}/public/app`).resolve('v1');
    const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password: TEST_USERS.alice.password, service: tokens.service, client_id: 't', access_type: 'offline', scope: '' });
    const issued = (await (await fetch(tokens.realm, { method: 'POST', body: form })).json()) as { refresh_token: string };
    tokens.requests.length = 0;
    const repo = client(reg.host, { refreshToken: issued.refresh_token }).client.repository(`${reg.host}/private/app`);
    expect((await repo.resolve('v1')).digest).toMatch(/^sha256:/);
    expect(tokens.requests.map((r) => `${r.method} ${r.grant} ${r.user}`)).toEqual(['POST refresh_token alice']);
  });
});
