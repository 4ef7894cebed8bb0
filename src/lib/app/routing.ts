/**
 * Which way each registry request goes: straight to the registry, or through the Signet CORS
 * proxy (cors-proxy/, URL scheme in cors-proxy/src/client-url.ts). A browser can read a
 * cross-origin registry only when it answers with CORS headers for this origin; most do not, and
 * the browser then reports a bare network TypeError. This module turns that into
 * ERR_REGISTRY_CORS with the advice to enable the proxy, after telling it apart from a registry
 * that is simply down (an opaque `no-cors` request reaches a running server either way).
 */
import { createProxiedFetch } from '../../../cors-proxy/src/client-url';
import { SignetError } from '../errors';
import type { FetchLike } from '../registry/http';
import type { ProxySettings } from './settings';

export type RegistryRoute =
  | { readonly via: 'direct'; readonly crossOrigin: boolean }
  | { readonly via: 'proxy'; readonly proxyUrl: string };

/** `host[:port]` of an absolute URL, lowercased, or undefined. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The route for a request to `targetUrl`. With scope `listed`, `extraHosts` are hosts learned to
 * belong to a listed registry (its token service), which must go the same way.
 */
export function routeRequest(targetUrl: string, proxy: ProxySettings | null, appOrigin: string, extraHosts: ReadonlySet<string> = new Set()): RegistryRoute {
  const origin = originOf(targetUrl);
  const host = hostOf(targetUrl);
  const crossOrigin = origin !== undefined && origin !== appOrigin;
  if (!proxy || proxy.url === null || proxy.scope === 'off' || !crossOrigin || host === undefined) return { via: 'direct', crossOrigin };
  // The proxy's own URLs (rewritten Location/Link/realm values) are never proxied twice.
  if (origin === originOf(proxy.url)) return { via: 'direct', crossOrigin };
  if (proxy.scope === 'all' || proxy.registries.includes(host) || extraHosts.has(host)) return { via: 'proxy', proxyUrl: proxy.url };
  return { via: 'direct', crossOrigin };
}

/** Bearer realms named in a WWW-Authenticate value (hosts the registry sends us to for tokens). */
export function realmHosts(challenge: string): string[] {
  const out: string[] = [];
  for (const m of challenge.matchAll(/realm\s*=\s*"([^"]*)"/gi)) {
    const host = hostOf(m[1] ?? '');
    if (host) out.push(host);
  }
  return out;
}

export function corsError(targetUrl: string, appOrigin: string, cause: unknown): SignetError {
  const host = hostOf(targetUrl) ?? targetUrl;
  return new SignetError(
    'ERR_REGISTRY_CORS',
    `${host} answered, but sends no CORS headers that let this page (${appOrigin}) read its responses: this registry sends no CORS headers: enable the proxy in Settings`,
    { cause }
  );
}

export interface RoutedFetchOptions {
  /** The proxy in force (settings.ts effectiveProxy), or null. */
  proxy: ProxySettings | null;
  /** This page's origin (location.origin). */
  appOrigin: string;
  /** The underlying fetch (globalThis.fetch in the app). */
  fetch?: FetchLike;
  /** Called with the route of every request, for progress and "behind the scenes" views. */
  onRoute?: (url: string, route: RegistryRoute) => void;
}

export interface RoutedFetch extends FetchLike {
  /** The route a request to this URL would take now. */
  routeFor(url: string): RegistryRoute;
}

/**
 * A fetch for the registry client that routes each request by `routeRequest`. A direct
 * cross-origin request that fails with a network error is probed once with an opaque `no-cors`
 * GET of the registry's /v2/: when that reaches the server, the failure was CORS and the request
 * fails with ERR_REGISTRY_CORS; otherwise the original error stands (the registry layer reports
 * it as unreachable).
 */
export function createRoutedFetch(options: RoutedFetchOptions): RoutedFetch {
  const base: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const learned = new Set<string>();
  const proxied = options.proxy?.url ? createProxiedFetch(options.proxy.url, base) : undefined;
  const probed = new Map<string, Promise<boolean>>();

  const reachable = (origin: string): Promise<boolean> => {
    let p = probed.get(origin);
    if (!p) {
      p = base(`${origin}/v2/`, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(10_000) }).then(
        () => true,
        () => false
      );
      probed.set(origin, p);
    }
    return p;
  };

  const routeFor = (url: string) => routeRequest(url, options.proxy, options.appOrigin, learned);

  const routed = (async (input: string, init?: RequestInit) => {
    const route = routeFor(input);
    options.onRoute?.(input, route);
    if (route.via === 'proxy' && proxied) {
      const response = await proxied(input, init);
      // Token services of a proxied registry must be proxied too (scope "listed").
      const challenge = response.headers.get('www-authenticate');
      if (challenge) for (const host of realmHosts(challenge)) learned.add(host);
      return response;
    }
    try {
      return await base(input, init);
    } catch (e) {
      const origin = originOf(input);
      const aborted = e instanceof DOMException && (e.name === 'AbortError' || e.name === 'TimeoutError');
      if (route.via === 'direct' && route.crossOrigin && origin && !aborted && e instanceof TypeError && (await reachable(origin))) {
        throw corsError(input, options.appOrigin, e);
      }
      throw e;
    }
  }) as RoutedFetch;
  routed.routeFor = routeFor;
  return routed;
}

/**
 * The SignetError a person should see for `e`: the registry layer wraps fetch failures in
 * ERR_REGISTRY_UNREACHABLE (and verification wraps those again), so a CORS refusal found
 * underneath is brought to the top.
 */
export function surfaceError(e: unknown): unknown {
  let current: unknown = e;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof SignetError && current.code === 'ERR_REGISTRY_CORS') return current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return e;
}
