/**
 * One signature against one trust policy statement: notation-go's per-signature pipeline
 * (spec digest §12.4), pure and with trust material, policy, clock and revocation as inputs.
 * Failed checks are results; only a programming error throws.
 *
 * Order and enforcement follow notation-go v1.3: integrity (always enforced) → plugin resolution
 * (a signature that names a verification plugin is inconclusive here: the browser runs no plugins)
 * → authenticity (trust store, then trusted identity) → expiry → authentic timestamp → revocation
 * (unless skipped) → the payload must name the artifact being verified and carry the user metadata
 * asked for. The first failure whose action is `enforce` rejects the signature; `log` failures
 * are kept as warnings.
 */
import { isSignetError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { MediaType } from '../../oci/media-types';
import { decodeEnvelope, HeaderName, verifyEnvelopeSignature, type Envelope } from '../envelope';
import { parsePayload, type NotaryPayload } from '../payload';
import { goQuote } from '../go-text';
import { matchTrustedIdentities } from '../policy/identity';
import { resolveVerificationLevel } from '../policy/levels';
import type { CheckAction, CheckType, TrustPolicyStatement } from '../policy/types';
import { systemClock, type Clock } from '../ports';
import { revocationVerdict, type RevocationChecker } from '../revocation/types';
import { formatRfc1123z, formatRfc3339, rfc3339Offset } from '../time';
import { importVerificationKey, parseCertificate, type Certificate } from '../x509/certificate';
import { validateCertificateChain } from '../x509/chain';
import { checkValidityAt, checkValidityAtAuthenticSigningTime } from '../x509/validity';
import type { CheckResult, SignatureResult } from './result';
import { hasTsaTrustStore } from '../policy/trust-policy';
import { loadTrustCertificates, storeTypeForScheme, type TrustStoreSet } from './trust-stores';
import { verifyAuthenticTimestampToken } from './timestamp-check';

export interface VerifySignatureInput {
  envelope: Uint8Array;
  envelopeMediaType: string;
  policy: TrustPolicyStatement;
  trustStores: TrustStoreSet;
  /** The artifact being verified; the payload must name it (digest, size, media type). */
  target?: Descriptor;
  /** notation verify -m key=value: each pair must be in the payload's annotations. */
  userMetadata?: Record<string, string>;
  clock?: Clock;
  revocation?: RevocationChecker;
  /** Signature manifest digest, echoed into the result. */
  digest?: string;
}

class Rejected extends Error {}

export async function verifySignature(input: VerifySignatureInput): Promise<SignatureResult> {
  const level = resolveVerificationLevel(input.policy.signatureVerification);
  const action = (t: CheckType): CheckAction => level.actions[t];
  const result: SignatureResult = {
    digest: input.digest,
    envelopeMediaType: input.envelopeMediaType,
    verified: false,
    level: level.name,
    checks: []
  };
  const now = (input.clock ?? systemClock)();

  if (level.name === 'skip') {
    result.checks = (['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const).map((type) => ({
      type,
      action: 'skip' as const,
      outcome: 'skipped' as const,
      message: 'the trust policy level is skip'
    }));
    result.verified = true;
    return result;
  }

  /** Records a check; an enforced failure ends the pipeline. */
  const record = (type: CheckType, message?: string): void => {
    const a = action(type);
    result.checks.push(message === undefined ? { type, action: a, outcome: 'passed' } : { type, action: a, outcome: 'failed', message });
    if (message !== undefined && a === 'enforce') {
      result.failure = { check: type, message };
      throw new Rejected();
    }
  };
  const skipped = (type: CheckType, message: string): void => {
    result.checks.push({ type, action: action(type), outcome: 'skipped', message });
  };

  try {
    // 1. Integrity (always enforced).
    const integrity = await checkIntegrity(input.envelope, input.envelopeMediaType);
    if ('error' in integrity) {
      record('integrity', integrity.error);
      return result; // unreachable: integrity is enforced
    }
    const { envelope, chain, payload } = integrity;
    record('integrity');
    const leaf = chain[0]!;
    result.signer = {
      subject: leaf.subject,
      issuer: leaf.issuer,
      sha256Fingerprint: leaf.sha256Fingerprint,
      notAfter: formatRfc3339(leaf.notAfter)
    };
    result.signingTime = envelope.signedAttributes.signingTimeText ?? formatRfc3339(envelope.signedAttributes.signingTime);
    result.signatureAlgorithm = envelope.algorithm.name;
    result.signedArtifact = payload.targetArtifact;

    // 2. Plugins: none can run in a browser, so a signature that requires one is inconclusive.
    const plugin = envelope.signedAttributes.extendedAttributes.find((a) => a.key === HeaderName.verificationPlugin && a.critical);
    if (plugin && typeof plugin.value === 'string' && plugin.value.trim() !== '') {
      result.failure = {
        message: `error while locating the verification plugin ${goQuote(plugin.value)}, make sure the plugin is installed successfully before verifying the signature. error: plugin not found`,
        code: 'ERR_VERIFICATION_INCONCLUSIVE'
      };
      return result;
    }

    // 3. Authenticity: the chain shares a certificate with the trusted stores, then the identity.
    const scheme = envelope.signedAttributes.signingScheme;
    let trusted: Certificate[];
    let authenticity: string | undefined;
    try {
      trusted = loadTrustCertificates(storeTypeForScheme(scheme), input.policy.name, input.policy.trustStores, input.trustStores);
      if (trusted.length === 0) authenticity = 'no trusted certificates are found to verify authenticity';
      else if (!chain.some((c) => trusted.some((t) => t.sha256Fingerprint === c.sha256Fingerprint))) {
        authenticity = "the signature's certificate chain does not contain any trusted certificate";
      }
    } catch (e) {
      if (!isSignetError(e)) throw e;
      authenticity = e.message;
    }
    if (authenticity === undefined || action('authenticity') !== 'enforce') {
      // notation checks the identity only when the trust-store step did not already fail hard.
      const identity = matchTrustedIdentities(input.policy.name, input.policy.trustedIdentities, leaf.subjectAttributes);
      if (!identity.matched) authenticity = identity.message;
    }
    record('authenticity', authenticity);

    // 4. Expiry.
    const expiry = envelope.signedAttributes.expiry;
    record(
      'expiry',
      expiry && now.getTime() >= expiry.getTime()
        ? `digital signature has expired on "${formatInOffset(expiry, envelope.signedAttributes.expiryText)}"`
        : undefined
    );

    // 5. Authentic timestamp.
    record('authenticTimestamp', await authenticTimestamp(input, envelope, chain, now));

    // 6. Revocation.
    if (action('revocation') === 'skip') skipped('revocation', 'revocation checking is set to skip in the trust policy');
    else record('revocation', await revocation(input, envelope, chain));

    // 7. The payload must be about this artifact, with the asked-for metadata.
    if (input.target) {
      const t = payload.targetArtifact;
      if (t.digest !== input.target.digest || t.size !== input.target.size || t.mediaType !== input.target.mediaType) {
        result.failure = { message: 'content descriptor mismatch', code: 'ERR_DESCRIPTOR_MISMATCH' };
        return result;
      }
    }
    for (const [key, value] of Object.entries(input.userMetadata ?? {})) {
      if (payload.targetArtifact.annotations?.[key] !== value) {
        result.failure = { message: 'unable to find specified metadata in the signature', code: 'ERR_USER_METADATA_MISMATCH' };
        return result;
      }
    }
    result.verified = true;
    return result;
  } catch (e) {
    if (e instanceof Rejected) return result;
    throw e;
  }
}

/** Go prints a parsed RFC 3339 time in the offset it was written with. */
function formatInOffset(date: Date, text: string | undefined): string {
  const offset = rfc3339Offset(text);
  if (offset === 'Z') return formatRfc1123z(date);
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset)!;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return formatRfc1123z(new Date(date.getTime() + minutes * 60_000)).replace(/\+0000$/, `${m[1]}${m[2]}${m[3]}`);
}

type Integrity = { envelope: Envelope; chain: Certificate[]; payload: NotaryPayload } | { error: string };

/**
 * notation's integrity step: the envelope parses, its signature verifies with the leaf key, the
 * declared algorithm is the one the leaf key requires, the chain meets the Notary profile, and the
 * content type is the Notary payload type.
 */
export async function checkIntegrity(bytes: Uint8Array, mediaType: string): Promise<Integrity> {
  try {
    const envelope = decodeEnvelope(bytes, mediaType);
    const chain: Certificate[] = [];
    for (let i = 0; i < envelope.certificateChain.length; i++) {
      chain.push(await parseCertificate(envelope.certificateChain[i]!, `certificate chain [${i}]`));
    }
    const key = await importVerificationKey(chain[0]!, envelope.algorithm);
    if (!(await verifyEnvelopeSignature(envelope, key))) {
      return { error: 'signature is invalid: the envelope signature does not verify with the signing certificate\'s key' };
    }
    await validateCertificateChain(chain, 'codeSigning');
    if (envelope.payload.contentType !== MediaType.notaryPayload) {
      return { error: `payload content type ${goQuote(envelope.payload.contentType)} not supported` };
    }
    return { envelope, chain, payload: parsePayload(envelope.payload.content) };
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return { error: e.message };
  }
}

async function authenticTimestamp(input: VerifySignatureInput, envelope: Envelope, chain: Certificate[], now: Date): Promise<string | undefined> {
  const sa = envelope.signedAttributes;
  if (sa.signingScheme === 'notary.x509.signingAuthority') {
    return checkValidityAtAuthenticSigningTime(chain, sa.signingTime, sa.signingTimeText ? rfc3339Offset(sa.signingTimeText) : undefined)?.message;
  }
  let useTimestamp: boolean;
  try {
    useTimestamp = hasTsaTrustStore(input.policy.name, input.policy.trustStores);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return `failed to check tsa trust store configuration in turst policy with error: ${e.message}`;
  }
  if (useTimestamp && input.policy.signatureVerification.verifyTimestamp === 'afterCertExpiry') {
    useTimestamp = chain.some((c) => now.getTime() > c.notAfter.getTime());
  }
  if (!useTimestamp) return checkValidityAt(chain, now)?.message;
  return verifyAuthenticTimestampToken({
    token: envelope.unsignedAttributes.timestampSignature,
    signature: envelope.signature,
    chain,
    policy: input.policy,
    trustStores: input.trustStores,
    revocation: input.revocation
  });
}

async function revocation(input: VerifySignatureInput, envelope: Envelope, chain: Certificate[]): Promise<string | undefined> {
  if (!input.revocation) return 'unable to check revocation status, code signing revocation validator cannot be nil';
  const sa = envelope.signedAttributes;
  let results;
  try {
    results = await input.revocation(chain, {
      authenticSigningTime: sa.signingScheme === 'notary.x509.signingAuthority' ? sa.signingTime : undefined
    });
  } catch (e) {
    return `unable to check revocation status, err: ${(e as Error).message}`;
  }
  const verdict = revocationVerdict(chain, results);
  if (verdict.status === 'ok') return undefined;
  return verdict.status === 'revoked'
    ? `signing certificate with subject ${goQuote(verdict.subject)} is revoked`
    : `signing certificate with subject ${goQuote(verdict.subject)} revocation status is unknown`;
}
