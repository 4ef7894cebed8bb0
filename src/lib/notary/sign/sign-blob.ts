/**
 * Detached (blob) signatures, as notation's `blob sign` makes them (spec digest §13): the same
 * envelope, with a payload whose target is the file itself, digested with the hash the signing
 * key requires, stored as `<file name>.<jws|cose>.sig`.
 */
import { SignetError } from '../../errors';
import { isMediaType, type Descriptor } from '../../oci/descriptor';
import { hashBytes } from '../../oci/digest';
import { toHex } from '../../bytes';
import { ENVELOPE_MEDIA_TYPES, signEnvelope, truncateToSeconds, type EnvelopeFormat } from '../envelope';
import { encodePayload, targetDescriptor } from '../payload';
import type { Signer } from '../ports';
import { systemClock } from '../ports';
import type { SignatureAlgorithm } from '../algorithms';
import type { SignArtifactOptions } from './sign-artifact';

export const DEFAULT_BLOB_MEDIA_TYPE = 'application/octet-stream';

/** The descriptor notation signs for a blob: digest with the key's hash, raw size. */
export async function blobDescriptor(blob: Uint8Array, algorithm: SignatureAlgorithm, mediaType = DEFAULT_BLOB_MEDIA_TYPE): Promise<Descriptor> {
  if (!isMediaType(mediaType)) throw new SignetError('ERR_INPUT_INVALID', `"${mediaType}" is not a media type like type/subtype`);
  return { mediaType, digest: `${algorithm.digest}:${toHex(await hashBytes(algorithm.digest, blob))}`, size: blob.length };
}

/** `<file name>.<format>.sig`, the name notation gives a blob's signature. */
export function blobSignatureFileName(blobFileName: string, format: EnvelopeFormat): string {
  const base = blobFileName.split(/[\\/]/).pop() || 'blob';
  return `${base}.${format}.sig`;
}

/** The envelope format a signature file name says, or undefined (notation requires `.jws.sig`/`.cose.sig`). */
export function formatFromSignatureFileName(name: string): EnvelopeFormat | undefined {
  const m = /\.(jws|cose)\.sig$/i.exec(name);
  return m ? (m[1]!.toLowerCase() as EnvelopeFormat) : undefined;
}

export async function signBlob(
  blob: Uint8Array,
  signer: Signer,
  options: Omit<SignArtifactOptions, 'shape'> & { mediaType?: string } = {}
): Promise<{ envelope: Uint8Array; envelopeMediaType: string; descriptor: Descriptor; signingTime: Date }> {
  const format = options.format ?? 'cose';
  const signingTime = truncateToSeconds((options.clock ?? systemClock)());
  const descriptor = targetDescriptor(await blobDescriptor(blob, signer.algorithm, options.mediaType), options.userMetadata);
  let expiry: Date | undefined;
  if (options.expirySeconds !== undefined) {
    if (!Number.isFinite(options.expirySeconds) || options.expirySeconds < 1) {
      throw new SignetError('ERR_INPUT_INVALID', `expiry must be at least one second, got ${options.expirySeconds}`);
    }
    expiry = new Date(signingTime.getTime() + Math.floor(options.expirySeconds) * 1000);
  }
  const envelope = await signEnvelope(
    format,
    { payload: encodePayload(descriptor, format), signingTime, expiry, signingAgent: options.signingAgent, timestamp: options.timestamp },
    signer
  );
  return { envelope, envelopeMediaType: ENVELOPE_MEDIA_TYPES[format], descriptor, signingTime };
}
