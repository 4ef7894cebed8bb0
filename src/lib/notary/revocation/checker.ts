/**
 * The online RevocationChecker (spec digest §12.4 step 6 and its "Spec details of the revocation
 * step"; limits §2.4), with notation-core-go's control flow:
 *
 * - every certificate but the last (the root, never checked) is checked concurrently;
 * - OCSP first, when the certificate names responders: the URLs in order; a server that gives
 *   no usable answer (not http, no HTTP 200 within 2 s, malformed, badly signed, expired…) is
 *   recorded and the next one is tried; a verified good / revoked / unknown answer ends the loop;
 * - when OCSP ends "unknown" (unknown status, or no responder usable) and the certificate names
 *   CRL distribution points, the CRL decides; CRLs only: the same without OCSP;
 * - neither → non-revokable (counts as good).
 *
 * CRL distribution points are walked as notation does: each one is downloaded (5 s, < 32 MiB)
 * and checked; the first failure makes the result unknown, a listed serial makes it revoked.
 * Downloaded CRLs are kept per URL (in flight and until their nextUpdate) for the life of the
 * checker, because verifying many signatures of one signer would otherwise fetch the same
 * CRL each time; notation keeps a file cache for the same reason.
 *
 * Beyond notation (which leaves it as a TODO): a delegated OCSP responder certificate without
 * id-pkix-ocsp-nocheck is itself checked against its CRL distribution points, when it names
 * any; a revoked or uncheckable responder makes that server's answer unusable.
 */
import { bytesEqual } from '../../bytes';
import { SignetError, isSignetError } from '../../errors';
import { systemClock, type Clock } from '../ports';
import type { Certificate } from '../x509/certificate';
import { CRL_MAX_BYTES, freshestCrlUrls, hasFreshestCrl, lookupCrl, parseCrl, validateCrlBundle, type Crl, type CrlBundle } from './crl';
import { OCSP_MAX_RESPONSE_BYTES, createOcspRequest, ocspHttpRequest, parseHttpUrl, parseOcspResponse, reasonName, verifyOcspResponse } from './ocsp';
import type {
  CertRevocationResult,
  RevocationCheckOptions,
  RevocationChecker,
  RevocationFetchRequest,
  RevocationFetchResponse,
  RevocationFetcher,
  RevocationServerResult
} from './types';
import { crlUrls, ocspUrls } from './urls';

export interface RevocationCheckerOptions {
  fetcher: RevocationFetcher;
  clock?: Clock;
  /** Per OCSP responder (notation: 2 s). */
  ocspTimeoutMs?: number;
  /** Per CRL download, base and delta each (notation: 5 s). */
  crlTimeoutMs?: number;
  /** Keep downloaded CRLs until their nextUpdate (default true). */
  cacheCrls?: boolean;
}

const MAX_CACHED_CRLS = 32;

/** Calls the fetcher with a hard deadline, so a fetcher that ignores `timeoutMs` cannot hang us. */
async function fetchWithDeadline(fetcher: RevocationFetcher, request: RevocationFetchRequest): Promise<RevocationFetchResponse> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SignetError('ERR_REVOCATION_FETCH', `no answer from ${request.url} within ${(request.timeoutMs / 1000).toFixed(2)} s`)),
      request.timeoutMs
    );
  });
  try {
    const response = await Promise.race([Promise.resolve().then(() => fetcher(request)), deadline]);
    if (!response || typeof response.status !== 'number' || !(response.body instanceof Uint8Array)) {
      throw new SignetError('ERR_REVOCATION_FETCH', `the revocation fetcher returned no usable response for ${request.url}`);
    }
    return response;
  } catch (e) {
    if (isSignetError(e)) throw e;
    throw new SignetError('ERR_REVOCATION_FETCH', `request to ${request.url} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function summarize(results: readonly RevocationServerResult[]): string {
  return results.map((r) => r.detail).join('; ');
}

/**
 * Creates the online revocation checker (spec digest §12.4 step 6). The fetcher carries all
 * HTTP; the clock decides whether responses and CRLs are current (nextUpdate) and whether
 * delegated OCSP responder certificates are valid. The chain passed to the checker must be the
 * validated signing (or TSA) chain, leaf first: each certificate's issuer is the next one.
 */
export function createRevocationChecker(options: RevocationCheckerOptions): RevocationChecker {
  const fetcher = options.fetcher;
  const clock = options.clock ?? systemClock;
  const ocspTimeoutMs = options.ocspTimeoutMs ?? 2000;
  const crlTimeoutMs = options.crlTimeoutMs ?? 5000;
  const crlCache = new Map<string, { bundle: Promise<CrlBundle>; expires?: number }>();

  async function downloadCrl(url: string): Promise<Crl> {
    parseHttpUrl(url, 'CRL');
    const response = await fetchWithDeadline(fetcher, { method: 'GET', url, timeoutMs: crlTimeoutMs, maxBytes: CRL_MAX_BYTES });
    if (response.status !== 200) throw new SignetError('ERR_REVOCATION_FETCH', `failed to download the CRL from ${url}: HTTP status ${response.status}`);
    if (response.body.length >= CRL_MAX_BYTES) throw new SignetError('ERR_REVOCATION_FETCH', `the CRL from ${url} exceeds the ${CRL_MAX_BYTES}-byte limit`);
    return parseCrl(response.body, `CRL from ${url}`);
  }

  /** notation's HTTPFetcher.fetch: the base CRL, then a delta from its Freshest CRL URLs, if any. */
  async function downloadBundle(url: string): Promise<CrlBundle> {
    const base = await downloadCrl(url);
    const deltaUrls = freshestCrlUrls(base.extensions, `CRL from ${url}`);
    if (!deltaUrls || deltaUrls.length === 0) return { base };
    let last: unknown;
    for (const deltaUrl of deltaUrls) {
      try {
        return { base, delta: await downloadCrl(deltaUrl) };
      } catch (e) {
        last = e;
      }
    }
    throw new SignetError('ERR_REVOCATION_FETCH', `no delta CRL could be downloaded for ${url}: ${message(last)}`, { cause: last });
  }

  function fetchBundle(url: string, now: Date): Promise<CrlBundle> {
    if (options.cacheCrls === false) return downloadBundle(url);
    const cached = crlCache.get(url);
    if (cached && (cached.expires === undefined || cached.expires >= now.getTime())) return cached.bundle;
    if (crlCache.size >= MAX_CACHED_CRLS) crlCache.delete(crlCache.keys().next().value!);
    const entry: { bundle: Promise<CrlBundle>; expires?: number } = { bundle: downloadBundle(url) };
    crlCache.set(url, entry);
    entry.bundle.then(
      (b) => {
        const ends = [b.base.nextUpdate, b.delta?.nextUpdate].filter((d): d is Date => d !== undefined).map((d) => d.getTime());
        // A CRL without nextUpdate is refused by validation anyway; do not keep it.
        if (ends.length === 0) crlCache.delete(url);
        else entry.expires = Math.min(...ends);
      },
      () => crlCache.delete(url)
    );
    return entry.bundle;
  }

  /** notation-core-go crl.CertCheckStatus. */
  async function checkCrl(cert: Certificate, issuer: Certificate, urls: readonly string[], now: Date, signingTime?: Date): Promise<CertRevocationResult> {
    const servers: RevocationServerResult[] = [];
    const wantsDelta = hasFreshestCrl(cert);
    for (const url of urls) {
      try {
        const bundle = await fetchBundle(url, now);
        if (wantsDelta && !bundle.delta) {
          throw new SignetError('ERR_CRL_REJECTED', `the certificate has a Freshest CRL extension, but the CRL from ${url} names no delta CRL`);
        }
        await validateCrlBundle(bundle, issuer, now, `CRL from ${url}`);
        const lookup = lookupCrl(cert, bundle, signingTime);
        const what = `CRL ${url}${bundle.base.number !== undefined ? ` (number ${bundle.base.number}${bundle.delta ? `, delta ${bundle.delta.number}` : ''})` : ''}`;
        const result: RevocationServerResult = { url, method: 'crl', status: lookup.status, detail: `${what}: ${lookup.detail}` };
        if (lookup.status === 'revoked') return { status: 'revoked', method: 'crl', servers: [result], detail: result.detail };
        servers.push(result);
      } catch (e) {
        const failed: RevocationServerResult = { url, method: 'crl', status: 'unknown', detail: `CRL ${url}: ${message(e)}` };
        // notation stops at the first distribution point that cannot be used.
        return { status: 'unknown', method: 'crl', servers: [...servers, failed], detail: failed.detail };
      }
    }
    return { status: 'ok', method: 'crl', servers, detail: summarize(servers) };
  }

  /** One OCSP responder: a final verdict, or a reason to try the next one. */
  async function askResponder(
    cert: Certificate,
    issuer: Certificate,
    url: string,
    request: Uint8Array,
    now: Date,
    signingTime?: Date
  ): Promise<{ final: boolean; result: RevocationServerResult }> {
    const fail = (detail: string): { final: false; result: RevocationServerResult } => ({
      final: false,
      result: { url, method: 'ocsp', status: 'unknown', detail: `OCSP ${url}: ${detail}` }
    });
    let verdict;
    try {
      const http = ocspHttpRequest(url, request);
      const response = await fetchWithDeadline(fetcher, {
        ...http,
        timeoutMs: ocspTimeoutMs,
        maxBytes: OCSP_MAX_RESPONSE_BYTES
      });
      if (response.status !== 200) return fail(`HTTP status ${response.status}`);
      verdict = await verifyOcspResponse(parseOcspResponse(response.body), cert, issuer, { now, ...(signingTime ? { authenticSigningTime: signingTime } : {}) });
    } catch (e) {
      return fail(message(e));
    }
    const by = verdict.responder ? `delegated responder ${JSON.stringify(verdict.responder.subject)}` : 'the issuing CA';
    if (verdict.responder && !verdict.responderNoCheck) {
      const responderCrls = crlUrls(verdict.responder);
      if (responderCrls.length > 0) {
        const r = await checkCrl(verdict.responder, issuer, responderCrls, now);
        if (r.status !== 'ok') return fail(`the ${by} certificate could not be shown to be unrevoked (${r.detail})`);
      }
    }
    const times = `thisUpdate ${verdict.thisUpdate.toISOString()}, nextUpdate ${verdict.nextUpdate.toISOString()}, signed by ${by}`;
    let detail: string;
    if (verdict.certStatus === 'revoked') {
      const when = verdict.revocationTime ? ` at ${verdict.revocationTime.toISOString()}` : '';
      detail =
        verdict.status === 'good'
          ? `revoked${when} (${reasonName(verdict.revocationReason)}), but the invalidity date ${verdict.invalidityDate!.toISOString()} is after the authentic signing time ${signingTime!.toISOString()}, so not revoked for this signature`
          : `revoked${when} (${reasonName(verdict.revocationReason)})`;
    } else {
      detail = verdict.certStatus;
    }
    const status = verdict.status === 'good' ? 'ok' : verdict.status;
    return { final: true, result: { url, method: 'ocsp', status, detail: `OCSP ${url}: ${detail} (${times})` } };
  }

  /** notation-core-go ocsp.CertCheckStatus. */
  async function checkOcsp(cert: Certificate, issuer: Certificate, urls: readonly string[], now: Date, signingTime?: Date): Promise<CertRevocationResult> {
    let request: Uint8Array;
    try {
      request = await createOcspRequest(cert, issuer);
    } catch (e) {
      const servers = urls.map((url): RevocationServerResult => ({ url, method: 'ocsp', status: 'unknown', detail: `OCSP ${url}: ${message(e)}` }));
      return { status: 'unknown', method: 'ocsp', servers, detail: summarize(servers) };
    }
    const servers: RevocationServerResult[] = [];
    for (const url of urls) {
      const { final, result } = await askResponder(cert, issuer, url, request, now, signingTime);
      if (final) return { status: result.status, method: 'ocsp', servers: [result], detail: result.detail };
      servers.push(result);
    }
    return { status: 'unknown', method: 'ocsp', servers, detail: summarize(servers) };
  }

  async function checkCertificate(cert: Certificate, issuer: Certificate, now: Date, signingTime?: Date): Promise<CertRevocationResult> {
    const ocsp = ocspUrls(cert);
    if ((ocsp.length > 0 || crlUrls(cert).length > 0) && !bytesEqual(cert.rawIssuer, issuer.rawSubject)) {
      // OCSP CertIDs and CRL signatures are about the issuer: with a chain out of order, no answer could be trusted.
      return { status: 'unknown', method: 'none', servers: [], detail: `the next certificate in the chain (${JSON.stringify(issuer.subject)}) is not this certificate's issuer (${JSON.stringify(cert.issuer)})` };
    }
    const crls = crlUrls(cert);
    if (ocsp.length > 0) {
      const viaOcsp = await checkOcsp(cert, issuer, ocsp, now, signingTime);
      if (viaOcsp.status !== 'unknown' || crls.length === 0) return viaOcsp;
      const viaCrl = await checkCrl(cert, issuer, crls, now, signingTime);
      const servers = [...(viaOcsp.servers ?? []), ...(viaCrl.servers ?? [])];
      return { status: viaCrl.status, method: 'ocspFallbackCrl', servers, detail: `${viaOcsp.detail}; fell back to the CRL: ${viaCrl.detail}` };
    }
    if (crls.length > 0) return checkCrl(cert, issuer, crls, now, signingTime);
    return { status: 'nonRevokable', method: 'none', servers: [], detail: 'the certificate names no OCSP responder and no CRL distribution point' };
  }

  return async (chain: readonly Certificate[], checkOptions: RevocationCheckOptions): Promise<CertRevocationResult[]> => {
    if (!Array.isArray(chain) || chain.length === 0) {
      throw new SignetError('ERR_INPUT_INVALID', 'revocation check: the certificate chain is empty; expected the signing chain, leaf first');
    }
    const now = clock();
    const signingTime = checkOptions?.authenticSigningTime;
    const last = chain.length - 1;
    return Promise.all(
      chain.map((cert, i) =>
        i === last
          ? Promise.resolve<CertRevocationResult>({ status: 'nonRevokable', method: 'none', servers: [], detail: 'the root certificate is not checked for revocation' })
          : checkCertificate(cert, chain[i + 1]!, now, signingTime)
      )
    );
  };
}
