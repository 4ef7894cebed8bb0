/**
 * The allowlist: which targets the proxy may reach, with which methods. Runtime-neutral.
 *
 * An entry is written as "host[:port]" (meaning https), "*.example.com" (any subdomain, https), or
 * an absolute "http(s)://host[:port][/path-prefix]" URL. Each entry belongs to a kind that fixes
 * the methods and paths it opens:
 *   registry  GET HEAD POST PUT PATCH DELETE, only /v2 and /v2/...
 *   auth      GET POST  (token realms, OAuth2 token POSTs)
 *   storage   GET HEAD  (blob storage that registries redirect to)
 *   tsa       POST      (RFC 3161 time stamping)
 *   ocsp      GET POST  (RFC 6960)
 *   crl       GET HEAD
 */

export type TargetKind = 'registry' | 'auth' | 'storage' | 'tsa' | 'ocsp' | 'crl';

export interface AllowRule {
  readonly kind: TargetKind;
  readonly protocol: 'http:' | 'https:';
  /** Lowercase host as URL.hostname gives it; "*.suffix" for wildcards. */
  readonly host: string;
  /** URL.port form: '' for the scheme's default port. */
  readonly port: string;
  /** Path prefix ("/" for any path; "/v2" for registries). */
  readonly pathPrefix: string;
  readonly methods: ReadonlySet<string>;
  /** Where the entry came from in the configuration, for messages. */
  readonly source: string;
}

const METHODS: Record<TargetKind, readonly string[]> = {
  registry: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  auth: ['GET', 'POST'],
  storage: ['GET', 'HEAD'],
  tsa: ['POST'],
  ocsp: ['GET', 'POST'],
  crl: ['GET', 'HEAD']
};

export class AllowEntryError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`${field}: ${message}`);
    this.name = 'AllowEntryError';
  }
}

/** Parses one allowlist entry of the given kind (see the module comment for the syntax). */
export function parseAllowEntry(text: unknown, kind: TargetKind, source: string): AllowRule {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new AllowEntryError(source, 'expected a non-empty string such as "ghcr.io" or "http://127.0.0.1:5000"');
  }
  const raw = text.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let wildcard = false;
  let body = hasScheme ? raw : `https://${raw}`;
  const star = /^(https?:\/\/)\*\./i.exec(body);
  if (star) {
    wildcard = true;
    body = star[1] + body.slice(star[0].length);
  }
  let u: URL;
  try {
    u = new URL(body);
  } catch {
    throw new AllowEntryError(source, `"${raw}" is not a host[:port] or http(s) URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AllowEntryError(source, `"${raw}" must use http or https`);
  }
  if (u.username || u.password || u.search || u.hash) {
    throw new AllowEntryError(source, `"${raw}" must not contain credentials, a query or a fragment`);
  }
  if (wildcard && !u.hostname.includes('.')) {
    throw new AllowEntryError(source, `"${raw}": a wildcard needs a domain with at least two labels, e.g. *.example.com`);
  }
  if (wildcard && (u.hostname.startsWith('[') || /^[0-9.]+$/.test(u.hostname))) {
    throw new AllowEntryError(source, `"${raw}": wildcards apply to domain names, not IP addresses`);
  }
  let pathPrefix = hasScheme ? u.pathname : '/';
  if (kind === 'registry') {
    if (pathPrefix !== '/' && pathPrefix !== '/v2' && pathPrefix !== '/v2/') {
      throw new AllowEntryError(source, `"${raw}": a registry entry is an origin; the proxy opens /v2/ on it`);
    }
    pathPrefix = '/v2';
  }
  return {
    kind,
    protocol: u.protocol,
    host: (wildcard ? '*.' : '') + u.hostname.toLowerCase(),
    port: u.port,
    pathPrefix,
    methods: new Set(METHODS[kind]),
    source
  };
}

function hostMatches(rule: AllowRule, hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (rule.host.startsWith('*.')) {
    const suffix = rule.host.slice(1); // ".example.com"
    return h.endsWith(suffix) && h.length > suffix.length;
  }
  return h === rule.host;
}

function pathMatches(rule: AllowRule, pathname: string): boolean {
  if (rule.pathPrefix === '/') return true;
  if (rule.kind === 'registry') return pathname === '/v2' || pathname.startsWith('/v2/');
  const prefix = rule.pathPrefix;
  return pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/**
 * True when the path, percent-decoded as an upstream server might decode it, still has no dot
 * segments or backslashes, so it cannot climb out of the prefix that was checked on the raw path
 * (e.g. "/ocsp/x%2F..%2F..%2Fadmin"). Encoded slashes alone are fine: OCSP GET requests carry
 * base64 with "%2F" in it.
 */
function staysInside(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return false;
  return !decoded.split('/').some((seg) => seg === '..' || seg === '.');
}

export type PolicyDecision =
  | { readonly ok: true; readonly rule: AllowRule }
  | { readonly ok: false; readonly code: 'target_not_allowed' | 'method_not_allowed'; readonly message: string };

/** The first rule that lets `method` reach `url`, or why none does. */
export function matchTarget(rules: readonly AllowRule[], url: URL, method: string): PolicyDecision {
  const sameOrigin = rules.filter((r) => r.protocol === url.protocol && r.port === url.port && hostMatches(r, url.hostname));
  const where = `${url.protocol}//${url.host}`;
  if (sameOrigin.length === 0) {
    const otherScheme = rules.some((r) => r.port === url.port && hostMatches(r, url.hostname));
    return {
      ok: false,
      code: 'target_not_allowed',
      message: otherScheme
        ? `${where} is not allowed with ${url.protocol.slice(0, -1)}; the proxy allows this host only with another scheme or port. Check the registry's http/https setting.`
        : `${where} is not on this proxy's allowlist. Ask the proxy operator to add it (registries, their authHosts/storageHosts, timestampAuthorities, ocspResponders or crlDistributionPoints).`
    };
  }
  const onPath = sameOrigin.filter((r) => {
    if (!pathMatches(r, url.pathname)) return false;
    return r.pathPrefix === '/' || staysInside(url.pathname);
  });
  if (onPath.length === 0) {
    const prefixes = [...new Set(sameOrigin.map((r) => (r.kind === 'registry' ? '/v2/' : r.pathPrefix)))].join(', ');
    return {
      ok: false,
      code: 'target_not_allowed',
      message: `path ${url.pathname} on ${where} is not allowed; this proxy opens only ${prefixes} there`
    };
  }
  const rule = onPath.find((r) => r.methods.has(method));
  if (!rule) {
    const methods = [...new Set(onPath.flatMap((r) => [...r.methods]))].join(', ');
    return {
      ok: false,
      code: 'method_not_allowed',
      message: `${method} is not allowed to ${where}${url.pathname}; allowed: ${methods}`
    };
  }
  return { ok: true, rule };
}
