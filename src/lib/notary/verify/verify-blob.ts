/**
 * Verifying a detached (blob) signature (spec digest §13 "Verify"): the per-signature pipeline,
 * then the blob itself must be what the payload names — hashed with the envelope algorithm's hash,
 * same size, and the media type when the caller names one.
 */
import { toHex } from '../../bytes';
import { hashBytes } from '../../oci/digest';
import { ALGORITHMS } from '../algorithms';
import type { SignatureResult } from './result';
import { verifySignature, type VerifySignatureInput } from './verify-signature';

export interface VerifyBlobInput extends Omit<VerifySignatureInput, 'target' | 'digest'> {
  blob: Uint8Array;
  /** notation blob verify --media-type: compared only when given. */
  mediaType?: string;
}

const MISMATCH = 'integrity check failed. signature does not match the given blob';

export async function verifyBlob(input: VerifyBlobInput): Promise<SignatureResult> {
  const { blob, mediaType, ...rest } = input;
  const result = await verifySignature(rest);
  if (!result.verified || !result.signedArtifact || result.level === 'skip') return result;
  const target = result.signedArtifact;
  const algorithm = target.digest.slice(0, target.digest.indexOf(':'));
  // notation hashes the blob with the hash of the envelope's signature algorithm.
  const expectedAlgorithm = ALGORITHMS.find((a) => a.name === result.signatureAlgorithm)?.digest;
  let matches = target.size === blob.length && (mediaType === undefined || mediaType === target.mediaType) && algorithm === expectedAlgorithm;
  if (matches) matches = `${algorithm}:${toHex(await hashBytes(expectedAlgorithm!, blob))}` === target.digest;
  if (!matches) {
    result.verified = false;
    result.failure = { check: 'integrity', message: MISMATCH, code: 'ERR_DIGEST_MISMATCH' };
  }
  return result;
}
