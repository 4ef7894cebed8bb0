/**
 * Proxy configuration: the JSON shape, its defaults, validation, and environment overrides.
 * Runtime-neutral: the Node entry reads the file and process.env, an edge deployment passes its
 * own bindings. Every problem is reported as a ProxyConfigError naming the field.
 */
import { parseCidr, type Cidr } from './addresses';
import { AllowEntryError, parseAllowEntry, type AllowRule, type TargetKind } from './policy';

export interface ProxyLimits {
  /** Largest request body forwarded (bytes). Larger declared or streamed bodies get 413. */
  readonly maxRequestBodyBytes: number;
  /** Largest response body relayed (bytes). A larger declared length gets 502; a longer stream is cut. */
  readonly maxResponseBodyBytes: number;
  /** Time to establish the upstream TCP/TLS connection. */
  readonly connectTimeoutMs: number;
  /** Time from the end of the request body to the upstream's response headers. */
  readonly headersTimeoutMs: number;
  /** Longest pause allowed while a body (either direction) is streaming. */
  readonly bodyIdleTimeoutMs: number;
  /** Hard cap on one whole exchange, bodies included. */
  readonly totalTimeoutMs: number;
  /** Requests in flight per client address; more get 429. */
  readonly maxConcurrentPerClient: number;
  /** Requests in flight overall; more get 429. */
  readonly maxConcurrentTotal: number;
  /** Storage redirects followed server-side for one GET/HEAD. */
  readonly maxRedirects: number;
  /** Node server only: time a client has to send its request headers (slowloris guard). */
  readonly clientHeadersTimeoutMs: number;
}

export interface ProxyConfig {
  /** Node entry only: where to listen. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Public base URL of the proxy (used in rewritten Location/Link/realm), e.g. https://proxy.example/signet. */
  readonly publicUrl: string | null;
  /** Origins (scheme://host[:port]) of Signet deployments allowed to use the proxy through CORS. */
  readonly allowedOrigins: readonly string[];
  /** Refuse requests that carry no Origin header (non-browser clients). */
  readonly requireOrigin: boolean;
  /** Allowlist, normalised. */
  readonly rules: readonly AllowRule[];
  /** Non-public address ranges the proxy may nevertheless connect to (e.g. 127.0.0.0/8 for a local demo). */
  readonly allowAddressRanges: readonly Cidr[];
  readonly limits: ProxyLimits;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxRequestBodyBytes: 16 * 1024 * 1024,
  maxResponseBodyBytes: 64 * 1024 * 1024,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 20_000,
  totalTimeoutMs: 120_000,
  maxConcurrentPerClient: 16,
  maxConcurrentTotal: 256,
  maxRedirects: 5,
  clientHeadersTimeoutMs: 10_000
};

export class ProxyConfigError extends Error {
  readonly code = 'ERR_PROXY_CONFIG_INVALID';
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`proxy configuration, ${field}: ${message}`);
    this.name = 'ProxyConfigError';
  }
}

/** Environment variables read by applyEnv (all optional; they override the file). */
export const ENV = {
  host: 'SIGNET_PROXY_HOST',
  port: 'SIGNET_PROXY_PORT',
  publicUrl: 'SIGNET_PROXY_PUBLIC_URL',
  allowedOrigins: 'SIGNET_PROXY_ALLOWED_ORIGINS',
  requireOrigin: 'SIGNET_PROXY_REQUIRE_ORIGIN',
  registries: 'SIGNET_PROXY_REGISTRIES',
  timestampAuthorities: 'SIGNET_PROXY_TSA',
  ocspResponders: 'SIGNET_PROXY_OCSP',
  crlDistributionPoints: 'SIGNET_PROXY_CRL',
  allowAddressRanges: 'SIGNET_PROXY_ALLOW_ADDRESS_RANGES',
  configJson: 'SIGNET_PROXY_CONFIG_JSON'
} as const;

const LIMIT_ENV: Record<keyof ProxyLimits, string> = {
  maxRequestBodyBytes: 'SIGNET_PROXY_MAX_REQUEST_BODY_BYTES',
  maxResponseBodyBytes: 'SIGNET_PROXY_MAX_RESPONSE_BODY_BYTES',
  connectTimeoutMs: 'SIGNET_PROXY_CONNECT_TIMEOUT_MS',
  headersTimeoutMs: 'SIGNET_PROXY_HEADERS_TIMEOUT_MS',
  bodyIdleTimeoutMs: 'SIGNET_PROXY_BODY_IDLE_TIMEOUT_MS',
  totalTimeoutMs: 'SIGNET_PROXY_TOTAL_TIMEOUT_MS',
  maxConcurrentPerClient: 'SIGNET_PROXY_MAX_CONCURRENT_PER_CLIENT',
  maxConcurrentTotal: 'SIGNET_PROXY_MAX_CONCURRENT_TOTAL',
  maxRedirects: 'SIGNET_PROXY_MAX_REDIRECTS',
  clientHeadersTimeoutMs: 'SIGNET_PROXY_CLIENT_HEADERS_TIMEOUT_MS'
};

export const LIMIT_ENV_VARS: Readonly<Record<keyof ProxyLimits, string>> = LIMIT_ENV;

type Env = Readonly<Record<string, string | undefined>>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_TOP = new Set([
  'listen',
  'publicUrl',
  'allowedOrigins',
  'requireOrigin',
  'registries',
  'timestampAuthorities',
  'ocspResponders',
  'crlDistributionPoints',
  'allowAddressRanges',
  'limits',
  '$comment'
]);

function stringList(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new ProxyConfigError(field, 'expected an array of strings');
  }
  return v as string[];
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function jsonEnv(env: Env, name: string): unknown {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProxyConfigError(name, 'is not valid JSON');
  }
}

function origin(text: string, field: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ProxyConfigError(field, `"${text}" is not an origin such as https://signet.example`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== text.replace(/\/$/, '')) {
    throw new ProxyConfigError(field, `"${text}" must be exactly an origin (scheme://host[:port]), e.g. https://signet.example`);
  }
  return u.origin;
}

function integer(v: unknown, field: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^[0-9]+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ProxyConfigError(field, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function boolean(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ProxyConfigError(field, `expected true or false, got ${JSON.stringify(v)}`);
}

function ruleFor(entry: unknown, kind: TargetKind, field: string): AllowRule {
  try {
    return parseAllowEntry(entry, kind, field);
  } catch (e) {
    if (e instanceof AllowEntryError) throw new ProxyConfigError(e.field, e.message.slice(e.field.length + 2));
    throw e;
  }
}

function rulesFor(list: unknown, kind: TargetKind, field: string): AllowRule[] {
  return stringList(list, field).map((entry, i) => ruleFor(entry, kind, `${field}[${i}]`));
}

function registryRules(v: unknown, field: string): AllowRule[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ProxyConfigError(field, 'expected an array of {host, authHosts?, storageHosts?}');
  const out: AllowRule[] = [];
  v.forEach((item: unknown, i) => {
    const f = `${field}[${i}]`;
    const entry = typeof item === 'string' ? { host: item } : item;
    if (!isRecord(entry)) throw new ProxyConfigError(f, 'expected a string or an object {host, authHosts?, storageHosts?}');
    for (const k of Object.keys(entry)) {
      if (!['host', 'authHosts', 'storageHosts', '$comment'].includes(k)) {
        throw new ProxyConfigError(`${f}.${k}`, 'unknown field; expected host, authHosts or storageHosts');
      }
    }
    out.push(ruleFor(entry.host, 'registry', `${f}.host`));
    out.push(...rulesFor(entry.authHosts, 'auth', `${f}.authHosts`));
    out.push(...rulesFor(entry.storageHosts, 'storage', `${f}.storageHosts`));
  });
  return out;
}

/**
 * Validates a configuration object (typically parsed JSON) and applies environment overrides.
 * Environment variables win over the object; SIGNET_PROXY_CONFIG_JSON, when set, replaces the object.
 */
export function parseProxyConfig(raw: unknown, env: Env = {}): ProxyConfig {
  const fromEnv = jsonEnv(env, ENV.configJson);
  const input = fromEnv !== undefined ? fromEnv : raw ?? {};
  if (!isRecord(input)) throw new ProxyConfigError('(root)', 'expected a JSON object');
  for (const k of Object.keys(input)) {
    if (!KNOWN_TOP.has(k)) throw new ProxyConfigError(k, `unknown field; expected one of ${[...KNOWN_TOP].join(', ')}`);
  }

  const listenIn = input.listen === undefined ? {} : input.listen;
  if (!isRecord(listenIn)) throw new ProxyConfigError('listen', 'expected {host, port}');
  const hostValue = env[ENV.host] ?? listenIn.host ?? '127.0.0.1';
  if (typeof hostValue !== 'string' || hostValue === '') throw new ProxyConfigError('listen.host', 'expected a string');
  const port = integer(env[ENV.port] ?? listenIn.port ?? 8787, env[ENV.port] ? ENV.port : 'listen.port', 0, 65535);

  const publicIn = env[ENV.publicUrl] ?? input.publicUrl ?? null;
  let publicUrl: string | null = null;
  if (publicIn !== null) {
    if (typeof publicIn !== 'string') throw new ProxyConfigError('publicUrl', 'expected a URL string');
    let u: URL;
    try {
      u = new URL(publicIn);
    } catch {
      throw new ProxyConfigError('publicUrl', `"${publicIn}" is not an absolute URL`);
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username) {
      throw new ProxyConfigError('publicUrl', 'expected http(s)://host[:port][/base-path] with no query, fragment or credentials');
    }
    publicUrl = u.origin + u.pathname.replace(/\/+$/, '');
  }

  const originsIn = env[ENV.allowedOrigins] !== undefined ? commaList(env[ENV.allowedOrigins] ?? '') : stringList(input.allowedOrigins, 'allowedOrigins');
  const originsField = env[ENV.allowedOrigins] !== undefined ? ENV.allowedOrigins : 'allowedOrigins';
  const allowedOrigins = originsIn.map((o, i) => origin(o, `${originsField}[${i}]`));

  const requireOrigin = boolean(env[ENV.requireOrigin] ?? input.requireOrigin ?? false, 'requireOrigin');

  const registriesIn = jsonEnv(env, ENV.registries) ?? input.registries;
  const listFrom = (name: keyof typeof ENV & ('timestampAuthorities' | 'ocspResponders' | 'crlDistributionPoints')) =>
    env[ENV[name]] !== undefined ? commaList(env[ENV[name]] ?? '') : input[name];
  const rules: AllowRule[] = [
    ...registryRules(registriesIn, 'registries'),
    ...rulesFor(listFrom('timestampAuthorities'), 'tsa', 'timestampAuthorities'),
    ...rulesFor(listFrom('ocspResponders'), 'ocsp', 'ocspResponders'),
    ...rulesFor(listFrom('crlDistributionPoints'), 'crl', 'crlDistributionPoints')
  ];

  const rangesIn =
    env[ENV.allowAddressRanges] !== undefined
      ? commaList(env[ENV.allowAddressRanges] ?? '')
      : stringList(input.allowAddressRanges, 'allowAddressRanges');
  const allowAddressRanges = rangesIn.map((r, i) => {
    const c = parseCidr(r);
    if (!c) throw new ProxyConfigError(`allowAddressRanges[${i}]`, `"${r}" is not an address range such as 127.0.0.0/8 or ::1/128`);
    return c;
  });

  const limitsIn = input.limits === undefined ? {} : input.limits;
  if (!isRecord(limitsIn)) throw new ProxyConfigError('limits', 'expected an object');
  for (const k of Object.keys(limitsIn)) {
    if (!(k in DEFAULT_LIMITS)) {
      throw new ProxyConfigError(`limits.${k}`, `unknown limit; expected one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
  }
  const limits = { ...DEFAULT_LIMITS } as Record<keyof ProxyLimits, number>;
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ProxyLimits>) {
    const envValue = env[LIMIT_ENV[key]];
    const value = envValue ?? limitsIn[key];
    if (value === undefined) continue;
    const min = key === 'maxRedirects' ? 0 : 1;
    limits[key] = integer(value, envValue !== undefined ? LIMIT_ENV[key] : `limits.${key}`, min, Number.MAX_SAFE_INTEGER);
  }

  return {
    listen: { host: hostValue, port },
    publicUrl,
    allowedOrigins,
    requireOrigin,
    rules,
    allowAddressRanges,
    limits
  };
}
