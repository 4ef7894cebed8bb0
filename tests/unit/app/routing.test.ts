import { describe, expect, it } from 'vitest';
import { createRoutedFetch, realmHosts, routeRequest, surfaceError } from '../../../src/lib/app/routing';
import type { ProxySettings } from '../../../src/lib/app/settings';
import { SignetError, isSignetError } from '../../../src/lib/errors';

const APP = 'https://signet.example';
const PROXY_ALL: ProxySettings = { url: 'https://proxy.example/signet', scope: 'all', registries: [] };
const PROXY_LISTED: ProxySettings = { url: 'https://proxy.example/signet', scope: 'listed', registries: ['ghcr.io', '127.0.0.1:5000'] };

describe('routeRequest', () => {
  it('goes direct without a proxy, and says whether the request is cross-origin', () => {
    expect(routeRequest('https://ghcr.io/v2/', null, APP)).toEqual({ via: 'direct', crossOrigin: true });
    expect(routeRequest('https://signet.example/v2/', PROXY_ALL, APP)).toEqual({ via: 'direct', crossOrigin: false });
    expect(routeRequest('https://ghcr.io/v2/', { ...PROXY_ALL, scope: 'off' }, APP)).toEqual({ via: 'direct', crossOrigin: true });
  });

  it('proxies every cross-origin registry with scope "all", only listed (or learned) hosts with "listed"', () => {
    expect(routeRequest('https://ghcr.io/v2/', PROXY_ALL, APP)).toEqual({ via: 'proxy', proxyUrl: 'https://proxy.example/signet' });
    expect(routeRequest('https://quay.io/v2/', PROXY_ALL, APP).via).toBe('proxy');
    expect(routeRequest('https://ghcr.io/v2/', PROXY_LISTED, APP).via).toBe('proxy');
    expect(routeRequest('http://127.0.0.1:5000/v2/', PROXY_LISTED, APP).via).toBe('proxy');
    expect(routeRequest('https://quay.io/v2/', PROXY_LISTED, APP)).toEqual({ via: 'direct', crossOrigin: true });
    expect(routeRequest('https://auth.quay.io/token', PROXY_LISTED, APP, new Set(['auth.quay.io'])).via).toBe('proxy');
  });

  it("never proxies the proxy's own URLs (rewritten Location/Link/realm values)", () => {
    expect(routeRequest('https://proxy.example/signet/x/https/ghcr.io/v2/', PROXY_ALL, APP)).toEqual({ via: 'direct', crossOrigin: true });
  });

  it('reads Bearer realm hosts from challenges', () => {
    expect(realmHosts('Bearer realm="https://auth.example.com/token",service="r",scope="repository:a:pull"')).toEqual(['auth.example.com']);
    expect(realmHosts('Basic realm="signet-test"')).toEqual([]);
  });
});

/** Records what the routed fetch asks of the underlying fetch and answers from a script. */
function scripted(answer: (url: string, init?: RequestInit) => Response | Error) {
  const calls: { url: string; mode?: RequestMode }[] = [];
  const fetchFn = async (url: string, init?: RequestInit) => {
    calls.push({ url, ...(init?.mode ? { mode: init.mode } : {}) });
    const a = answer(url, init);
    if (a instanceof Error) throw a;
    return a;
  };
  return { calls, fetchFn };
}

describe('createRoutedFetch', () => {
  it("sends proxied requests through the proxy's URL scheme and learns token services of listed registries", async () => {
    const { calls, fetchFn } = scripted((url) =>
      url.includes('/v2/team/app/')
        ? new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://proxy.example/signet/x/https/auth.ghcr.example/token",service="ghcr"' } })
        : new Response('{}', { status: 200 })
    );
    const routes: string[] = [];
    const routed = createRoutedFetch({ proxy: { ...PROXY_LISTED, registries: ['ghcr.io'] }, appOrigin: APP, fetch: fetchFn, onRoute: (u, r) => routes.push(`${r.via} ${u}`) });
    const res = await routed('https://ghcr.io/v2/team/app/manifests/v1');
    // The realm was rewritten by the proxy and mapped back to the real token service.
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="https://auth.ghcr.example/token",service="ghcr"');
    expect(routed.routeFor('https://auth.ghcr.example/token?scope=x').via).toBe('proxy');
    await routed('https://auth.ghcr.example/token?scope=x');
    expect(calls.map((c) => c.url)).toEqual([
      'https://proxy.example/signet/x/https/ghcr.io/v2/team/app/manifests/v1',
      'https://proxy.example/signet/x/https/auth.ghcr.example/token?scope=x'
    ]);
    expect(routes).toEqual(['proxy https://ghcr.io/v2/team/app/manifests/v1', 'proxy https://auth.ghcr.example/token?scope=x']);
  });

  it('reports a network error from a registry that answers opaque requests as ERR_REGISTRY_CORS', async () => {
    const { calls, fetchFn } = scripted((_url, init) => (init?.mode === 'no-cors' ? new Response(null, { status: 200 }) : new TypeError('Failed to fetch')));
    const routed = createRoutedFetch({ proxy: null, appOrigin: APP, fetch: fetchFn });
    let error: unknown;
    try {
      await routed('http://127.0.0.1:5000/v2/app/manifests/v1');
    } catch (e) {
      error = e;
    }
    expect(isSignetError(error, 'ERR_REGISTRY_CORS')).toBe(true);
    expect((error as Error).message).toBe(
      '127.0.0.1:5000 answered, but sends no CORS headers that let this page (https://signet.example) read its responses: this registry sends no CORS headers: enable the proxy in Settings'
    );
    expect(calls).toEqual([{ url: 'http://127.0.0.1:5000/v2/app/manifests/v1' }, { url: 'http://127.0.0.1:5000/v2/', mode: 'no-cors' }]);
    // The probe runs once per origin.
    await routed('http://127.0.0.1:5000/v2/app/tags/list').catch(() => undefined);
    expect(calls.filter((c) => c.mode === 'no-cors')).toHaveLength(1);
  });

  it('keeps the network error when the registry is not reachable at all, and never probes same-origin requests', async () => {
    const down = scripted(() => new TypeError('Failed to fetch'));
    const routed = createRoutedFetch({ proxy: null, appOrigin: APP, fetch: down.fetchFn });
    await expect(routed('https://down.example/v2/')).rejects.toThrow(TypeError);
    const same = scripted(() => new TypeError('Failed to fetch'));
    await expect(createRoutedFetch({ proxy: null, appOrigin: APP, fetch: same.fetchFn })('https://signet.example/v2/')).rejects.toThrow(TypeError);
    expect(same.calls).toHaveLength(1);
  });

  it('surfaces a CORS refusal wrapped by the registry layer and by verification', () => {
    const cors = new SignetError('ERR_REGISTRY_CORS', 'no CORS');
    const wrapped = new SignetError('ERR_REGISTRY_UNREACHABLE', 'Could not reach', { cause: cors });
    const outer = new SignetError('ERR_REGISTRY_UNREACHABLE', 'unable to retrieve digital signature', { cause: wrapped });
    expect(surfaceError(outer)).toBe(cors);
    const plain = new SignetError('ERR_REGISTRY_UNREACHABLE', 'down', { cause: new TypeError('x') });
    expect(surfaceError(plain)).toBe(plain);
  });
});
