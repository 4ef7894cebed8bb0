/**
 * A RevocationChecker for when no responder can be reached (no network, no CORS proxy): a
 * certificate that names no OCSP responder and no CRL is non-revokable, as in notation; one that
 * does gets "unknown", which is what notation reports when every responder is unreachable.
 */
import type { Certificate } from '../x509/certificate';
import type { CertRevocationResult, RevocationChecker } from './types';
import { hasRevocationInfo } from './urls';

export const offlineRevocationChecker: RevocationChecker = async (chain: readonly Certificate[]) =>
  chain.map((cert, i): CertRevocationResult => {
    // The root (last, self-issued) is never checked.
    if (i === chain.length - 1 && cert.isSelfIssued) return { status: 'nonRevokable' };
    return hasRevocationInfo(cert)
      ? { status: 'unknown', detail: 'the certificate names revocation responders, but none can be reached from here (configure the CORS proxy)' }
      : { status: 'nonRevokable' };
  });
