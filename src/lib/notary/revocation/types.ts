/**
 * The revocation port (spec digest §12.4 step 6). Checking needs the network (OCSP responders, CRL
 * distribution points), so the pure verifier asks a `RevocationChecker` and only interprets the
 * answer the way notation does.
 */
import type { Certificate } from '../x509/certificate';

/** Per-certificate outcome, as notation-core-go's revocation result. */
export type RevocationStatus = 'ok' | 'nonRevokable' | 'revoked' | 'unknown';

/** How a certificate's status was decided (notation-core-go's RevocationMethod). */
export type RevocationMethod = 'ocsp' | 'crl' | 'ocspFallbackCrl' | 'none';

/** What one responder or distribution point said (or why it could not be used). */
export interface RevocationServerResult {
  /** The OCSP responder or CRL URL as the certificate names it. */
  url: string;
  method: 'ocsp' | 'crl';
  status: RevocationStatus;
  /** One line for people: what was asked and what came back, or why it failed. */
  detail: string;
}

export interface CertRevocationResult {
  status: RevocationStatus;
  /** What was tried and why it failed (for display; never affects the verdict by itself). */
  detail?: string;
  method?: RevocationMethod;
  /** Every responder / distribution point consulted, in order. */
  servers?: RevocationServerResult[];
}

export interface RevocationCheckOptions {
  /** Under the signing-authority scheme: a revocation whose invalidity date is later does not count. */
  authenticSigningTime?: Date;
}

/**
 * One HTTP exchange with an OCSP responder or CRL distribution point. The core never does I/O:
 * the app implements this port (in the browser through the CORS proxy, in Node with fetch).
 * An implementation must give up after `timeoutMs` and must not read more than `maxBytes` of
 * body (reject instead); it may reject with any error, which counts as "responder unavailable".
 */
export interface RevocationFetchRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: Uint8Array;
  /** Content-Type of `body` (POST only), e.g. `application/ocsp-request`. */
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface RevocationFetchResponse {
  status: number;
  body: Uint8Array;
}

export type RevocationFetcher = (request: RevocationFetchRequest) => Promise<RevocationFetchResponse>;

/** Checks every certificate of a chain (leaf first); returns one result per certificate, same order. */
export type RevocationChecker = (chain: readonly Certificate[], options: RevocationCheckOptions) => Promise<CertRevocationResult[]>;

/**
 * notation's final decision over a chain: OK when every certificate is OK or non-revokable;
 * otherwise the problem nearest the leaf, with a revoked certificate winning over an unknown one.
 */
export function revocationVerdict(
  chain: readonly Certificate[],
  results: readonly CertRevocationResult[]
): { status: 'ok' } | { status: 'revoked' | 'unknown'; subject: string } {
  let problem: { status: 'revoked' | 'unknown'; subject: string } | undefined;
  let revoked: { status: 'revoked'; subject: string } | undefined;
  // Walk root → leaf so the last problem recorded is the one nearest the leaf.
  for (let i = results.length - 1; i >= 0; i--) {
    const status = results[i]!.status;
    if (status === 'ok' || status === 'nonRevokable') continue;
    problem = { status, subject: chain[i]!.subject };
    if (status === 'revoked') revoked = { status, subject: chain[i]!.subject };
  }
  return revoked ?? problem ?? { status: 'ok' };
}
