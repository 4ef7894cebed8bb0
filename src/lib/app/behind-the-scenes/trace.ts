/**
 * The trace of a flow: every HTTP exchange the registry client reported (`onExchange`), in the
 * order the requests were made, with timing, cache hits, the flow step each one served and what
 * the request does on the Distribution API — exportable as a HAR-like JSON file. Framework-free:
 * the "behind the scenes" panel is a view over `TraceRecorder`.
 *
 * Exchanges arrive already redacted by the transport (src/lib/registry/http.ts); `sanitizeExchange`
 * redacts again on the way in, so no Authorization, cookie, token or password value can reach
 * the trace or an export even if a future caller records exchanges from elsewhere.
 */
import { REQUEST_HEADERS_SHOWN, RESPONSE_HEADERS_SHOWN, redactUrl, type ExchangeObserver, type HttpExchange } from '../../registry/http';
import type { ProgressStep } from '../progress';

/** One recorded request. */
export interface TraceEntry {
  /** Position in recording order, from 1. */
  readonly seq: number;
  /** When the request was sent (ms since the epoch, estimated as "recorded at" − duration). */
  readonly startedAt: number;
  readonly exchange: HttpExchange;
  /** The step or check of the flow the request served ("Resolve tag …", "Fetch and verify signatures"). */
  readonly step?: string;
  /** What the request does on the Distribution API ("list referrers of sha256:…"). */
  readonly purpose: string;
}

export type TraceListener = (entries: readonly TraceEntry[]) => void;

export interface TraceRecorderOptions {
  /** Wall clock in ms with sub-ms precision; default performance.timeOrigin + performance.now(). */
  now?: () => number;
  /** Oldest entries are dropped beyond this (default 2000). */
  maxEntries?: number;
  /** The step a flow is running when a request completes (used when no `step()` is active). */
  stepOf?: () => string | undefined;
}

const SHOWN_REQUEST_HEADERS = new Set(REQUEST_HEADERS_SHOWN);
const SHOWN_RESPONSE_HEADERS = new Set(RESPONSE_HEADERS_SHOWN);
/** Response headers whose value is a URL (redacted like request URLs). */
const URL_HEADERS = new Set(['location', 'link']);
const REDACTED = '‹redacted›';
// A JSON Web Token or an OAuth token-looking value anywhere in free text (error messages).
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER_OR_BASIC = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/gi;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/g;

/** The scheme word of an Authorization value, never its credential. */
function authorizationScheme(value: string): string {
  const scheme = /^\s*([A-Za-z][A-Za-z0-9-]*)/.exec(value)?.[1];
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** Free text with URLs, JWTs and credentials after Basic/Bearer redacted. */
export function redactText(text: string): string {
  return text
    .replace(URL_IN_TEXT, (u) => redactUrl(u))
    .replace(JWT, REDACTED)
    .replace(BEARER_OR_BASIC, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/** redactUrl for absolute and relative URLs (Link and Location values may be relative). */
function redactAnyUrl(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return redactUrl(value);
  const base = 'http://relative.invalid';
  let parsed: URL;
  try {
    parsed = new URL(value, base);
  } catch {
    return value;
  }
  const redacted = redactUrl(parsed.toString());
  return redacted === parsed.toString() ? value : redacted.slice(base.length);
}

function redactLink(value: string): string {
  // Link: <url>; rel="next" — redact the URL inside the angle brackets.
  return value.replace(/<([^>]*)>/g, (_m, u: string) => `<${redactAnyUrl(u)}>`);
}

/**
 * A copy of `exchange` safe to show, store and export: only the headers that matter (Accept,
 * Content-Type, Docker-Content-Digest, WWW-Authenticate, Link, OCI-Subject, OCI-Filters-Applied…),
 * Authorization reduced to its scheme, cookies dropped, secret-looking query values and user info
 * removed from every URL, tokens removed from error text.
 */
export function sanitizeExchange(exchange: HttpExchange): HttpExchange {
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(exchange.requestHeaders ?? {})) {
    const key = name.toLowerCase();
    if (!SHOWN_REQUEST_HEADERS.has(key)) continue;
    requestHeaders[key] = key === 'authorization' ? authorizationScheme(String(value)) : String(value);
  }
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(exchange.responseHeaders ?? {})) {
    const key = name.toLowerCase();
    if (!SHOWN_RESPONSE_HEADERS.has(key)) continue;
    const text = String(value);
    responseHeaders[key] = URL_HEADERS.has(key) ? (key === 'link' ? redactLink(text) : redactAnyUrl(text)) : key === 'www-authenticate' ? text.replace(JWT, REDACTED) : text;
  }
  const out: HttpExchange = {
    method: String(exchange.method).toUpperCase(),
    url: redactUrl(String(exchange.url)),
    status: Number.isInteger(exchange.status) ? exchange.status : 0,
    requestHeaders,
    responseHeaders,
    responseBytes: Number.isFinite(exchange.responseBytes) ? exchange.responseBytes : 0,
    durationMs: Number.isFinite(exchange.durationMs) && exchange.durationMs >= 0 ? exchange.durationMs : 0,
    fromCache: exchange.fromCache === true
  };
  if (exchange.error !== undefined) out.error = redactText(String(exchange.error));
  return out;
}

function shortDigest(digest: string): string {
  const [alg, hex] = digest.split(':');
  return hex !== undefined && hex.length > 12 ? `${alg}:${hex.slice(0, 12)}…` : digest;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const REFERRERS_TAG = /^(sha256|sha384|sha512)-[a-f0-9]{32,128}$/;

/**
 * What a request does, from its method and URL on the Distribution API
 * (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints):
 * "resolve tag v1", "fetch manifest sha256:…", "list referrers of sha256:…", "read the referrers
 * tag index sha256-…", "list tags", "upload blob sha256:…", "push manifest …", "request a token".
 */
export function describeRequest(method: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${method} ${url}`;
  }
  const path = parsed.pathname;
  if (path === '/v2/' || path === '/v2') return 'check the registry API (/v2/)';
  const m = /^\/v2\/(.+)\/(manifests|blobs|referrers|tags)\/(.*)$/.exec(path);
  if (!m) {
    if (parsed.searchParams.has('service') || parsed.searchParams.has('scope') || /token|oauth|auth/i.test(path)) return 'request a token';
    return `${method} ${parsed.host}${path}`;
  }
  const [, , area, rest] = m as unknown as [string, string, string, string];
  const ref = decodeURIComponent(rest);
  switch (area) {
    case 'manifests': {
      const isDigest = DIGEST.test(ref);
      const label = REFERRERS_TAG.test(ref) ? `the referrers tag index ${ref.slice(0, 19)}…` : isDigest ? `manifest ${shortDigest(ref)}` : `tag ${ref}`;
      if (method === 'HEAD') return isDigest ? `check ${label}` : `resolve ${label}`;
      if (method === 'GET') return REFERRERS_TAG.test(ref) ? `read ${label}` : isDigest ? `fetch ${label}` : `fetch the manifest of ${label}`;
      if (method === 'PUT') return `push ${isDigest ? label : `a manifest as ${label}`}`;
      if (method === 'DELETE') return `delete ${label}`;
      return `${method} ${label}`;
    }
    case 'blobs': {
      if (ref.startsWith('uploads')) {
        const digest = parsed.searchParams.get('digest');
        if (method === 'POST') return 'start a blob upload';
        if (method === 'PATCH') return 'upload a blob chunk';
        if (method === 'PUT') return `finish the upload of blob ${digest ? shortDigest(digest) : ''}`.trim();
        return `${method} blob upload`;
      }
      if (method === 'HEAD') return `check blob ${shortDigest(ref)} exists`;
      if (method === 'GET') return `fetch blob ${shortDigest(ref)}`;
      return `${method} blob ${shortDigest(ref)}`;
    }
    case 'referrers': {
      const type = parsed.searchParams.get('artifactType');
      return `list referrers of ${shortDigest(ref)}${type ? ` (artifactType ${type})` : ''}`;
    }
    default:
      return 'list tags';
  }
}

/** The step a flow's ProgressTracker is running (the most recent one still running), for `stepOf`. */
export function runningStepLabel(steps: readonly ProgressStep[]): string | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.state === 'running') return steps[i]!.label;
  return undefined;
}

function defaultNow(): number {
  if (typeof performance !== 'undefined' && typeof performance.timeOrigin === 'number') return performance.timeOrigin + performance.now();
  return Date.now();
}

/**
 * Collects exchanges in order. Pass `recorder.observe` as (or next to) the registry client's
 * `onExchange`; wrap work in `step(label, fn)` to tie its requests to a step, or give `stepOf` to
 * follow a flow's own progress. Steps nest like a stack: when several run at once, a request is
 * attributed to the most recent one (as ProgressTracker does).
 */
export class TraceRecorder {
  /** Bound observer for RegistryClientOptions.onExchange / appState.observe. */
  readonly observe: ExchangeObserver;
  private list: TraceEntry[] = [];
  private seq = 0;
  private readonly stack: string[] = [];
  private readonly listeners = new Set<TraceListener>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly stepOf: (() => string | undefined) | undefined;

  constructor(options: TraceRecorderOptions = {}) {
    this.now = options.now ?? defaultNow;
    this.maxEntries = Math.max(1, options.maxEntries ?? 2000);
    this.stepOf = options.stepOf;
    this.observe = (exchange) => this.record(exchange);
  }

  /** Entries in the order the requests were made. */
  get entries(): readonly TraceEntry[] {
    return this.list;
  }

  /** The step requests are attributed to right now. */
  currentStep(): string | undefined {
    const own = this.stack[this.stack.length - 1];
    if (own !== undefined) return own;
    try {
      return this.stepOf?.();
    } catch {
      return undefined;
    }
  }

  /**
   * Records one exchange (sanitized) against `step`, or the current step. `endedAt` is when it
   * was reported (default now; a caller replaying buffered exchanges passes the time it kept).
   */
  record(exchange: HttpExchange, step: string | undefined = this.currentStep(), endedAt: number = this.now()): TraceEntry {
    const clean = sanitizeExchange(exchange);
    const entry: TraceEntry = {
      seq: ++this.seq,
      startedAt: endedAt - clean.durationMs,
      exchange: clean,
      ...(step !== undefined ? { step } : {}),
      purpose: describeRequest(clean.method, clean.url)
    };
    // Exchanges are reported when they end; keep the list in the order requests were sent.
    const list = [...this.list];
    let i = list.length;
    while (i > 0 && list[i - 1]!.startedAt > entry.startedAt) i--;
    list.splice(i, 0, entry);
    this.list = list.length > this.maxEntries ? list.slice(list.length - this.maxEntries) : list;
    this.emit();
    return entry;
  }

  /** Runs `fn`; requests it makes are attributed to `label`. Same shape as ProgressTracker.run. */
  async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    this.stack.push(label);
    try {
      return await fn();
    } finally {
      const i = this.stack.lastIndexOf(label);
      if (i >= 0) this.stack.splice(i, 1);
    }
  }

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.list = [];
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l(this.list);
      } catch {
        // A listener is a view; it cannot change the recording.
      }
    }
  }
}

// ---- HAR-like export -------------------------------------------------------------------------

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: HarHeader[];
    queryString: HarHeader[];
    cookies: [];
    headersSize: -1;
    bodySize: -1;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarHeader[];
    cookies: [];
    content: { size: number; mimeType: string };
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
  };
  cache: Record<string, unknown>;
  timings: { blocked: -1; dns: -1; connect: -1; ssl: -1; send: number; wait: number; receive: number };
  /** Signet's own fields (HAR allows custom fields that start with "_"). */
  _signet: { seq: number; step: string | null; purpose: string; fromCache: boolean; error: string | null };
}

export interface HarDocument {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    comment: string;
    entries: HarEntry[];
  };
}

function harHeaders(record: Record<string, string>): HarHeader[] {
  return Object.entries(record).map(([name, value]) => ({ name, value }));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The trace as a HAR 1.2-shaped document (http://www.softwareishard.com/blog/har-12-spec/):
 * log.entries with request/response/timings, in request order. No bodies are included; only the
 * headers listed in `sanitizeExchange` appear, and Authorization only as its scheme.
 */
export function traceToHar(entries: readonly TraceEntry[], creator: { name?: string; version?: string } = {}): HarDocument {
  return {
    log: {
      version: '1.2',
      creator: { name: creator.name ?? 'Signet', version: creator.version ?? '0' },
      comment: 'Recorded by Signet. Bodies are not included; credentials and tokens are redacted. Cache hits were served from Signet\'s digest-checked cache and never reached the network.',
      entries: entries.map((e) => {
        const x = sanitizeExchange(e.exchange);
        let queryString: HarHeader[] = [];
        try {
          queryString = [...new URL(x.url).searchParams.entries()].map(([name, value]) => ({ name, value }));
        } catch {
          queryString = [];
        }
        return {
          startedDateTime: new Date(Math.round(e.startedAt)).toISOString(),
          time: round(x.durationMs),
          request: { method: x.method, url: x.url, httpVersion: 'HTTP/1.1', headers: harHeaders(x.requestHeaders), queryString, cookies: [], headersSize: -1, bodySize: -1 },
          response: {
            status: x.status,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            headers: harHeaders(x.responseHeaders),
            cookies: [],
            content: { size: x.responseBytes, mimeType: x.responseHeaders['content-type'] ?? '' },
            redirectURL: x.responseHeaders.location ?? '',
            headersSize: -1,
            bodySize: x.fromCache ? 0 : x.responseBytes
          },
          cache: x.fromCache ? { beforeRequest: { lastAccess: new Date(Math.round(e.startedAt)).toISOString(), eTag: '', hitCount: 1, comment: 'served from the digest cache' } } : {},
          timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: round(x.durationMs), receive: 0 },
          _signet: { seq: e.seq, step: e.step ?? null, purpose: e.purpose, fromCache: x.fromCache, error: x.error ?? null }
        };
      })
    }
  };
}

/** The HAR-like document as pretty JSON text, for a download. */
export function formatHar(entries: readonly TraceEntry[], creator?: { name?: string; version?: string }): string {
  return `${JSON.stringify(traceToHar(entries, creator), null, 2)}\n`;
}
