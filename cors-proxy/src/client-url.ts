/**
 * The proxy's URL scheme, in both directions, for the Signet app and for the proxy itself. Pure
 * (fetch-standard APIs only, no dependencies) so the app can import it: `proxiedUrl` builds request
 * URLs, `createProxiedFetch` wraps a fetch so the registry layer sees the registry's own URLs, and
 * the proxy uses the same code to parse request paths and to rewrite `Location`, `Link` and
 * `WWW-Authenticate` realms.
 *
 *   target  https://ghcr.io/v2/org/app/manifests/v1?x=1
 *   proxied <proxyBase>/x/https/ghcr.io/v2/org/app/manifests/v1?x=1
 *
 * The scheme is explicit (`http` or `https`) so a registry the user marked as plain HTTP (as with
 * `notation --insecure-registry`) is reached the same way through the proxy; the proxy still only
 * accepts the schemes its configuration allows for that host. Path and query pass through byte for
 * byte; the fragment is dropped (it never reaches a server anyway).
 */
import { rewriteBearerRealms, rewriteLink, rewriteLocation } from './rewrite';

/** Path segment that introduces a proxied target. */
export const PROXY_ROUTE = '/x/';

export class ProxyUrlError extends Error {
  readonly code = 'ERR_PROXY_URL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ProxyUrlError';
  }
}

// Host names, IPv4 literals and bracketed IPv6 literals, with an optional port. Anything else
// (userinfo, percent-escapes, backslashes, zone identifiers) is refused rather than normalised.
const AUTHORITY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function basePrefix(proxyBase: string | URL): { origin: string; path: string } {
  let base: URL;
  try {
    base = new URL(String(proxyBase));
  } catch {
    throw new ProxyUrlError(`proxy URL "${String(proxyBase)}" is not an absolute URL; expected e.g. https://proxy.example`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ProxyUrlError(`proxy URL must use http or https, got "${base.protocol}"`);
  }
  if (base.username || base.password || base.search || base.hash) {
    throw new ProxyUrlError('proxy URL must not contain credentials, a query or a fragment');
  }
  return { origin: base.origin, path: base.pathname.replace(/\/+$/, '') };
}

/**
 * The URL to request instead of `targetUrl` when going through the proxy at `proxyBase`
 * (e.g. "https://proxy.example" or "https://signet.example/proxy"). Idempotent: a URL that already
 * points into this proxy is returned unchanged.
 * Throws ProxyUrlError for targets the proxy could never serve (non-http(s), credentials in the URL).
 */
export function proxiedUrl(proxyBase: string | URL, targetUrl: string | URL): string {
  const { origin, path } = basePrefix(proxyBase);
  let target: URL;
  try {
    target = new URL(String(targetUrl));
  } catch {
    throw new ProxyUrlError(`target "${String(targetUrl)}" is not an absolute URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ProxyUrlError(`target must use http or https, got "${target.protocol}" in ${target.href}`);
  }
  // Already a URL on this proxy (a rewritten Location, Link or realm): use it as it is, so a
  // fetch wrapper can apply proxiedUrl to every URL it sees.
  if (target.origin === origin && target.pathname.startsWith(`${path}${PROXY_ROUTE}`)) {
    return `${target.origin}${target.pathname}${target.search}`;
  }
  if (target.username || target.password) {
    throw new ProxyUrlError('target URL must not carry credentials; send them in the Authorization header');
  }
  if (!AUTHORITY.test(target.host)) {
    throw new ProxyUrlError(`target host "${target.host}" cannot be proxied`);
  }
  return `${origin}${path}${PROXY_ROUTE}${target.protocol.slice(0, -1)}/${target.host}${target.pathname}${target.search}`;
}

/**
 * The inverse of proxiedUrl: the target URL named by a request path below the proxy's base path
 * (`/x/<scheme>/<host[:port]>/<path>`) plus its query string. Returns null when the path does not
 * use the scheme; throws ProxyUrlError when it does but names an invalid target.
 */
export function targetFromProxyPath(pathname: string, search: string): URL | null {
  if (!pathname.startsWith(PROXY_ROUTE)) return null;
  const rest = pathname.slice(PROXY_ROUTE.length);
  const m = /^(https?)\/([^/]*)(\/.*)?$/.exec(rest);
  if (!m) {
    throw new ProxyUrlError(`expected ${PROXY_ROUTE}<http|https>/<host[:port]>/<path>, got "${pathname}"`);
  }
  const scheme = m[1] ?? '';
  const authority = m[2] ?? '';
  const path = m[3] ?? '/';
  if (!AUTHORITY.test(authority)) {
    throw new ProxyUrlError(`"${authority}" is not a host[:port]; expected e.g. ghcr.io or 127.0.0.1:5000`);
  }
  let target: URL;
  try {
    target = new URL(`${scheme}://${authority}${path}${search}`);
  } catch {
    throw new ProxyUrlError(`"${scheme}://${authority}" is not a valid URL`);
  }
  return target;
}

/**
 * The target URL a proxied URL stands for, or null when `url` does not point into the proxy at
 * `proxyBase`.
 */
export function targetFromProxiedUrl(proxyBase: string | URL, url: string | URL): string | null {
  const { origin, path } = basePrefix(proxyBase);
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return null;
  }
  if (u.origin !== origin || !u.pathname.startsWith(`${path}${PROXY_ROUTE}`)) return null;
  try {
    return targetFromProxyPath(u.pathname.slice(path.length), u.search)?.href ?? null;
  } catch {
    return null;
  }
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that goes through the proxy but looks to its caller like talking to the registry
 * directly: request URLs are proxied (idempotently), and the URLs the proxy rewrote in
 * `Location`, `Link` and Bearer `realm` are mapped back to the real targets, so code that scopes
 * credentials by host or resolves relative URLs sees the registry's own origin.
 * The returned Response has an empty `url`; callers fall back to the URL they requested.
 */
export function createProxiedFetch(proxyBase: string | URL, fetchFn: FetchFn = (i, init) => fetch(i, init)): FetchFn {
  basePrefix(proxyBase); // validate once, up front
  const back = (u: URL) => targetFromProxiedUrl(proxyBase, u) ?? u.href;
  return async (input, init) => {
    const requested = proxiedUrl(proxyBase, input);
    const res = await fetchFn(requested, init);
    if (res.status < 200 || res.status > 599) return res; // opaque or error responses: as they are
    const base = new URL(requested);
    const headers = new Headers(res.headers);
    const location = headers.get('location');
    if (location !== null) headers.set('location', rewriteLocation(location, base, back));
    const link = headers.get('link');
    if (link !== null) headers.set('link', rewriteLink(link, base, back));
    const challenge = headers.get('www-authenticate');
    if (challenge !== null) headers.set('www-authenticate', rewriteBearerRealms(challenge, base, back));
    const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
    return new Response(nullBody ? null : res.body, { status: res.status, statusText: res.statusText, headers });
  };
}
