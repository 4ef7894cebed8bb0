/**
 * One error class for the whole core. Every failure a person may see carries a stable `code`
 * (ERR_<AREA>_<PROBLEM>) that the UI maps to advice, a message that names the field and what was
 * expected, and the underlying `cause` when there is one.
 */
export type SignetErrorCode =
  // generic input problems
  | 'ERR_INPUT_INVALID'
  | 'ERR_INPUT_TOO_LARGE'
  | 'ERR_UNSUPPORTED'
  // digests and OCI data
  | 'ERR_DIGEST_INVALID'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_REFERENCE_INVALID'
  | 'ERR_DESCRIPTOR_INVALID'
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_MEDIA_TYPE_UNSUPPORTED'
  // encodings
  | 'ERR_JSON_INVALID'
  | 'ERR_CBOR_INVALID'
  | 'ERR_BASE64_INVALID'
  // envelopes and payload
  | 'ERR_ENVELOPE_INVALID'
  | 'ERR_ENVELOPE_UNSUPPORTED'
  | 'ERR_PAYLOAD_INVALID'
  | 'ERR_HEADER_INVALID'
  | 'ERR_CRIT_INVALID'
  | 'ERR_ALGORITHM_UNSUPPORTED'
  | 'ERR_ALGORITHM_MISMATCH'
  | 'ERR_SIGNATURE_INVALID'
  // certificates
  | 'ERR_CERT_INVALID'
  | 'ERR_CERT_CHAIN_INVALID'
  | 'ERR_CERT_PROFILE'
  | 'ERR_CERT_EXPIRED'
  | 'ERR_CERT_NOT_YET_VALID'
  | 'ERR_TIMESTAMP_INVALID'
  | 'ERR_TIMESTAMP_REJECTED'
  // revocation (OCSP responses, CRLs, the HTTP exchange that fetched them)
  | 'ERR_OCSP_RESPONSE_INVALID'
  | 'ERR_OCSP_RESPONSE_REJECTED'
  | 'ERR_CRL_INVALID'
  | 'ERR_CRL_REJECTED'
  | 'ERR_REVOCATION_FETCH'
  // trust material and policy
  | 'ERR_TRUST_STORE_INVALID'
  | 'ERR_TRUST_POLICY_INVALID'
  | 'ERR_TRUST_POLICY_NOT_APPLICABLE'
  // signing
  | 'ERR_SIGN_FAILED'
  | 'ERR_KEY_INVALID'
  // browser key management (src/lib/keys)
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_STORE'
  | 'ERR_KEY_PASSPHRASE'
  | 'ERR_CERT_KEY_MISMATCH'
  // registry
  | 'ERR_REGISTRY_HTTP'
  | 'ERR_REGISTRY_AUTH'
  | 'ERR_REGISTRY_NAME_UNKNOWN'
  | 'ERR_REGISTRY_MANIFEST_UNKNOWN'
  | 'ERR_REGISTRY_BLOB_UNKNOWN'
  | 'ERR_REGISTRY_DENIED'
  | 'ERR_REGISTRY_UNREACHABLE'
  | 'ERR_REGISTRY_CORS'
  | 'ERR_REGISTRY_CONFLICT'
  | 'ERR_REGISTRY_RATE_LIMITED'
  | 'ERR_REGISTRY_UNSUPPORTED'
  | 'ERR_REGISTRY_REJECTED'
  | 'ERR_REGISTRY_RESPONSE_INVALID';

export class SignetError extends Error {
  readonly code: SignetErrorCode;

  constructor(code: SignetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignetError';
    this.code = code;
  }
}

/** True when `e` is a SignetError, optionally with the given code. */
export function isSignetError(e: unknown, code?: SignetErrorCode): e is SignetError {
  return e instanceof SignetError && (code === undefined || e.code === code);
}
