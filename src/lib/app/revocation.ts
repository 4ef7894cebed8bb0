/**
 * The revocation checker the app verifies with. OCSP responders and CRL distribution points
 * almost never send CORS headers, so a browser can reach them only through the Signet proxy: with
 * a proxy configured, the online checker (OCSP, then CRL, notation's order and timeouts) fetches
 * through it; without one, the offline checker answers "unknown" for certificates that name
 * responders, which is what notation reports when none can be reached.
 */
import { createProxiedFetch } from '../../../cors-proxy/src/client-url';
import { SignetError } from '../errors';
import { createRevocationChecker } from '../notary/revocation/checker';
import { offlineRevocationChecker } from '../notary/revocation/offline';
import type { RevocationChecker, RevocationFetcher } from '../notary/revocation/types';
import { readBodyCapped, type FetchLike } from '../registry/http';
import type { ProxySettings } from './settings';

/** A RevocationFetcher over a fetch (the proxied one in the app). */
export function fetchRevocationFetcher(fetchFn: FetchLike): RevocationFetcher {
  return async (request) => {
    const init: RequestInit = { method: request.method, signal: AbortSignal.timeout(request.timeoutMs), credentials: 'omit', cache: 'no-store' };
    if (request.body) {
      init.body = request.body as unknown as BodyInit;
      init.headers = { 'Content-Type': request.contentType ?? 'application/octet-stream' };
    }
    const response = await fetchFn(request.url, init);
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, body: new Uint8Array(0) };
    }
    try {
      return { status: response.status, body: await readBodyCapped(response, request.maxBytes, 'strict', `revocation response from ${request.url}`) };
    } catch (e) {
      throw new SignetError('ERR_REVOCATION_FETCH', `reading ${request.url} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  };
}

export interface AppRevocation {
  readonly checker: RevocationChecker;
  /** `online (through the proxy at …)` or `offline`, for the page to say how revocation was checked. */
  readonly mode: 'online' | 'offline';
  readonly description: string;
}

/** Online through the proxy when one is configured (any scope but off), else offline. */
export function appRevocationChecker(proxy: ProxySettings | null, baseFetch?: FetchLike): AppRevocation {
  if (!proxy?.url || proxy.scope === 'off') {
    return {
      checker: offlineRevocationChecker,
      mode: 'offline',
      description: 'offline: certificates that name OCSP responders or CRLs get the status "unknown" (enable the proxy in Settings to check them)'
    };
  }
  const base: FetchLike = baseFetch ?? ((input, init) => fetch(input, init));
  return {
    checker: createRevocationChecker({ fetcher: fetchRevocationFetcher(createProxiedFetch(proxy.url, base)) }),
    mode: 'online',
    description: `online, through the proxy at ${proxy.url} (OCSP, then CRL)`
  };
}
