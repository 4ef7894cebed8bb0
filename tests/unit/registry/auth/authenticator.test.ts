/**
 * The auth state machine against scripted challenges (the real token flows against a real
 * distribution registry are in tests/integration/registry/auth.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { base64Encode, utf8Decode, utf8Encode } from '../../../../src/lib/bytes';
import { Authenticator } from '../../../../src/lib/registry/auth/authenticator';
import { staticCredentials } from '../../../../src/lib/registry/auth/credentials';
import { Transport, type HttpExchange } from '../../../../src/lib/registry/http';
import { empty, json, scriptedFetch, type Call } from '../scripted-fetch';

const HOST = 'reg.example';
const URL_ = `https://${HOST}/v2/app/manifests/v1`;
const REALM = 'https://auth.example/token';
const challenge = (scope: string, error?: string) =>
  `Bearer realm="${REALM}",service="reg",scope="${scope}"${error ? `,error="${error}"` : ''}`;
const req = (url = URL_, method: 'GET' | 'PUT' = 'GET') => ({ method, url, maxBytes: 1000, what: 'manifest v1' });

/** A registry endpoint that wants a bearer token granting `needs`; tokens are "T:<scopes>". */
function bearerRegistry(need: string | ((c: Call) => string)) {
  return (c: Call) => {
    if (!c.url.startsWith(`https://${HOST}/`)) return undefined;
    const needs = typeof need === 'string' ? need : need(c);
    const auth = c.headers['authorization'] ?? '';
    if (auth.startsWith('Bearer T:') && auth.slice('Bearer T:'.length).split(' ').includes(needs)) return json(200, { ok: true });
    return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'WWW-Authenticate': challenge(needs, auth ? 'insufficient_scope' : undefined) });
  };
}
function tokenService(extra: Record<string, unknown> = {}) {
  return (c: Call) => {
    if (!c.url.startsWith(REALM)) return undefined;
    const scopes = c.method === 'POST' ? new URLSearchParams(utf8Decode(c.body!)).get('scope')!.split(' ') : new URL(c.url).searchParams.getAll('scope');
    return json(200, { token: `T:${scopes.join(' ')}`, ...extra });
  };
}

describe('Authenticator (bearer)', () => {
  it('answers a challenge with an anonymous token for the challenged scope and retries', async () => {
    const { fetch, calls } = scriptedFetch([tokenService(), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false });
    const r = await auth.send(new Transport(fetch), req(), ['repository:app:pull']);
    expect(r.status).toBe(200);
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([`GET ${URL_}`, `GET ${REALM}`, `GET ${URL_}`]);
    const tokenUrl = new URL(calls[1]!.url);
    expect(tokenUrl.searchParams.get('service')).toBe('reg');
    expect(tokenUrl.searchParams.getAll('scope')).toEqual(['repository:app:pull']);
    expect(calls[1]!.headers['authorization']).toBeUndefined();
  });

  it('caches tokens per scope and reuses a token that covers the wanted scope', async () => {
    const { fetch, calls } = scriptedFetch([tokenService({ expires_in: 300 }), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false });
    const t = new Transport(fetch);
    await auth.send(t, req(), ['repository:app:pull']);
    calls.length = 0;
    await auth.send(t, req(), ['repository:app:pull']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['authorization']).toBe('Bearer T:repository:app:pull');
  });

  it('fetches a token up front for a new scope once the realm is known (no second 401)', async () => {
    const { fetch, calls } = scriptedFetch([tokenService(), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false });
    const t = new Transport(fetch);
    await auth.send(t, req(), ['repository:app:pull']);
    calls.length = 0;
    await auth.send(t, req(`https://${HOST}/v2/other/tags/list`), ['repository:app:pull', 'repository:other:pull']);
    expect(calls.map((c) => c.method + ' ' + c.url.split('?')[0])).toEqual([`GET ${REALM}`, `GET https://${HOST}/v2/other/tags/list`]);
  });

  it('renews a token after expires_in (60 s by default)', async () => {
    let clock = 1_000_000;
    const { fetch, calls } = scriptedFetch([tokenService(), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false, now: () => clock });
    const t = new Transport(fetch);
    await auth.send(t, req(), ['repository:app:pull']);
    clock += 30_000;
    calls.length = 0;
    await auth.send(t, req(), ['repository:app:pull']);
    expect(calls).toHaveLength(1); // still valid
    clock += 31_000;
    calls.length = 0;
    await auth.send(t, req(), ['repository:app:pull']);
    expect(calls.map((c) => c.url.split('?')[0])).toEqual([REALM, URL_]);
  });

  it('re-authenticates on insufficient_scope with the union of scopes', async () => {
    // The endpoint needs push, but the caller only asked for pull.
    const { fetch, calls } = scriptedFetch([
      tokenService(),
      bearerRegistry((c) => (c.method === 'PUT' ? 'repository:app:pull,push' : 'repository:app:pull'))
    ]);
    const auth = new Authenticator({ allowsPlainHttp: () => false });
    const t = new Transport(fetch);
    await auth.send(t, req(), ['repository:app:pull']); // realm learned, pull token cached
    calls.length = 0;
    const r = await auth.send(t, req(URL_, 'PUT'), ['repository:app:pull']);
    expect(r.status).toBe(200);
    // PUT with the cached pull token → 401 insufficient_scope → token for the union → retry.
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([`PUT ${URL_}`, `GET ${REALM}`, `PUT ${URL_}`]);
    expect(new URL(calls[1]!.url).searchParams.getAll('scope')).toEqual(['repository:app:pull,push']);
  });

  it('sends basic credentials to the token service, never to the registry, and redacts them in exchanges', async () => {
    const { fetch, calls } = scriptedFetch([tokenService(), bearerRegistry('repository:app:pull')]);
    const seen: HttpExchange[] = [];
    const auth = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ [HOST]: { username: 'alice', password: 'pw-secret' } }) });
    await auth.send(new Transport(fetch, (e) => seen.push(e)), req(), ['repository:app:pull']);
    const basic = `Basic ${base64Encode(utf8Encode('alice:pw-secret'))}`;
    expect(calls[1]!.headers['authorization']).toBe(basic);
    expect(calls.filter((c) => c.url.startsWith(`https://${HOST}`)).every((c) => c.headers['authorization'] !== basic)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(basic.slice(6));
    expect(JSON.stringify(seen)).not.toContain('T:repository');
  });

  it('uses a refresh token with the OAuth2 POST, and keeps a rotated one', async () => {
    const { fetch, calls } = scriptedFetch([tokenService({ refresh_token: 'R2' }), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ [HOST]: { refreshToken: 'R1' } }) });
    const t = new Transport(fetch);
    await auth.send(t, req(), ['repository:app:pull']);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(Object.fromEntries(new URLSearchParams(utf8Decode(post.body!)))).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'R1', service: 'reg' });
    calls.length = 0;
    await auth.send(t, req(`https://${HOST}/v2/b/tags/list`), ['repository:b:pull']);
    const post2 = calls.find((c) => c.method === 'POST')!;
    expect(new URLSearchParams(utf8Decode(post2.body!)).get('refresh_token')).toBe('R2');
  });

  it('fails with ERR_REGISTRY_AUTH asking to sign in when anonymous tokens are refused', async () => {
    const { fetch } = scriptedFetch([(c) => (c.url.startsWith(REALM) ? json(401, { details: 'no' }) : undefined), bearerRegistry('repository:app:pull')]);
    const auth = new Authenticator({ allowsPlainHttp: () => false });
    await expect(auth.send(new Transport(fetch), req(), ['repository:app:pull'])).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
      message: expect.stringContaining('requires sign-in')
    });
  });

  it('stops with ERR_REGISTRY_DENIED when a signed-in user keeps getting insufficient_scope', async () => {
    const { fetch, calls } = scriptedFetch([
      (c) => (c.url.startsWith(REALM) ? json(200, { token: 'T:repository:app:pull' }) : undefined), // never grants push
      bearerRegistry('repository:app:pull,push')
    ]);
    const auth = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ [HOST]: { username: 'u', password: 'p' } }) });
    await expect(auth.send(new Transport(fetch), req(URL_, 'PUT'), ['repository:app:pull,push'])).rejects.toMatchObject({ code: 'ERR_REGISTRY_DENIED' });
    expect(calls.length).toBeLessThanOrEqual(5);
  });
});

describe('Authenticator (basic and odd challenges)', () => {
  const basicRegistry = (c: Call) =>
    c.headers['authorization'] === `Basic ${base64Encode(utf8Encode('bob:right'))}` ? json(200, {}) : json(401, {}, { 'WWW-Authenticate': 'Basic realm="r"' });

  it('answers Basic challenges with the credentials and then sends them up front', async () => {
    const { fetch, calls } = scriptedFetch([basicRegistry]);
    const auth = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ [HOST]: { username: 'bob', password: 'right' } }) });
    const t = new Transport(fetch);
    expect((await auth.send(t, req(), [])).status).toBe(200);
    calls.length = 0;
    await auth.send(t, req(), []);
    expect(calls).toHaveLength(1);
  });

  it('reports missing and wrong basic credentials differently', async () => {
    const { fetch } = scriptedFetch([basicRegistry]);
    await expect(new Authenticator({ allowsPlainHttp: () => false }).send(new Transport(fetch), req(), [])).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
      message: expect.stringContaining('needs a username and password')
    });
    const wrong = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ [HOST]: { username: 'bob', password: 'wrong' } }) });
    await expect(wrong.send(new Transport(fetch), req(), [])).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('rejected') });
  });

  it('refuses to send credentials over plain http to a non-loopback host', async () => {
    const { fetch } = scriptedFetch([() => json(401, {}, { 'WWW-Authenticate': 'Basic realm="r"' })]);
    const auth = new Authenticator({ allowsPlainHttp: () => false, credentials: staticCredentials({ 'plain.example': { username: 'a', password: 'b' } }) });
    await expect(auth.send(new Transport(fetch), req('http://plain.example/v2/'), [])).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
      message: expect.stringContaining('plain http')
    });
  });

  it('explains a 401 without a readable challenge (the CORS case)', async () => {
    const { fetch } = scriptedFetch([() => empty(401)]);
    await expect(new Authenticator({ allowsPlainHttp: () => false }).send(new Transport(fetch), req(), [])).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
      message: expect.stringContaining('expose WWW-Authenticate')
    });
  });
});
