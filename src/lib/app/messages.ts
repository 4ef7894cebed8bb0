/**
 * What people read when something goes wrong: every SignetError code mapped to a short title and
 * a sentence that says what to do, plus the fix for each failed verification check. The core's
 * messages say what happened (in notation's words where it has them); this adds the next step.
 */
import { isSignetError, type SignetErrorCode } from '../errors';
import type { CheckAction, CheckType } from '../notary/policy/types';
import type { CheckResult, SignatureResult } from '../notary/verify/result';
import { surfaceError } from './routing';

export interface Advice {
  readonly title: string;
  readonly advice: string;
}

/** One entry per code, so adding a code to errors.ts without advice fails the type check. */
export const ERROR_ADVICE: Readonly<Record<SignetErrorCode, Advice>> = {
  ERR_INPUT_INVALID: { title: 'Invalid input', advice: 'Correct the value named in the message and try again.' },
  ERR_INPUT_TOO_LARGE: { title: 'Too large', advice: 'Signet refuses oversized content to stay safe on hostile input; check that you picked the right file or artifact.' },
  ERR_UNSUPPORTED: { title: 'Not supported', advice: 'This feature or format is not supported by Signet; use the notation CLI for it.' },
  ERR_DIGEST_INVALID: { title: 'Invalid digest', advice: 'Write the digest as sha256: followed by 64 lowercase hex characters.' },
  ERR_DIGEST_MISMATCH: {
    title: 'Content does not match its digest',
    advice: 'The registry (or something between you and it) served other bytes than the digest names. Do not trust this content; retry, and report it to the registry operator if it persists.'
  },
  ERR_REFERENCE_INVALID: { title: 'Invalid reference', advice: 'Enter a reference like registry.example/team/app:v1 or registry.example/team/app@sha256:<digest>.' },
  ERR_DESCRIPTOR_INVALID: { title: 'Invalid descriptor', advice: 'The registry sent a malformed OCI descriptor; the artifact cannot be read safely.' },
  ERR_MANIFEST_INVALID: { title: 'Invalid manifest', advice: 'The manifest does not follow the OCI image specification; it was not pushed by a conforming tool.' },
  ERR_MEDIA_TYPE_UNSUPPORTED: { title: 'Unsupported media type', advice: 'Signet reads OCI and Docker manifests and indexes; this artifact uses another format.' },
  ERR_JSON_INVALID: { title: 'Invalid JSON', advice: 'The content is not valid JSON; check that the file or response is complete.' },
  ERR_CBOR_INVALID: { title: 'Invalid CBOR', advice: 'The COSE signature is not valid CBOR; the file is damaged or not a COSE envelope.' },
  ERR_BASE64_INVALID: { title: 'Invalid base64', advice: 'A base64 field is damaged; the content was altered or truncated.' },
  ERR_ENVELOPE_INVALID: { title: 'Invalid signature envelope', advice: 'The envelope does not follow the Notary Project format; re-sign the artifact with notation or Signet.' },
  ERR_ENVELOPE_UNSUPPORTED: { title: 'Unsupported envelope', advice: 'Signet reads JWS (application/jose+json) and COSE (application/cose) envelopes; name .sig files <name>.jws.sig or <name>.cose.sig.' },
  ERR_PAYLOAD_INVALID: { title: 'Invalid signed payload', advice: 'The signed payload is not a Notary payload; re-sign the artifact.' },
  ERR_HEADER_INVALID: { title: 'Invalid envelope header', advice: 'A signed header is missing or malformed; re-sign the artifact with a conforming signer.' },
  ERR_CRIT_INVALID: { title: 'Invalid critical headers', advice: 'The envelope marks headers as critical that the Notary format does not allow; re-sign the artifact.' },
  ERR_ALGORITHM_UNSUPPORTED: { title: 'Unsupported algorithm', advice: 'Sign with RSASSA-PSS (2048–4096 bit RSA) or ECDSA (P-256, P-384, P-521) keys.' },
  ERR_ALGORITHM_MISMATCH: { title: 'Algorithm mismatch', advice: "The envelope's algorithm does not fit the signing certificate's key; re-sign with a matching key and certificate." },
  ERR_SIGNATURE_INVALID: { title: 'Signature does not verify', advice: 'The signature was altered or made with another key; do not trust it.' },
  ERR_CERT_INVALID: { title: 'Invalid certificate', advice: 'A certificate could not be read; check that the file holds PEM or DER X.509 certificates.' },
  ERR_CERT_CHAIN_INVALID: { title: 'Invalid certificate chain', advice: 'The certificates do not form a chain from the signing certificate to a root; include every intermediate when signing.' },
  ERR_CERT_PROFILE: { title: 'Certificate not allowed for signing', advice: 'The certificate breaks the Notary Project certificate requirements (key usage, extended key usage, basic constraints or key size); issue a new one that meets them.' },
  ERR_CERT_EXPIRED: { title: 'Certificate expired', advice: 'Renew the certificate, or sign with a timestamp so signatures outlive it.' },
  ERR_CERT_NOT_YET_VALID: { title: 'Certificate not yet valid', advice: "Check this computer's clock, or wait until the certificate's validity starts." },
  ERR_TIMESTAMP_INVALID: { title: 'Invalid timestamp', advice: 'The timestamp countersignature is damaged; re-sign with a working timestamp authority.' },
  ERR_TIMESTAMP_REJECTED: { title: 'Timestamp not trusted', advice: "Add the timestamp authority's root certificate to a tsa trust store named by your policy, or re-sign with another authority." },
  ERR_OCSP_RESPONSE_INVALID: { title: 'Invalid OCSP response', advice: "The certificate's OCSP responder sent an unreadable answer; try again later." },
  ERR_OCSP_RESPONSE_REJECTED: { title: 'OCSP response rejected', advice: 'The OCSP answer could not be trusted (signature, freshness or responder); try again later.' },
  ERR_CRL_INVALID: { title: 'Invalid CRL', advice: "The certificate's revocation list is unreadable; try again later." },
  ERR_CRL_REJECTED: { title: 'CRL rejected', advice: 'The revocation list could not be trusted (signature or freshness); try again later.' },
  ERR_REVOCATION_FETCH: {
    title: 'Revocation status unavailable',
    advice: 'The OCSP responder or CRL could not be reached. Browsers need the CORS proxy for these: enable the proxy in Settings and allow the responder there.'
  },
  ERR_TRUST_STORE_INVALID: { title: 'Trust store problem', advice: 'Fix the trust store named in the message on the Trust page: add its CA certificates, or correct the trust policy that names it.' },
  ERR_TRUST_POLICY_INVALID: { title: 'Invalid trust policy', advice: 'Correct the trust policy at the place named in the message (the Trust page validates as you type).' },
  ERR_TRUST_POLICY_NOT_APPLICABLE: {
    title: 'No trust policy applies',
    advice: 'Add a trust policy statement whose registryScopes list this repository, or one with the scope "*".'
  },
  ERR_SIGN_FAILED: { title: 'Signing failed', advice: 'Check the key and certificate on the Keys & Sign page and try again.' },
  ERR_KEY_INVALID: { title: 'Invalid key', advice: 'Use an RSA (2048–4096 bit) or EC (P-256/384/521) private key in PEM.' },
  ERR_KEY_NOT_FOUND: { title: 'Key not found', advice: 'The key was deleted or never stored in this browser; pick another key on the Keys & Sign page.' },
  ERR_KEY_STORE: { title: 'Browser storage unavailable', advice: 'Allow site storage for this page (private windows and some privacy settings disable IndexedDB).' },
  ERR_KEY_PASSPHRASE: { title: 'Wrong passphrase', advice: 'Enter the passphrase the key was encrypted with.' },
  ERR_CERT_KEY_MISMATCH: { title: 'Certificate does not match the key', advice: 'Import the certificate that was issued for this key.' },
  ERR_REGISTRY_HTTP: { title: 'Registry error', advice: 'The registry answered with an error; the message has its status and text. Retry, or check the registry.' },
  ERR_REGISTRY_AUTH: { title: 'Sign-in needed', advice: 'Sign in to the registry with a user name and password or access token that can read this repository.' },
  ERR_REGISTRY_NAME_UNKNOWN: { title: 'Repository not found', advice: 'Check the registry and repository names (they are case-sensitive) and that you are signed in to private repositories.' },
  ERR_REGISTRY_MANIFEST_UNKNOWN: { title: 'Tag or digest not found', advice: 'Check the tag or digest; list the repository tags with your registry client.' },
  ERR_REGISTRY_BLOB_UNKNOWN: { title: 'Blob missing', advice: 'The registry lists content it does not hold; the repository is damaged or was cleaned up.' },
  ERR_REGISTRY_DENIED: { title: 'Access denied', advice: 'Your credentials are not allowed this operation; sign in with an account that has access.' },
  ERR_REGISTRY_UNREACHABLE: {
    title: 'Registry unreachable',
    advice: 'Check the registry address and your connection. If the registry is up, it may refuse this page: enable the CORS proxy in Settings.'
  },
  ERR_REGISTRY_CORS: {
    title: 'The registry blocks this page (CORS)',
    advice: 'This registry sends no CORS headers: enable the proxy in Settings (for this registry or for all), or ask its operator to allow this origin.'
  },
  ERR_REGISTRY_CONFLICT: { title: 'Conflicting change', advice: 'Someone changed the repository at the same time; try again.' },
  ERR_REGISTRY_RATE_LIMITED: { title: 'Rate limited', advice: 'The registry limits requests; wait a moment (or sign in for a higher limit) and try again.' },
  ERR_REGISTRY_UNSUPPORTED: { title: 'Not supported by the registry', advice: 'The registry does not offer this API; Signet falls back where notation does.' },
  ERR_REGISTRY_REJECTED: { title: 'Rejected by the registry', advice: 'The registry refused the content; the message says which part.' },
  ERR_REGISTRY_RESPONSE_INVALID: { title: 'Unexpected registry answer', advice: 'The registry sent something that does not follow the distribution specification; report it to its operator.' }
};

export interface DescribedError {
  readonly code: string;
  readonly title: string;
  readonly message: string;
  readonly advice: string;
}

/** A person-facing description of any thrown value. */
export function describeError(e: unknown): DescribedError {
  const err = surfaceError(e);
  if (isSignetError(err)) {
    const a = ERROR_ADVICE[err.code] ?? { title: 'Error', advice: 'See the message for details.' };
    return { code: err.code, title: a.title, message: err.message, advice: a.advice };
  }
  if (err instanceof Error) {
    return { code: 'ERR_UNEXPECTED', title: 'Unexpected error', message: `${err.name}: ${err.message}`, advice: 'This is a bug in Signet; please report it with the steps that led here.' };
  }
  return { code: 'ERR_UNEXPECTED', title: 'Unexpected error', message: String(err), advice: 'This is a bug in Signet; please report it with the steps that led here.' };
}

export const CHECK_LABELS: Readonly<Record<CheckType, string>> = {
  integrity: 'Integrity',
  authenticity: 'Authenticity',
  authenticTimestamp: 'Authentic timestamp',
  expiry: 'Expiry',
  revocation: 'Revocation'
};

export const ACTION_LABELS: Readonly<Record<CheckAction, string>> = {
  enforce: 'enforced',
  log: 'logged only',
  skip: 'skipped'
};

/** What a check row reports: passed, failed (enforced), a warning (failed but only logged), skipped. */
export function checkStatus(check: CheckResult): 'passed' | 'failed' | 'warning' | 'skipped' {
  if (check.outcome === 'failed') return check.action === 'enforce' ? 'failed' : 'warning';
  return check.outcome;
}

/** A sentence that says how to fix a failed check, from the check type and notation's message. */
export function checkAdvice(check: CheckResult, context: { trustStores?: readonly string[] } = {}): string | undefined {
  if (check.outcome !== 'failed') return undefined;
  const m = check.message ?? '';
  const stores = context.trustStores && context.trustStores.length > 0 ? ` (${context.trustStores.join(', ')})` : '';
  switch (check.type) {
    case 'integrity':
      return 'The envelope is damaged, was altered, or its certificates break the Notary certificate requirements: do not trust it. Ask the signer to sign again; inspect the signature to see which part is rejected.';
    case 'authenticity':
      if (/does not contain any trusted certificate/.test(m)) {
        return `None of the signer's certificates is in the trust stores your policy names${stores}. If you trust the signer's CA, add its root certificate to one of those stores on the Trust page (inspect the signature to see the chain).`;
      }
      if (/no trusted certificates are found/.test(m)) return `The trust stores your policy names${stores} hold no certificate of the needed type: add the signer's CA certificate to one of them on the Trust page.`;
      if (/does not exist/.test(m)) return 'The policy names a trust store that does not exist: create it with the CA certificate on the Trust page, or correct the policy\'s trustStores.';
      if (/trusted identit/i.test(m)) {
        return 'The certificate chains to a trusted CA, but its subject is not among the policy\'s trustedIdentities: if you trust this signer, add "x509.subject: <the signer\'s subject>" to trustedIdentities.';
      }
      return 'The signer is not trusted by your trust policy and trust stores: add the signer\'s CA to a trust store the policy names, and its subject to trustedIdentities.';
    case 'expiry':
      return 'The signature has expired: ask the signer to sign again with a later expiry (notation sign --expiry), or set the policy override "expiry": "log" to accept expired signatures.';
    case 'authenticTimestamp':
      if (/timestamp/i.test(m) && /trust|tsa/i.test(m)) {
        return "The timestamp could not be trusted: add the timestamp authority's root certificate to a tsa trust store named in the policy.";
      }
      return 'The signing certificate is not valid now and no trusted timestamp proves it was valid when signing: sign again with a valid certificate, or with a timestamp (--timestamp-url) whose authority your policy trusts.';
    case 'revocation':
      if (/revoked/i.test(m)) return "A certificate in the signer's chain is revoked: do not trust this signature; the signer must sign again with a new certificate.";
      return 'The revocation status could not be determined (OCSP/CRL unreachable): enable the CORS proxy in Settings and allow the responders, or set the policy override "revocation": "log" to accept an unknown status.';
  }
}

/** The fix for a signature's overall failure when it is not a check (wrong artifact, metadata, plugin). */
export function failureAdvice(signature: SignatureResult): string | undefined {
  const f = signature.failure;
  if (!f) return undefined;
  if (f.check) return checkAdvice({ type: f.check, action: 'enforce', outcome: 'failed', message: f.message });
  switch (f.code) {
    case 'ERR_DESCRIPTOR_MISMATCH':
      return 'The signature names another artifact (digest, size or media type differ): it was attached to the wrong artifact, or the artifact changed after signing.';
    case 'ERR_USER_METADATA_MISMATCH':
      return 'The signature does not carry the user metadata you asked for: check the key=value pairs, or ask the signer to include them.';
    case 'ERR_VERIFICATION_INCONCLUSIVE':
      return 'This signature needs a notation verification plugin, which cannot run in a browser: verify it with the notation CLI and the plugin installed.';
    default:
      return undefined;
  }
}

/** The next step after an artifact-level verdict that has no per-signature reason. */
export function artifactAdvice(message: string, verified: boolean): string | undefined {
  if (verified) return undefined;
  if (/no signature is associated/.test(message)) return 'Sign the artifact (notation sign, or the Keys & Sign page), then verify again.';
  if (/limit of \d+ signatures/.test(message)) return 'Too many signatures failed before one passed: remove stale signatures from the registry.';
  return undefined;
}
