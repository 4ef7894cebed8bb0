/**
 * The trace recorder with scripted exchanges: order, steps, purposes, cache flags, the HAR-like
 * export, and that no credential survives — neither the ones the transport already redacts nor
 * ones a careless caller might hand in raw. Real registries: tests/integration/behind-the-scenes.
 */
import { describe, expect, it } from 'vitest';
import { describeRequest, formatHar, redactText, sanitizeExchange, traceToHar, TraceRecorder } from '../../../../src/lib/app/behind-the-scenes/trace';
import { createRegistryClient } from '../../../../src/lib/registry/client';
import { staticCredentials } from '../../../../src/lib/registry/auth/credentials';
import type { HttpExchange } from '../../../../src/lib/registry/http';
import { empty, json, scriptedFetch } from '../../registry/scripted-fetch';

const D = 'sha256:' + 'ab'.repeat(32);
const BASE = 'http://127.0.0.1:5000/v2/team/app';

function exchange(over: Partial<HttpExchange> = {}): HttpExchange {
  return {
    method: 'GET',
    url: `${BASE}/manifests/${D}`,
    status: 200,
    requestHeaders: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    responseHeaders: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': D },
    responseBytes: 512,
    durationMs: 12.5,
    fromCache: false,
    ...over
  };
}

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const SECRETS = {
  password: 'hunter2-correct-horse',
  basic: 'YWxpY2U6aHVudGVyMi1jb3JyZWN0LWhvcnNl',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl',
  refresh: 'refresh-token-value-1234567890',
  cookie: 'session=abcdef0123456789',
  presigned: 'AKIAEXAMPLESIGNATURE0123'
};

describe('sanitizeExchange', () => {
  it('keeps the headers that matter and reduces Authorization to its scheme', () => {
    const clean = sanitizeExchange(
      exchange({
        requestHeaders: {
          Accept: 'application/vnd.oci.image.index.v1+json',
          Authorization: `Basic ${SECRETS.basic}`,
          Cookie: SECRETS.cookie,
          'X-Registry-Token': SECRETS.jwt,
          'Proxy-Authorization': `Bearer ${SECRETS.jwt}`
        },
        responseHeaders: {
          'Content-Type': 'application/vnd.oci.image.index.v1+json',
          'Docker-Content-Digest': D,
          'WWW-Authenticate': 'Bearer realm="http://127.0.0.1:9/token",service="registry",scope="repository:team/app:pull"',
          Link: `</v2/team/app/referrers/${D}?last=x&token=${SECRETS.refresh}>; rel="next"`,
          'OCI-Subject': D,
          'OCI-Filters-Applied': 'artifactType',
          'Set-Cookie': SECRETS.cookie,
          Location: `https://blobs.example/${D}?X-Amz-Signature=${SECRETS.presigned}&X-Amz-Credential=${SECRETS.presigned}`
        }
      })
    );
    expect(clean.requestHeaders).toEqual({ accept: 'application/vnd.oci.image.index.v1+json', authorization: 'Basic ‹redacted›' });
    expect(Object.keys(clean.responseHeaders).sort()).toEqual(['content-type', 'docker-content-digest', 'link', 'location', 'oci-filters-applied', 'oci-subject', 'www-authenticate']);
    expect(clean.responseHeaders['www-authenticate']).toContain('realm="http://127.0.0.1:9/token"');
    expect(clean.responseHeaders.link).toMatch(/^<\/v2\/team\/app\/referrers\/sha256:[a-f0-9]{64}\?last=x&token=.*redacted.*>; rel="next"$/);
    const text = JSON.stringify(clean);
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
  });

  it('removes secrets from URLs (query values, user info) and from error text', () => {
    const clean = sanitizeExchange(
      exchange({
        url: `http://alice:${SECRETS.password}@127.0.0.1:5000/token?service=registry&access_token=${SECRETS.jwt}`,
        status: 0,
        error: `TypeError: failed http://127.0.0.1:9/x?password=${SECRETS.password} with Bearer ${SECRETS.refresh} and ${SECRETS.jwt}`
      })
    );
    const text = JSON.stringify(clean);
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
    expect(clean.url).toContain('service=registry');
    expect(clean.error).toContain('Bearer ‹redacted›');
  });

  it('is idempotent', () => {
    const once = sanitizeExchange(exchange({ url: `${BASE}/tags/list?token=${SECRETS.jwt}`, requestHeaders: { authorization: `Bearer ${SECRETS.jwt}` } }));
    expect(sanitizeExchange(once)).toEqual(once);
  });

  it('redactText leaves ordinary text alone', () => {
    expect(redactText('manifest sha256:abc of 127.0.0.1:5000/app is 12 bytes')).toBe('manifest sha256:abc of 127.0.0.1:5000/app is 12 bytes');
  });
});

describe('describeRequest', () => {
  it('names Distribution API requests', () => {
    expect(describeRequest('HEAD', `${BASE}/manifests/v1`)).toBe('resolve tag v1');
    expect(describeRequest('GET', `${BASE}/manifests/v1`)).toBe('fetch the manifest of tag v1');
    expect(describeRequest('GET', `${BASE}/manifests/${D}`)).toBe('fetch manifest sha256:abababababab…');
    expect(describeRequest('GET', `${BASE}/manifests/sha256-${'ab'.repeat(32)}`)).toBe('read the referrers tag index sha256-abababababab…');
    expect(describeRequest('PUT', `${BASE}/manifests/sha256-${'ab'.repeat(32)}`)).toBe('push a manifest as the referrers tag index sha256-abababababab…');
    expect(describeRequest('DELETE', `${BASE}/manifests/${D}`)).toBe('delete manifest sha256:abababababab…');
    expect(describeRequest('GET', `${BASE}/referrers/${D}?artifactType=application%2Fvnd.cncf.notary.signature`)).toBe(
      'list referrers of sha256:abababababab… (artifactType application/vnd.cncf.notary.signature)'
    );
    expect(describeRequest('GET', `${BASE}/blobs/${D}`)).toBe('fetch blob sha256:abababababab…');
    expect(describeRequest('HEAD', `${BASE}/blobs/${D}`)).toBe('check blob sha256:abababababab… exists');
    expect(describeRequest('POST', `${BASE}/blobs/uploads/`)).toBe('start a blob upload');
    expect(describeRequest('PUT', `${BASE}/blobs/uploads/123?_state=x&digest=${D}`)).toBe('finish the upload of blob sha256:abababababab…');
    expect(describeRequest('GET', `${BASE}/tags/list?n=100`)).toBe('list tags');
    expect(describeRequest('GET', 'http://127.0.0.1:5000/v2/')).toBe('check the registry API (/v2/)');
    expect(describeRequest('GET', 'http://127.0.0.1:9000/auth?service=registry&scope=repository%3Ateam%2Fapp%3Apull')).toBe('request a token');
    expect(describeRequest('GET', 'not a url')).toBe('GET not a url');
  });
});

describe('TraceRecorder', () => {
  it('keeps requests in the order they were sent, with steps, purposes and cache flags', () => {
    const c = clock();
    let flowStep: string | undefined = 'Resolve tag "v1"';
    const recorder = new TraceRecorder({ now: c.now, stepOf: () => flowStep });
    const seen: number[] = [];
    recorder.subscribe((entries) => seen.push(entries.length));

    c.advance(10);
    recorder.observe(exchange({ method: 'HEAD', url: `${BASE}/manifests/v1`, durationMs: 10 }));
    flowStep = 'List referrers';
    // Two requests in flight: the second one sent (t=20) finishes first (t=25), the first one (sent t=15) at t=30.
    c.advance(15);
    recorder.observe(exchange({ url: `${BASE}/referrers/${D}`, durationMs: 5 }));
    c.advance(5);
    recorder.observe(exchange({ url: `${BASE}/manifests/${D}`, durationMs: 15 }));
    c.advance(1);
    recorder.observe(exchange({ url: `${BASE}/blobs/${D}`, durationMs: 0, fromCache: true, requestHeaders: {}, responseHeaders: {} }));

    const entries = recorder.entries;
    expect(entries.map((e) => e.purpose)).toEqual([
      'resolve tag v1',
      `fetch manifest sha256:abababababab…`,
      `list referrers of sha256:abababababab…`,
      `fetch blob sha256:abababababab…`
    ]);
    expect(entries.map((e) => e.seq)).toEqual([1, 3, 2, 4]);
    expect(entries.map((e) => e.step)).toEqual(['Resolve tag "v1"', 'List referrers', 'List referrers', 'List referrers']);
    expect(entries[3]!.exchange.fromCache).toBe(true);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('attributes requests to its own steps first (nested: the innermost), then to the flow', async () => {
    const recorder = new TraceRecorder({ stepOf: () => 'flow step' });
    await recorder.step('outer', async () => {
      recorder.observe(exchange());
      await recorder.step('inner', async () => recorder.observe(exchange()));
      recorder.observe(exchange());
    });
    recorder.observe(exchange());
    await expect(recorder.step('fails', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    recorder.observe(exchange());
    expect(recorder.entries.map((e) => e.step)).toEqual(['outer', 'inner', 'outer', 'flow step', 'flow step']);
  });

  it('replays exchanges kept before it existed at the time they ended, in request order', () => {
    const c = clock();
    const recorder = new TraceRecorder({ now: c.now });
    c.advance(100);
    // Reported at t=+20 and t=+40 (buffered), replayed now at t=+100.
    recorder.record(exchange({ url: `${BASE}/manifests/late`, durationMs: 5 }), 'step b', c.now() - 60);
    recorder.record(exchange({ url: `${BASE}/manifests/early`, durationMs: 30 }), 'step a', c.now() - 80);
    expect(recorder.entries.map((e) => [e.purpose, e.step, e.startedAt - 1_700_000_000_000])).toEqual([
      ['fetch the manifest of tag early', 'step a', -10],
      ['fetch the manifest of tag late', 'step b', 35]
    ]);
  });

  it('a throwing stepOf or listener does not break recording; the list is capped', () => {
    const recorder = new TraceRecorder({
      maxEntries: 3,
      stepOf: () => {
        throw new Error('view gone');
      }
    });
    recorder.subscribe(() => {
      throw new Error('listener broke');
    });
    for (let i = 0; i < 5; i++) recorder.observe(exchange({ url: `${BASE}/manifests/t${i}` }));
    expect(recorder.entries.map((e) => e.purpose)).toEqual(['fetch the manifest of tag t2', 'fetch the manifest of tag t3', 'fetch the manifest of tag t4']);
    expect(recorder.entries[0]!.step).toBeUndefined();
    recorder.clear();
    expect(recorder.entries).toEqual([]);
  });

  it('exports a HAR 1.2-shaped log: entries with request, response, timings, cache, in order', () => {
    const c = clock();
    const recorder = new TraceRecorder({ now: c.now });
    c.advance(20);
    recorder.record(
      exchange({
        method: 'GET',
        url: `${BASE}/referrers/${D}?artifactType=application%2Fvnd.cncf.notary.signature`,
        status: 200,
        requestHeaders: { accept: 'application/vnd.oci.image.index.v1+json', authorization: `Bearer ${SECRETS.jwt}` },
        responseHeaders: { 'content-type': 'application/vnd.oci.image.index.v1+json', 'oci-filters-applied': 'artifactType' },
        responseBytes: 300,
        durationMs: 20
      }),
      'Fetch and verify signatures'
    );
    recorder.record(exchange({ fromCache: true, durationMs: 0, responseBytes: 512 }), 'Fetch and verify signatures');
    const har = traceToHar(recorder.entries, { version: '1.2.3' });
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'Signet', version: '1.2.3' });
    const [first, second] = har.log.entries;
    expect(first!.startedDateTime).toBe(new Date(1_700_000_000_000).toISOString());
    expect(first!.time).toBe(20);
    expect(first!.request.method).toBe('GET');
    expect(first!.request.headers).toEqual([
      { name: 'accept', value: 'application/vnd.oci.image.index.v1+json' },
      { name: 'authorization', value: 'Bearer ‹redacted›' }
    ]);
    expect(first!.request.queryString).toEqual([{ name: 'artifactType', value: 'application/vnd.cncf.notary.signature' }]);
    expect(first!.response).toMatchObject({ status: 200, content: { size: 300, mimeType: 'application/vnd.oci.image.index.v1+json' }, bodySize: 300 });
    expect(first!.response.headers).toContainEqual({ name: 'oci-filters-applied', value: 'artifactType' });
    expect(first!.timings.wait).toBe(20);
    expect(first!.cache).toEqual({});
    expect(first!._signet).toEqual({ seq: 1, step: 'Fetch and verify signatures', purpose: expect.stringMatching(/^list referrers of/), fromCache: false, error: null });
    expect(second!.response.bodySize).toBe(0);
    expect(second!.cache).toHaveProperty('beforeRequest.hitCount', 1);
    expect(formatHar(recorder.entries)).not.toContain(SECRETS.jwt);
    expect(JSON.parse(formatHar(recorder.entries)).log.entries).toHaveLength(2);
  });

  it('records a real registry client (scripted answers): Basic auth and token values never reach the trace', async () => {
    // The registry asks for a token; the token service answers with one; the retry carries it.
    let tokenIssued = 0;
    const { fetch, calls } = scriptedFetch([
      (c) => {
        if (!c.url.startsWith('http://127.0.0.1:9000/token')) return undefined;
        tokenIssued++;
        return json(200, { token: SECRETS.jwt, refresh_token: SECRETS.refresh, expires_in: 300 });
      },
      (c) => {
        if (c.headers['authorization'] !== `Bearer ${SECRETS.jwt}`) {
          return empty(401, { 'WWW-Authenticate': 'Bearer realm="http://127.0.0.1:9000/token",service="reg",scope="repository:team/app:pull"' });
        }
        return json(200, { name: 'team/app', tags: ['v1'] });
      }
    ]);
    const recorder = new TraceRecorder();
    const client = createRegistryClient({
      fetch,
      onExchange: recorder.observe,
      credentials: staticCredentials({ '127.0.0.1:5000': { username: 'alice', password: SECRETS.password } })
    });
    const tags = await recorder.step('List tags', () => client.repository('127.0.0.1:5000/team/app').listTags());
    expect(tags).toEqual(['v1']);
    expect(tokenIssued).toBe(1);
    // The credentials really were sent…
    expect(calls.some((c) => c.headers['authorization']?.startsWith('Basic '))).toBe(true);
    expect(calls.some((c) => c.headers['authorization'] === `Bearer ${SECRETS.jwt}`)).toBe(true);
    // …and the trace shows the three requests in order, with only the schemes.
    expect(recorder.entries.map((e) => `${e.exchange.method} ${e.exchange.status} ${e.purpose}`)).toEqual(['GET 401 list tags', 'GET 200 request a token', 'GET 200 list tags']);
    expect(recorder.entries[1]!.exchange.requestHeaders.authorization).toBe('Basic ‹redacted›');
    expect(recorder.entries[2]!.exchange.requestHeaders.authorization).toBe('Bearer ‹redacted›');
    const har = formatHar(recorder.entries);
    for (const [name, secret] of Object.entries(SECRETS)) expect(har, name).not.toContain(secret);
    expect(har).not.toContain(btoa(`alice:${SECRETS.password}`));
  });
});
