/**
 * The Notary payload `application/vnd.cncf.notary.payload.v1+json`: `{"targetArtifact": <descriptor>}`.
 * Spec: signature-specification.md "Payload"; digest §3.
 */
import { utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import { parseJsonObject } from '../json';
import { parseDescriptor, type Descriptor } from '../oci/descriptor';
import { marshalGoJson, sortedRecord } from './go-json';

export interface NotaryPayload {
  targetArtifact: Descriptor;
}

/** Payloads are small; anything larger than this is not a Notary payload. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Annotation keys under this prefix are reserved for the Notary Project specification. */
export const RESERVED_ANNOTATION_PREFIX = 'io.cncf.notary';

/**
 * Parses and validates a payload. Notation compares fields, never bytes, so any JSON layout is
 * accepted; `targetArtifact` must be a valid descriptor.
 */
export function parsePayload(bytes: Uint8Array): NotaryPayload {
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(bytes, 'signature payload', MAX_PAYLOAD_BYTES);
  } catch (cause) {
    throw new SignetError('ERR_PAYLOAD_INVALID', `signature payload is not a JSON object: ${(cause as Error).message}`, { cause });
  }
  if (json.targetArtifact === undefined) {
    throw new SignetError('ERR_PAYLOAD_INVALID', 'signature payload has no "targetArtifact" descriptor');
  }
  try {
    return { targetArtifact: parseDescriptor(json.targetArtifact, 'payload targetArtifact') };
  } catch (cause) {
    throw new SignetError('ERR_PAYLOAD_INVALID', (cause as Error).message, { cause });
  }
}

/**
 * Builds the descriptor notation signs: only mediaType, digest, size and annotations survive;
 * user metadata is added to the annotations, refusing reserved keys and keys the target already has.
 */
export function targetDescriptor(target: Descriptor, userMetadata: Record<string, string> = {}): Descriptor {
  const annotations: Record<string, string> = { ...(target.annotations ?? {}) };
  for (const [key, value] of Object.entries(userMetadata)) {
    if (key.startsWith(RESERVED_ANNOTATION_PREFIX)) {
      throw new SignetError('ERR_INPUT_INVALID', `user metadata key "${key}" is reserved: keys starting with "${RESERVED_ANNOTATION_PREFIX}" belong to the Notary Project`);
    }
    if (key in annotations) {
      throw new SignetError('ERR_INPUT_INVALID', `user metadata key "${key}" is already an annotation of the target artifact`);
    }
    annotations[key] = value;
  }
  const out: Descriptor = { mediaType: target.mediaType, digest: target.digest, size: target.size };
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

/**
 * Encodes a payload with the byte layout notation uses for the given envelope format: COSE keeps
 * Go's struct field order (mediaType, digest, size, annotations); JWS goes through a Go map, so
 * every key is sorted.
 */
export function encodePayload(target: Descriptor, format: 'cose' | 'jws'): Uint8Array {
  const descriptor: Record<string, unknown> = { mediaType: target.mediaType, digest: target.digest, size: target.size };
  if (target.annotations && Object.keys(target.annotations).length > 0) descriptor.annotations = sortedRecord(target.annotations);
  return utf8Encode(marshalGoJson({ targetArtifact: descriptor }, format === 'jws'));
}
