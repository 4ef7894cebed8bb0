/**
 * Revocation checking for Notary verification (spec digest §12.4 step 6): the RevocationChecker
 * port and notation's verdict over a chain, the online checker (OCSP then CRL through a
 * RevocationFetcher), the offline checker, and the OCSP / CRL building blocks.
 */
export {
  revocationVerdict,
  type CertRevocationResult,
  type RevocationCheckOptions,
  type RevocationChecker,
  type RevocationFetchRequest,
  type RevocationFetchResponse,
  type RevocationFetcher,
  type RevocationMethod,
  type RevocationServerResult,
  type RevocationStatus
} from './types';
export { createRevocationChecker, type RevocationCheckerOptions } from './checker';
export { offlineRevocationChecker } from './offline';
export { crlUrls, hasRevocationInfo, ocspUrls } from './urls';
export {
  OCSP_MAX_RESPONSE_BYTES,
  createOcspRequest,
  ocspHttpRequest,
  parseOcspResponse,
  verifyOcspResponse,
  type OcspHttpRequest,
  type OcspResponse,
  type OcspSingleResponse,
  type OcspVerdict
} from './ocsp';
export {
  CRL_MAX_BYTES,
  findCrlEntries,
  lookupCrl,
  parseCrl,
  validateCrl,
  validateCrlBundle,
  type Crl,
  type CrlBundle,
  type CrlEntry,
  type CrlLookup
} from './crl';
