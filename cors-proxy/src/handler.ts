/**
 * The proxy itself: a fetch-style handler `(Request) => Promise<Response>` built from a validated
 * configuration and two injected ports (resolver, transport). No Node APIs here, so the same code
 * runs behind node:http (src/node.ts) or on an edge runtime.
 *
 * Request path scheme: see client-url.ts. What it guarantees:
 * - only allowlisted targets (policy.ts), with the methods their kind permits;
 * - only addresses the SSRF policy permits (addresses.ts), checked for every hop, and the transport
 *   connects to the checked address (no second resolution);
 * - CORS for the configured Signet origins only; preflights answered here;
 * - Location, Link and Bearer realms rewritten to point back through the proxy;
 * - storage redirects of GET/HEAD followed here, Authorization dropped when a hop changes origin;
 * - bodies streamed both ways with byte caps and idle timeouts, plus header and total deadlines;
 * - a cap on requests in flight per client; Cookie/Set-Cookie stripped; Authorization forwarded
 *   but never logged; one structured log line per request, without secrets.
 */
import { checkAddress, formatIp, parseIp } from './addresses';
import { ProxyUrlError, proxiedUrl, targetFromProxyPath } from './client-url';
import type { ProxyConfig } from './config';
import { ConcurrencyLimiter, StreamLimitError, guardStream, type StreamEnd } from './limits';
import { matchTarget } from './policy';
import { rewriteBearerRealms, rewriteLink, rewriteLocation } from './rewrite';
import { TransportError, type Resolver, type Transport, type UpstreamResponse } from './transport';

export const PROXY_NAME = 'signet-cors-proxy';

/** Response headers a Signet page may read (Access-Control-Expose-Headers). */
export const EXPOSED_HEADERS = [
  'WWW-Authenticate',
  'Docker-Content-Digest',
  'Docker-Distribution-Api-Version',
  'Docker-Upload-UUID',
  'Location',
  'Link',
  'OCI-Subject',
  'OCI-Filters-Applied',
  'OCI-Chunk-Min-Length',
  'Content-Range',
  'Range',
  'ETag',
  'Content-Length',
  'Retry-After',
  'Signet-Proxy-Error',
  'Signet-Proxy-Request-Id'
] as const;

/** Request headers a Signet page may send (Access-Control-Allow-Headers). */
export const ALLOWED_REQUEST_HEADERS = [
  'Authorization',
  'Accept',
  'Content-Type',
  'Content-Range',
  'Range',
  'If-Match',
  'If-None-Match'
] as const;

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

// Forwarded upstream, by name; everything else (Cookie, Origin, Referer, Host, X-Forwarded-*,
// Proxy-*, hop-by-hop headers) is dropped. Content-Length is handled separately.
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-encoding',
  'authorization',
  'content-type',
  'content-range',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since'
];

// Never relayed back: hop-by-hop headers, cookies, the upstream's own CORS and transport policy.
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'set-cookie2',
  'alt-svc',
  'strict-transport-security',
  'public-key-pins',
  'clear-site-data'
]);

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export type LogOutcome = 'ok' | 'refused' | 'aborted' | 'preflight' | 'error';

/** One line per request. Never contains header values, query strings or bodies. */
export interface ProxyLogLine {
  readonly time: string;
  readonly id: string;
  readonly client: string;
  readonly origin: string | null;
  readonly method: string;
  /** scheme://host[:port]/path of the first hop (no query: it may carry signed storage URLs). */
  readonly target: string | null;
  readonly status: number;
  readonly outcome: LogOutcome;
  /** Proxy error code when the proxy refused or cut the exchange. */
  readonly code: string | null;
  readonly upstreamStatus: number | null;
  /** The IP address actually connected to on the last hop. */
  readonly address: string | null;
  readonly redirects: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly durationMs: number;
}

export interface HandlerDeps {
  readonly transport: Transport;
  readonly resolve: Resolver;
  readonly log?: (line: ProxyLogLine) => void;
  /** Milliseconds, for durations. */
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface RequestContext {
  /** The client's address as the server saw it; the key for the per-client concurrency limit. */
  readonly clientAddress?: string;
}

export interface ProxyHandler {
  (request: Request, context?: RequestContext): Promise<Response>;
  /** Requests in flight (for one client, or overall). */
  inFlight(client?: string): number;
}

/** A refusal: an HTTP status, a stable code and a message telling the user what to do. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

class Deadline extends Error {
  constructor(readonly kind: 'headers' | 'total') {
    super(`${kind} deadline passed`);
    this.name = 'Deadline';
  }
}

function targetForLog(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function jsonBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * Creates the handler. `config` must come from parseProxyConfig; the ports decide how names are
 * resolved and how bytes reach the network (src/node-transport.ts for Node).
 */
export function createProxyHandler(config: ProxyConfig, deps: HandlerDeps): ProxyHandler {
  const limits = config.limits;
  const limiter = new ConcurrencyLimiter(limits.maxConcurrentPerClient, limits.maxConcurrentTotal);
  const now = deps.now ?? (() => Date.now());
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const log = deps.log ?? (() => undefined);
  const allowedOrigins = new Set(config.allowedOrigins);
  const basePath = config.publicUrl ? new URL(config.publicUrl).pathname.replace(/\/+$/, '') : '';

  function corsHeaders(origin: string | null): Headers {
    const h = new Headers({ Vary: 'Origin' });
    if (origin !== null && allowedOrigins.has(origin)) {
      h.set('Access-Control-Allow-Origin', origin);
      h.set('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
    }
    return h;
  }

  async function resolveTarget(url: URL, hop: string): Promise<string> {
    const literal = parseIp(url.hostname);
    let candidates: readonly string[];
    if (literal) {
      candidates = [formatIp(literal)];
    } else {
      try {
        candidates = await withTimeout(deps.resolve(url.hostname), limits.connectTimeoutMs);
      } catch {
        candidates = [];
      }
      if (candidates.length === 0) {
        throw new Refusal(502, 'dns_failed', `${hop}could not resolve ${url.hostname}; check the host name, or try again later`);
      }
    }
    let first: string | null = null;
    for (const text of candidates) {
      const ip = parseIp(text);
      if (!ip) throw new Refusal(502, 'dns_failed', `${hop}resolving ${url.hostname} gave an invalid address`);
      const verdict = checkAddress(ip, config.allowAddressRanges);
      if (!verdict.allowed) {
        const how = literal ? `${url.hostname} is` : `${url.hostname} resolves to ${verdict.address}, which is`;
        const embedded = verdict.embeddedIpv4 ? ` (it embeds IPv4 ${verdict.embeddedIpv4})` : '';
        throw new Refusal(
          403,
          'address_not_allowed',
          `${hop}${how} a ${verdict.class} address${embedded} in ${verdict.range}; the proxy does not connect to ${verdict.class} addresses. ` +
            'If this target is meant to be reachable (e.g. a local test registry), the proxy operator can add its range to allowAddressRanges.'
        );
      }
      first ??= verdict.address;
    }
    if (first === null) throw new Refusal(502, 'dns_failed', `${hop}could not resolve ${url.hostname}`);
    return first;
  }

  const handler = async (request: Request, context: RequestContext = {}): Promise<Response> => {
    const started = now();
    const id = newId();
    const client = context.clientAddress ?? 'unknown';
    const origin = request.headers.get('origin');
    const method = request.method.toUpperCase();
    const entry = {
      id,
      client,
      origin,
      method,
      target: null as string | null,
      upstreamStatus: null as number | null,
      address: null as string | null,
      redirects: 0,
      requestBytes: 0
    };
    let logged = false;
    const emit = (status: number, outcome: LogOutcome, code: string | null, responseBytes: number) => {
      if (logged) return;
      logged = true;
      try {
        log({
          time: new Date().toISOString(),
          ...entry,
          status,
          outcome,
          code,
          responseBytes,
          durationMs: Math.round(now() - started)
        });
      } catch {
        // Logging must never break the exchange.
      }
    };
    const refusal = (r: Refusal): Response => {
      const h = corsHeaders(origin);
      h.set('Content-Type', 'application/json');
      h.set('Cache-Control', 'no-store');
      h.set('Signet-Proxy-Error', r.code);
      h.set('Signet-Proxy-Request-Id', id);
      for (const [k, v] of Object.entries(r.headers)) h.set(k, v);
      const body = jsonBody(r.code, r.message);
      h.set('Content-Length', String(new TextEncoder().encode(body).byteLength));
      emit(r.status, r.status >= 500 && r.code === 'internal_error' ? 'error' : 'refused', r.code, body.length);
      return new Response(method === 'HEAD' ? null : body, { status: r.status, headers: h });
    };

    let release: (() => void) | null = null;
    let totalTimer: ReturnType<typeof setTimeout> | undefined;
    let headersTimer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const cleanup = () => {
      clearTimeout(totalTimer);
      clearTimeout(headersTimer);
      release?.();
      release = null;
    };

    try {
      const url = new URL(request.url);
      if (basePath && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        throw new Refusal(404, 'not_found', `this proxy serves paths below ${basePath}/`);
      }
      const path = url.pathname.slice(basePath.length) || '/';

      if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
        return new Response(method === 'HEAD' ? null : JSON.stringify({ status: 'ok' }), {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }
        });
      }

      const originAllowed = origin !== null && allowedOrigins.has(origin);
      if (method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
        if (!originAllowed) {
          throw new Refusal(
            403,
            'origin_not_allowed',
            `origin ${origin ?? '(none)'} may not use this proxy; the operator lists allowed Signet origins in allowedOrigins`
          );
        }
        const h = corsHeaders(origin);
        h.set('Access-Control-Allow-Methods', ALLOWED_METHODS.join(', '));
        h.set('Access-Control-Allow-Headers', ALLOWED_REQUEST_HEADERS.join(', '));
        h.set('Access-Control-Max-Age', '600');
        // Chrome's Private Network Access preflight, for an https page using a proxy on localhost.
        if (request.headers.get('access-control-request-private-network') === 'true') {
          h.set('Access-Control-Allow-Private-Network', 'true');
        }
        emit(204, 'preflight', null, 0);
        return new Response(null, { status: 204, headers: h });
      }

      if (origin !== null && !originAllowed) {
        throw new Refusal(
          403,
          'origin_not_allowed',
          `origin ${origin} may not use this proxy; the operator lists allowed Signet origins in allowedOrigins`
        );
      }
      if (origin === null && config.requireOrigin) {
        throw new Refusal(403, 'origin_required', 'this proxy only serves browsers running Signet (no Origin header was sent)');
      }
      if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
        throw new Refusal(405, 'method_not_allowed', `method ${method} is not supported; use ${ALLOWED_METHODS.join(', ')}`, {
          Allow: ALLOWED_METHODS.join(', ')
        });
      }

      let target: URL | null;
      try {
        target = targetFromProxyPath(path, url.search);
      } catch (e) {
        if (e instanceof ProxyUrlError) throw new Refusal(400, 'bad_target', e.message);
        throw e;
      }
      if (!target) {
        throw new Refusal(
          404,
          'not_found',
          'this is the Signet CORS proxy: request <proxy>/x/<http|https>/<host[:port]>/<path> (see proxiedUrl in cors-proxy/src/client-url.ts)'
        );
      }
      entry.target = targetForLog(target);

      const decision = matchTarget(config.rules, target, method);
      if (!decision.ok) throw new Refusal(403, decision.code, decision.message);

      release = limiter.acquire(client);
      if (!release) {
        throw new Refusal(
          429,
          'too_many_requests',
          `too many requests in flight (at most ${limits.maxConcurrentPerClient} per client); wait for some to finish and retry`,
          { 'Retry-After': '1' }
        );
      }

      // Request body: declared size checked up front, actual size and pace checked while streaming.
      const declared = request.headers.get('content-length');
      let declaredLength: number | null = null;
      if (declared !== null) {
        if (!/^[0-9]{1,15}$/.test(declared.trim())) throw new Refusal(400, 'bad_request', 'Content-Length is not a number');
        declaredLength = Number(declared.trim());
        if (declaredLength > limits.maxRequestBodyBytes) {
          throw new Refusal(
            413,
            'request_too_large',
            `request body of ${declaredLength} bytes exceeds this proxy's limit of ${limits.maxRequestBodyBytes} bytes`
          );
        }
      }
      const bodyAllowed = method !== 'GET' && method !== 'HEAD';
      let requestBodyDone = !bodyAllowed || request.body === null || declaredLength === 0;
      let requestBodyError: unknown = null;
      const startHeadersTimer = () => {
        clearTimeout(headersTimer);
        headersTimer = setTimeout(() => controller.abort(new Deadline('headers')), limits.headersTimeoutMs);
      };
      let body: ReadableStream<Uint8Array> | null = null;
      if (!requestBodyDone && request.body) {
        body = guardStream(request.body, {
          maxBytes: limits.maxRequestBodyBytes,
          idleMs: limits.bodyIdleTimeoutMs,
          what: 'request body',
          onEnd: (end: StreamEnd) => {
            entry.requestBytes = end.bytes;
            if (end.error !== undefined) {
              requestBodyError = end.error;
              controller.abort(end.error);
            } else {
              requestBodyDone = true;
              startHeadersTimer();
            }
          }
        });
      } else if (request.body) {
        await request.body.cancel().catch(() => undefined);
      }
      if (requestBodyDone) startHeadersTimer();
      // Once the response is streaming, the total deadline also ends the exchange here, in case
      // nobody is pulling the body any more (a stalled client) and the guard never notices.
      let streaming: { status: number; bytes: number } | null = null;
      totalTimer = setTimeout(() => {
        controller.abort(new Deadline('total'));
        if (streaming) {
          cleanup();
          emit(streaming.status, 'aborted', 'total_timeout', streaming.bytes);
        }
      }, limits.totalTimeoutMs);

      const headers = new Headers();
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const v = request.headers.get(name);
        if (v !== null) headers.set(name, v);
      }
      headers.set('user-agent', PROXY_NAME);
      if (bodyAllowed) headers.set('content-length', String(body ? declaredLength ?? '' : 0));
      if (headers.get('content-length') === '') headers.delete('content-length');

      // Follow GET/HEAD redirects here (storage back ends); pass others back, rewritten.
      let hopUrl = target;
      let upstream: UpstreamResponse;
      for (;;) {
        const hopNote = entry.redirects > 0 ? `the registry redirected to ${hopUrl.protocol}//${hopUrl.host}: ` : '';
        const address = await resolveTarget(hopUrl, hopNote);
        entry.address = address;
        try {
          const pending = deps.transport({
              url: hopUrl,
              method,
              headers,
              body,
              address,
            connectTimeoutMs: limits.connectTimeoutMs,
            signal: controller.signal
          });
          // A response that arrives after the deadline is nobody's: release its connection.
          pending.then(
            (r) => {
              if (controller.signal.aborted && !streaming) r.body?.cancel().catch(() => undefined);
            },
            () => undefined
          );
          upstream = await raceAbort(pending, controller.signal);
        } catch (e) {
          throw upstreamFailure(e, requestBodyError, controller.signal.reason, requestBodyDone, hopUrl);
        }
        entry.upstreamStatus = upstream.status;
        const location = upstream.headers.get('location');
        if (!REDIRECT_STATUS.has(upstream.status) || (method !== 'GET' && method !== 'HEAD') || location === null) break;
        await upstream.body?.cancel().catch(() => undefined);
        if (entry.redirects >= limits.maxRedirects) {
          throw new Refusal(502, 'too_many_redirects', `the upstream redirected more than ${limits.maxRedirects} times`);
        }
        let next: URL;
        try {
          next = new URL(location, hopUrl);
        } catch {
          throw new Refusal(502, 'bad_redirect', 'the upstream sent an invalid Location header');
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new Refusal(502, 'bad_redirect', `the upstream redirected to a ${next.protocol} URL`);
        }
        if (next.username || next.password) {
          throw new Refusal(502, 'bad_redirect', 'the upstream redirected to a URL with credentials');
        }
        const nextDecision = matchTarget(config.rules, next, method);
        if (!nextDecision.ok) {
          throw new Refusal(
            403,
            'redirect_not_allowed',
            `the upstream redirected to ${next.protocol}//${next.host}, which this proxy may not reach: ${nextDecision.message} ` +
              '(storage back ends go in the registry entry\'s storageHosts)'
          );
        }
        // Credentials belong to the origin they were issued for (as browsers do on redirects).
        if (next.origin !== hopUrl.origin) headers.delete('authorization');
        hopUrl = next;
        entry.redirects++;
      }
      clearTimeout(headersTimer);

      const proxyBase = config.publicUrl ?? url.origin;
      const toProxy = (u: URL) => proxiedUrl(proxyBase, u);
      const out = corsHeaders(origin);
      for (const [name, value] of upstream.headers) {
        if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('access-control-') || name === 'vary') continue;
        if (name === 'location') out.set(name, rewriteLocation(value, hopUrl, toProxy));
        else if (name === 'link') out.append(name, rewriteLink(value, hopUrl, toProxy));
        else if (name === 'www-authenticate') out.append(name, rewriteBearerRealms(value, hopUrl, toProxy));
        else out.append(name, value);
      }
      const upstreamVary = upstream.headers.get('vary');
      if (upstreamVary) out.set('Vary', `${upstreamVary}, Origin`);
      out.set('Signet-Proxy-Request-Id', id);

      const status = upstream.status;
      if (status < 200 || status > 599) {
        await upstream.body?.cancel().catch(() => undefined);
        throw new Refusal(502, 'upstream_protocol_error', `the upstream answered with an invalid status ${status}`);
      }
      if (NULL_BODY_STATUS.has(status) || method === 'HEAD' || upstream.body === null) {
        await upstream.body?.cancel().catch(() => undefined);
        cleanup();
        emit(status, 'ok', null, 0);
        return new Response(null, { status, headers: out });
      }
      const declaredResponse = upstream.headers.get('content-length');
      if (declaredResponse !== null && Number(declaredResponse) > limits.maxResponseBodyBytes) {
        await upstream.body.cancel().catch(() => undefined);
        throw new Refusal(
          502,
          'response_too_large',
          `the upstream response of ${declaredResponse} bytes exceeds this proxy's limit of ${limits.maxResponseBodyBytes} bytes`
        );
      }
      const progress = { status, bytes: 0 };
      streaming = progress;
      const responseBody = guardStream(upstream.body, {
        maxBytes: limits.maxResponseBodyBytes,
        idleMs: limits.bodyIdleTimeoutMs,
        what: 'upstream response body',
        onProgress: (bytes) => {
          progress.bytes = bytes;
        },
        onEnd: (end: StreamEnd) => {
          const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
          cleanup();
          if (end.error === undefined) {
            emit(status, 'ok', null, end.bytes);
          } else {
            emit(status, 'aborted', streamEndCode(end, reason), end.bytes);
          }
        }
      });
      return new Response(responseBody, { status, headers: out });
    } catch (e) {
      cleanup();
      controller.abort();
      if (e instanceof Refusal) return refusal(e);
      return refusal(new Refusal(500, 'internal_error', 'the proxy failed unexpectedly; see its log for this request id'));
    }
  };

  return Object.assign(handler, { inFlight: (client?: string) => limiter.inFlight(client) });
}

function streamEndCode(end: StreamEnd, reason: unknown): string {
  if (end.error instanceof StreamLimitError) {
    return end.error.kind === 'too_large' ? 'response_too_large' : 'response_body_timeout';
  }
  if (reason instanceof Deadline) return 'total_timeout';
  if (end.cancelled) return 'client_cancelled';
  return 'upstream_body_error';
}

function upstreamFailure(e: unknown, bodyError: unknown, abortReason: unknown, bodyDone: boolean, url: URL): Refusal {
  if (e instanceof Refusal) return e;
  if (bodyError instanceof StreamLimitError) {
    return bodyError.kind === 'too_large'
      ? new Refusal(413, 'request_too_large', `${bodyError.message}; send a smaller body`)
      : new Refusal(408, 'request_body_timeout', `${bodyError.message}; the upload was abandoned`);
  }
  if (bodyError !== null) return new Refusal(400, 'request_body_error', 'the request body could not be read');
  const where = `${url.protocol}//${url.host}`;
  if (abortReason instanceof Deadline) {
    if (abortReason.kind === 'total' && !bodyDone) {
      return new Refusal(408, 'request_timeout', 'the request took longer than the proxy allows to arrive');
    }
    return new Refusal(504, 'upstream_timeout', `${where} did not answer in time; try again later`);
  }
  if (e instanceof TransportError) {
    switch (e.code) {
      case 'connect_timeout':
        return new Refusal(504, 'upstream_connect_timeout', `could not connect to ${where} in time; try again later`);
      case 'address_mismatch':
        return new Refusal(502, 'upstream_address_mismatch', `the connection to ${where} did not go to the checked address`);
      case 'tls_failed':
        return new Refusal(502, 'upstream_tls_failed', `TLS with ${where} failed: ${e.message}`);
      case 'connect_failed':
        return new Refusal(502, 'upstream_unreachable', `could not connect to ${where}: ${e.message}`);
      default:
        return new Refusal(502, 'upstream_error', `the exchange with ${where} failed: ${e.message}`);
    }
  }
  return new Refusal(502, 'upstream_error', `the exchange with ${where} failed`);
}

/** Rejects as soon as `signal` aborts, even if the transport ignores the signal. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      }
    );
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    })
  ]).finally(() => clearTimeout(timer));
}
