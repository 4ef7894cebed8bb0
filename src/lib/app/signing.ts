/**
 * The signing side of the web app, framework-free: notation's `-m key=value` metadata from form
 * rows, the `--expiry` duration, the TSA exchange (through the CORS proxy when one is set: TSAs
 * send no CORS headers, and an https page cannot POST to a plain-http TSA), and the progress of a
 * sign-and-push told step by step — sign, timestamp, upload the envelope, upload the config, push
 * the signature manifest, update the referrers index — from the HTTP exchanges the registry
 * layer reports, so a failure names the step it happened in.
 */
import { createProxiedFetch } from '../../../cors-proxy/src/client-url';
import { SignetError } from '../errors';
import { EMPTY_JSON } from '../oci/media-types';
import type { FetchLike, HttpExchange } from '../registry/http';
import { readBodyCapped } from '../registry/http';
import { now, publishStep, type ProgressStep } from './progress';
import type { ProxySettings } from './settings';

/** Signet's version as the signing agent names it (kept equal to package.json by a test). */
export const SIGNET_VERSION = '0.1.0';
/** The signing agent written into signatures the web app makes. */
export const WEB_SIGNING_AGENT = `Signet/${SIGNET_VERSION}`;

export const MAX_METADATA_ROWS = 64;
const MAX_METADATA_TEXT = 4096;
/** TimeStampResp bodies are small; notation caps them too. */
export const MAX_TIMESTAMP_RESPONSE_BYTES = 1024 * 1024;

export interface MetadataRow {
  key: string;
  value: string;
}

/**
 * `-m key=value` pairs from form rows (rows with an empty key and value are skipped). Throws
 * ERR_INPUT_INVALID naming the row: an empty key, a key given twice, text too long. Reserved
 * `io.cncf.notary` keys are refused by the payload code with notation's reason.
 */
export function metadataFromRows(rows: readonly MetadataRow[]): Record<string, string> {
  if (rows.length > MAX_METADATA_ROWS) throw new SignetError('ERR_INPUT_INVALID', `user metadata: at most ${MAX_METADATA_ROWS} entries`);
  const out: Record<string, string> = {};
  rows.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '' && row.value === '') return;
    if (key === '') throw new SignetError('ERR_INPUT_INVALID', `user metadata row ${i + 1}: the key is empty; enter a key such as io.example.build`);
    if (key.length > MAX_METADATA_TEXT || row.value.length > MAX_METADATA_TEXT) {
      throw new SignetError('ERR_INPUT_INVALID', `user metadata row ${i + 1}: keys and values are limited to ${MAX_METADATA_TEXT} characters`);
    }
    if (Object.hasOwn(out, key)) throw new SignetError('ERR_INPUT_INVALID', `user metadata row ${i + 1}: the key "${key}" is given twice`);
    out[key] = row.value;
  });
  return out;
}

/** The fetch a TSA is reached with: through the proxy when one is set (any scope but off), else direct. */
export function timestampFetch(proxy: ProxySettings | null, base: FetchLike = (input, init) => fetch(input, init)): { fetch: FetchLike; via: 'proxy' | 'direct' } {
  if (proxy?.url && proxy.scope !== 'off') return { fetch: createProxiedFetch(proxy.url, base), via: 'proxy' };
  return { fetch: base, via: 'direct' };
}

/**
 * A Timestamper (notary/timestamp/request.ts) that POSTs the DER TimeStampReq to `tsaUrl` as RFC
 * 3161 §3.4 describes and returns the TimeStampResp body (capped). Rejects with ERR_SIGN_FAILED
 * naming the TSA for any HTTP problem.
 */
export function createTimestamper(tsaUrl: string, proxy: ProxySettings | null, base?: FetchLike): (request: Uint8Array) => Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(tsaUrl.trim());
  } catch {
    throw new SignetError('ERR_INPUT_INVALID', `timestamp URL: "${tsaUrl.slice(0, 200)}" is not an absolute URL; expected e.g. http://timestamp.example/tsa`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SignetError('ERR_INPUT_INVALID', `timestamp URL: expected http or https, got "${url.protocol}"`);
  const { fetch: send, via } = timestampFetch(proxy, base);
  return async (request) => {
    let response: Response;
    try {
      response = await send(url.href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
        body: request as unknown as BodyInit,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(15_000)
      });
    } catch (cause) {
      const hint = via === 'direct' ? ' (timestamp authorities send no CORS headers: set the CORS proxy in Settings, and allow this TSA in its configuration)' : ' through the proxy';
      throw new SignetError('ERR_SIGN_FAILED', `the timestamp authority ${url.href} could not be reached${hint}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const hint = via === 'proxy' && response.status === 403 ? '; the proxy may not allow this TSA (timestampAuthorities in its configuration)' : '';
      throw new SignetError('ERR_SIGN_FAILED', `the timestamp authority ${url.href} answered HTTP ${response.status}${hint}`);
    }
    return readBodyCapped(response, MAX_TIMESTAMP_RESPONSE_BYTES, 'strict', `the reply of the timestamp authority ${url.href}`);
  };
}

/** The push steps a registry exchange belongs to. */
export type PushStepKind = 'envelope' | 'config' | 'manifest' | 'index';

const DIGEST_IN_URL = /(?:\/blobs\/|[?&]digest=)(sha256(?::|%3A)[0-9a-f]{64})/i;

/**
 * Which push step an exchange is part of, or undefined for ones that belong to whatever step is
 * running (token requests, upload sessions). A blob's HEAD check comes first and names its digest.
 */
export function pushStepOf(exchange: Pick<HttpExchange, 'method' | 'url'>): PushStepKind | undefined {
  let path: string;
  try {
    const u = new URL(exchange.url);
    path = u.pathname + u.search;
  } catch {
    return undefined;
  }
  if (!path.startsWith('/v2/') && !/\/x\/https?\/[^/]+\/v2\//.test(path)) return undefined;
  const digest = DIGEST_IN_URL.exec(path)?.[1]?.replace(/%3A/i, ':');
  if (digest) return digest === EMPTY_JSON.digest ? 'config' : 'envelope';
  if (/\/referrers\/sha256:/.test(path) || /\/manifests\/sha256-[0-9a-f]{64}/.test(path)) return 'index';
  if (/\/manifests\/sha256:/.test(path) && exchange.method === 'PUT') return 'manifest';
  return undefined;
}

const PUSH_LABELS: Record<PushStepKind, string> = {
  envelope: 'Upload the signature envelope',
  config: 'Upload the empty config blob',
  manifest: 'Push the signature manifest',
  index: 'Update the referrers index'
};

/**
 * Steps of one signing run, in the ProgressStep shape the progress list renders. `begin` ends the
 * running step (done) and starts the next; `exchange` counts requests and starts push steps as
 * their requests appear; `fail` marks the running step failed with the reason.
 */
export class SigningSteps {
  private steps: ProgressStep[] = [];
  private next = 1;
  private current: { id: number; kind: string; started: number } | null = null;
  /** The latest step of each kind, for outcome lines set after the fact. */
  private readonly byKind = new Map<string, number>();

  constructor(private readonly listener: (steps: readonly ProgressStep[]) => void = () => undefined) {}

  snapshot(): readonly ProgressStep[] {
    return this.steps;
  }

  /** The label of the step running now (or the one that failed). */
  get currentLabel(): string | undefined {
    return this.current ? this.steps.find((s) => s.id === this.current!.id)?.label : undefined;
  }

  begin(kind: string, label: string): void {
    if (this.current?.kind === kind && this.steps.find((s) => s.id === this.current!.id)?.state === 'running') return;
    this.end('done');
    const id = this.next++;
    this.current = { id, kind, started: now() };
    this.byKind.set(kind, id);
    this.set({ id, label, state: 'running', requests: 0, cacheHits: 0 });
  }

  /** True when a step of `kind` was started. */
  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  /** Sets the outcome line of the latest step of `kind`. */
  describe(kind: string, detail: string): void {
    const id = this.byKind.get(kind);
    const step = this.steps.find((s) => s.id === id);
    if (step) this.set({ ...step, detail });
  }

  exchange(e: HttpExchange): void {
    const kind = pushStepOf(e);
    if (kind) this.begin(kind, PUSH_LABELS[kind]);
    const running = this.current ? this.steps.find((s) => s.id === this.current!.id && s.state === 'running') : undefined;
    if (running) this.set({ ...running, requests: running.requests + 1, cacheHits: running.cacheHits + (e.fromCache ? 1 : 0) });
  }

  finish(): void {
    this.end('done');
  }

  fail(reason: string): void {
    this.end('failed', reason);
  }

  private end(state: 'done' | 'failed', detail?: string): void {
    if (!this.current) return;
    const step = this.steps.find((s) => s.id === this.current!.id);
    if (step && step.state === 'running') this.set({ ...step, state, ...(detail !== undefined ? { detail } : {}), durationMs: Math.round(now() - this.current.started) });
    if (state === 'done') this.current = null;
  }

  private set(step: ProgressStep): void {
    this.steps = publishStep(this.steps, step, this.listener);
  }
}

/** How the new signature was indexed, for people. */
export function describeIndexing(indexedBy: 'registry' | 'tag-index' | 'registry+tag-index' | 'none'): string {
  switch (indexedBy) {
    case 'registry':
      return 'the registry indexed it (Referrers API)';
    case 'tag-index':
      return 'added to the referrers tag index (the registry has no Referrers API)';
    case 'registry+tag-index':
      return 'indexed by the registry and added to the referrers tag index';
    default:
      return 'not indexed';
  }
}
