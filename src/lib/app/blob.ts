/**
 * Blob (detached) signatures, as `notation blob verify` checks them (spec digest §13): the envelope
 * goes through the per-signature pipeline (integrity, authenticity, expiry, timestamp, revocation)
 * with a trust policy statement, then the payload's targetArtifact must describe the blob — the
 * digest recomputed with the hash the signing key implies, the byte count, and the media type
 * only when the person gave one.
 *
 * Signet keeps one (OCI) trust policy; for a blob the person picks which statement applies (the
 * "*" statement by default), where notation v2 reads a separate trustpolicy.blob.json.
 */
import { SignetError } from '../errors';
import { decodeEnvelope } from '../notary/envelope';
import { parsePayload } from '../notary/payload';
import type { TrustPolicyStatement } from '../notary/policy/types';
import type { RevocationChecker } from '../notary/revocation/types';
import type { SignatureResult } from '../notary/verify/result';
import { verifySignature } from '../notary/verify/verify-signature';
import { computeDigest } from '../oci/digest';
import { WILDCARD } from '../notary/policy/types';
import { signatureFileMediaType } from './inspect-view';
import type { LoadedTrustMaterial } from './trust-material';
import { signatureView, type SignatureView } from './verify';

/** notation's wording when the blob is not the one the signature names. */
export const BLOB_MISMATCH_MESSAGE = 'integrity check failed. signature does not match the given blob';

export interface BlobVerification {
  readonly verified: boolean;
  readonly blobName: string;
  readonly signatureName: string;
  readonly statement: TrustPolicyStatement;
  readonly view: SignatureView;
  /** What the blob is, computed here, and what the signature says it should be. */
  readonly blob: { readonly digest: string; readonly size: number };
  readonly signed?: { readonly digest: string; readonly size: number; readonly mediaType: string };
  readonly message: string;
}

/** The statement a blob is verified with: the named one, else the `*` statement, else the only one. */
export function blobStatement(material: LoadedTrustMaterial, name?: string): TrustPolicyStatement {
  const statements = material.policy?.trustPolicies ?? [];
  if (!material.policy) {
    throw material.policyError ?? new SignetError('ERR_TRUST_POLICY_INVALID', 'no trust policy has been imported yet: add one on the Trust page');
  }
  if (name !== undefined) {
    const named = statements.find((s) => s.name === name);
    if (!named) throw new SignetError('ERR_TRUST_POLICY_NOT_APPLICABLE', `no trust policy statement is named "${name}"`);
    return named;
  }
  const global = statements.find((s) => s.registryScopes.includes(WILDCARD));
  if (global) return global;
  if (statements.length === 1) return statements[0]!;
  throw new SignetError(
    'ERR_TRUST_POLICY_NOT_APPLICABLE',
    'choose which trust policy statement applies to this blob: the policy has several and none uses the scope "*"'
  );
}

export async function verifyBlob(input: {
  blob: Uint8Array;
  blobName: string;
  signature: Uint8Array;
  signatureName: string;
  material: LoadedTrustMaterial;
  statementName?: string;
  /** Compared only when given (notation's --media-type). */
  mediaType?: string;
  revocation: RevocationChecker;
}): Promise<BlobVerification> {
  const statement = blobStatement(input.material, input.statementName);
  const envelopeMediaType = signatureFileMediaType(input.signature, input.signatureName);

  // The digest algorithm follows the signing key (sha256/384/512); read it from the payload when
  // the envelope decodes. If it does not, the pipeline's integrity check reports why.
  let signed: BlobVerification['signed'];
  let algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256';
  try {
    const envelope = decodeEnvelope(input.signature, envelopeMediaType);
    const target = parsePayload(envelope.payload.content).targetArtifact;
    signed = { digest: target.digest, size: target.size, mediaType: target.mediaType };
    // notation hashes with the signature algorithm's hash, whatever the payload claims.
    algorithm = envelope.algorithm.digest;
  } catch {
    signed = undefined;
  }
  const blobDigest = await computeDigest(input.blob, algorithm);
  const result: SignatureResult = await verifySignature({
    envelope: input.signature,
    envelopeMediaType,
    policy: statement,
    trustStores: input.material.trustStores,
    // The payload must name this blob; its media type is only compared when one was given.
    target: { mediaType: input.mediaType ?? signed?.mediaType ?? 'application/octet-stream', digest: blobDigest, size: input.blob.length },
    revocation: input.revocation
  });
  if (result.failure?.code === 'ERR_DESCRIPTOR_MISMATCH') result.failure = { message: BLOB_MISMATCH_MESSAGE, code: 'ERR_BLOB_MISMATCH' };
  const view = signatureView(result, statement);
  const message = result.verified
    ? `Successfully verified signature ${input.signatureName} for ${input.blobName}`
    : `signature verification failed: ${result.failure?.message ?? 'the signature did not pass'}`;
  return {
    verified: result.verified,
    blobName: input.blobName,
    signatureName: input.signatureName,
    statement,
    view: result.failure?.code === 'ERR_BLOB_MISMATCH' ? { ...view, failureAdvice: 'This signature was made for other content: check that you picked the right file (the digest or size differs), or that the file was not changed after signing.' } : view,
    blob: { digest: blobDigest, size: input.blob.length },
    ...(signed ? { signed } : {}),
    message
  };
}
