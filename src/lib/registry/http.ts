/**
 * The one place that talks HTTP: every request goes through an injected `fetch` (browser, Node, or
 * a proxy-wrapping fetch), every body is read with a byte cap, and every exchange can be reported
 * to an observer with credentials redacted. No auth and no registry semantics here.
 */
import { SignetError } from '../errors';

/** The subset of `fetch` the registry layer needs; `globalThis.fetch` satisfies it. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Bodies are byte arrays so a request can be replayed after an auth challenge. */
  body?: Uint8Array;
  /** Largest success body accepted; larger ones end in ERR_INPUT_TOO_LARGE before being buffered. */
  maxBytes: number;
  /** Names the thing being fetched in error messages ("manifest latest of localhost:5000/app"). */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body (for errors: at most ERROR_BODY_LIMIT bytes of it). Empty for HEAD. */
  body: Uint8Array;
  /** The final URL after redirects; relative `Link`/`Location` values resolve against it. */
  url: string;
}

/** One HTTP request as seen from the outside, for a "behind the scenes" view. */
export interface HttpExchange {
  method: string;
  url: string;
  /** 0 when the request never got an answer (network error). */
  status: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  /** Bytes of body read (HEAD: 0). */
  responseBytes: number;
  durationMs: number;
  fromCache: boolean;
  /** Set when the request failed before a response arrived. */
  error?: string;
}

export type ExchangeObserver = (exchange: HttpExchange) => void;

/** Error bodies are only read for their message; more than this is cut off. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** The headers an exchange record keeps (the ones that explain a registry conversation). */
export const REQUEST_HEADERS_SHOWN: readonly string[] = ['accept', 'content-type', 'content-length', 'content-range', 'authorization'];
export const RESPONSE_HEADERS_SHOWN: readonly string[] = [
  'content-type',
  'content-length',
  'docker-content-digest',
  'www-authenticate',
  'link',
  'oci-subject',
  'oci-filters-applied',
  'location',
  'range',
  'retry-after',
  'docker-upload-uuid'
];
// Query parameters that can carry secrets (pre-signed blob URLs, tokens).
const SECRET_QUERY = /sig|signature|token|key|credential|secret|password|auth/i;

/** The URL with secret-looking query values replaced, safe to show or log. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) {
      parsed.searchParams.set(key, '‹redacted›');
      changed = true;
    }
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
    changed = true;
  }
  return changed ? parsed.toString() : url;
}

function pickHeaders(source: Headers | Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const get =
    source instanceof Headers
      ? (n: string) => source.get(n)
      : (n: string) => {
          for (const [k, v] of Object.entries(source)) if (k.toLowerCase() === n) return v;
          return null;
        };
  for (const name of names) {
    const value = get(name);
    if (value === null) continue;
    // Only the scheme of a credential is shown; the secret never leaves this function.
    out[name] = name === 'authorization' ? `${value.split(' ')[0] ?? ''} ‹redacted›` : value;
  }
  return out;
}

/**
 * Reads a body with a cap. `strict` refuses (ERR_INPUT_TOO_LARGE) when the body is larger than
 * `maxBytes`, checking Content-Length first so nothing is downloaded; `truncate` keeps the first
 * `maxBytes` and drops the rest (used for error bodies, which are only read for their message).
 */
export async function readBodyCapped(
  response: Response,
  maxBytes: number,
  mode: 'strict' | 'truncate',
  what: string
): Promise<Uint8Array> {
  const declared = response.headers.get('content-length');
  if (mode === 'strict' && declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new SignetError(
      'ERR_INPUT_TOO_LARGE',
      `${what} is ${declared} bytes according to the registry; the limit is ${maxBytes} bytes, so it was not downloaded`
    );
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      if (mode === 'strict') {
        throw new SignetError(
          'ERR_INPUT_TOO_LARGE',
          `${what} is larger than the limit of ${maxBytes} bytes; download stopped`
        );
      }
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Sends requests through the injected fetch, reads capped bodies, reports exchanges. */
export class Transport {
  private readonly fetchFn: FetchLike;
  private readonly observer: ExchangeObserver | undefined;
  private readonly timeoutMs: number;

  constructor(fetchFn: FetchLike, observer?: ExchangeObserver, timeoutMs = 120_000) {
    this.fetchFn = fetchFn;
    this.observer = observer;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Sends one request. Resolves with any HTTP status (the caller decides what is an error);
   * rejects with ERR_REGISTRY_UNREACHABLE when no response arrived, or ERR_INPUT_TOO_LARGE.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const started = now();
    const headers = request.headers ?? {};
    let response: Response;
    try {
      const init: RequestInit = {
        method: request.method,
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs)
      };
      if (request.body !== undefined) init.body = request.body as unknown as BodyInit;
      response = await this.fetchFn(request.url, init);
    } catch (cause) {
      const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      this.report({
        method: request.method,
        url: redactUrl(request.url),
        status: 0,
        requestHeaders: pickHeaders(headers, REQUEST_HEADERS_SHOWN),
        responseHeaders: {},
        responseBytes: 0,
        durationMs: now() - started,
        fromCache: false,
        error: detail
      });
      const origin = safeOrigin(request.url);
      throw new SignetError(
        'ERR_REGISTRY_UNREACHABLE',
        `Could not reach ${origin} while requesting ${request.what} (${detail}). Check the registry address and that it is running. ` +
          'In a browser this is also how a CORS refusal looks: registries that do not allow this origin must be reached through the Signet proxy.',
        { cause }
      );
    }
    const ok = response.status >= 200 && response.status < 300;
    let body: Uint8Array;
    try {
      body =
        request.method === 'HEAD'
          ? new Uint8Array(0)
          : ok
            ? await readBodyCapped(response, request.maxBytes, 'strict', request.what)
            : await readBodyCapped(response, ERROR_BODY_LIMIT, 'truncate', `error body for ${request.what}`);
    } catch (e) {
      this.reportResponse(request, response, 0, started, e);
      if (e instanceof SignetError) throw e;
      throw new SignetError('ERR_REGISTRY_UNREACHABLE', `The connection broke while reading ${request.what}`, { cause: e });
    }
    if (request.method === 'HEAD') await response.body?.cancel().catch(() => undefined);
    this.reportResponse(request, response, body.length, started);
    return { status: response.status, headers: response.headers, body, url: response.url || request.url };
  }

  /** Reports content served from the local digest cache, so the exchange log stays complete. */
  reportCacheHit(method: string, url: string, bytes: number): void {
    this.report({
      method,
      url: redactUrl(url),
      status: 200,
      requestHeaders: {},
      responseHeaders: {},
      responseBytes: bytes,
      durationMs: 0,
      fromCache: true
    });
  }

  private reportResponse(request: HttpRequest, response: Response, bytes: number, started: number, error?: unknown): void {
    const exchange: HttpExchange = {
      method: request.method,
      url: redactUrl(request.url),
      status: response.status,
      requestHeaders: pickHeaders(request.headers ?? {}, REQUEST_HEADERS_SHOWN),
      responseHeaders: pickHeaders(response.headers, RESPONSE_HEADERS_SHOWN),
      responseBytes: bytes,
      durationMs: now() - started,
      fromCache: false
    };
    if (error !== undefined) exchange.error = error instanceof Error ? error.message : String(error);
    this.report(exchange);
  }

  private report(exchange: HttpExchange): void {
    if (!this.observer) return;
    try {
      this.observer(exchange);
    } catch {
      // An observer is a viewer; its failure must not change what the registry layer does.
    }
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the registry';
  }
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), resolved against `baseUrl`. Returns
 * undefined when there is no next link. Throws ERR_REGISTRY_RESPONSE_INVALID for a malformed one,
 * and refuses links to another origin (credentials for this registry must not follow them).
 */
export function parseNextLink(header: string | null, baseUrl: string): string | undefined {
  if (header === null || header.trim() === '') return undefined;
  let rest = header.trim();
  while (rest.length > 0) {
    if (!rest.startsWith('<')) {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `Link header ${JSON.stringify(header)} must start with "<url>"`);
    }
    const close = rest.indexOf('>');
    if (close < 0) {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `Link header ${JSON.stringify(header)} is missing ">"`);
    }
    const target = rest.slice(1, close);
    rest = rest.slice(close + 1);
    // Parameters run to the next top-level comma (commas inside quotes do not count).
    let params = '';
    let inQuotes = false;
    let i = 0;
    for (; i < rest.length; i++) {
      const c = rest[i];
      if (c === '"') inQuotes = !inQuotes;
      if (c === ',' && !inQuotes) break;
      params += c;
    }
    rest = rest.slice(i + 1).trim();
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!rels.includes('next')) continue;
    let resolved: URL;
    try {
      resolved = new URL(target, baseUrl);
    } catch (cause) {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `Link header target ${JSON.stringify(target)} is not a URL`, { cause });
    }
    if (resolved.origin !== new URL(baseUrl).origin) {
      throw new SignetError(
        'ERR_REGISTRY_RESPONSE_INVALID',
        `Link header points to another origin (${resolved.origin}); refusing to follow it from ${new URL(baseUrl).origin}`
      );
    }
    return resolved.toString();
  }
  return undefined;
}

/** The media type of a Content-Type value, without parameters, lowercased. */
export function mediaTypeOf(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  const base = contentType.split(';')[0]?.trim().toLowerCase();
  return base === '' ? undefined : base;
}
