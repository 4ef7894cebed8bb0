/**
 * A RevocationFetcher for Node tests, on the global fetch: timeout through AbortSignal, body read
 * in chunks and refused past `maxBytes`, redirects followed (as Go's http.Client does). It only
 * talks to loopback hosts: the tests' responders live there and nothing else may be contacted.
 */
import { toArrayBuffer } from '../../src/lib/bytes';
import type { RevocationFetchRequest, RevocationFetcher } from '../../src/lib/notary/revocation/types';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface LoggedFetch {
  request: RevocationFetchRequest;
  status?: number;
  error?: string;
  ms: number;
}

export function nodeRevocationFetcher(log: LoggedFetch[] = []): RevocationFetcher & { log: LoggedFetch[] } {
  const fetcher = (async (request: RevocationFetchRequest) => {
    const started = performance.now();
    const entry: LoggedFetch = { request, ms: 0 };
    log.push(entry);
    try {
      const url = new URL(request.url);
      if (!LOOPBACK.has(url.hostname)) throw new Error(`refusing to contact ${url.hostname}: tests only reach loopback responders`);
      const response = await fetch(url, {
        method: request.method,
        ...(request.body ? { body: toArrayBuffer(request.body) } : {}),
        ...(request.contentType ? { headers: { 'Content-Type': request.contentType } } : {}),
        signal: AbortSignal.timeout(request.timeoutMs),
        redirect: 'follow'
      });
      const chunks: Uint8Array[] = [];
      let size = 0;
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.length;
          if (size > request.maxBytes) {
            await reader.cancel();
            throw new Error(`response body exceeds ${request.maxBytes} bytes`);
          }
          chunks.push(value);
        }
      }
      const body = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
      entry.status = response.status;
      return { status: response.status, body };
    } catch (e) {
      entry.error = (e as Error).message;
      throw e;
    } finally {
      entry.ms = performance.now() - started;
    }
  }) as RevocationFetcher & { log: LoggedFetch[] };
  fetcher.log = log;
  return fetcher;
}
