/**
 * Envelope entry points: pick the codec by media type, cap the size, sign, and check the
 * cryptographic signature with a WebCrypto key.
 */
import { toArrayBuffer } from '../../bytes';
import { SignetError } from '../../errors';
import { MediaType } from '../../oci/media-types';
import { signParams } from '../algorithms';
import type { Signer } from '../ports';
import { decodeCoseEnvelope, signCoseEnvelope } from './cose';
import { decodeJwsEnvelope, signJwsEnvelope } from './jws';
import type { Envelope, EnvelopeFormat, EnvelopeMediaType, SignRequest } from './types';

export * from './types';
export { decodeCoseEnvelope, encodeCoseProtectedHeader, signCoseEnvelope } from './cose';
export { decodeJwsEnvelope, encodeJwsProtectedHeader, signJwsEnvelope } from './jws';

/** notation refuses signature envelopes above 32 MiB before downloading them. */
export const MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;

export function isEnvelopeMediaType(mediaType: unknown): mediaType is EnvelopeMediaType {
  return mediaType === MediaType.jws || mediaType === MediaType.cose;
}

export function envelopeFormat(mediaType: EnvelopeMediaType): EnvelopeFormat {
  return mediaType === MediaType.cose ? 'cose' : 'jws';
}

/** Decodes an envelope of the given media type (the signature manifest's layer media type). */
export function decodeEnvelope(bytes: Uint8Array, mediaType: string): Envelope {
  if (!isEnvelopeMediaType(mediaType)) {
    throw new SignetError(
      'ERR_ENVELOPE_UNSUPPORTED',
      `signature envelope media type "${mediaType}" is not supported; expected ${MediaType.jws} or ${MediaType.cose}`
    );
  }
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `signature envelope is ${bytes.length} bytes; the limit is ${MAX_ENVELOPE_BYTES} bytes`);
  }
  return mediaType === MediaType.cose ? decodeCoseEnvelope(bytes) : decodeJwsEnvelope(bytes);
}

/**
 * Guesses the media type of a dropped signature file: CBOR tag 18 (0xd2) is COSE, a JSON object is
 * JWS. The file name wins when it says `.cose.sig` / `.jws.sig`, as notation's blob commands use it.
 */
export function sniffEnvelopeMediaType(bytes: Uint8Array, fileName?: string): EnvelopeMediaType | undefined {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.cose.sig')) return MediaType.cose;
  if (name.endsWith('.jws.sig')) return MediaType.jws;
  if (bytes[0] === 0xd2) return MediaType.cose;
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return MediaType.jws;
  return undefined;
}

/** Signs a payload into an envelope of the chosen format. */
export async function signEnvelope(format: EnvelopeFormat, req: SignRequest, signer: Signer): Promise<Uint8Array> {
  return format === 'cose' ? signCoseEnvelope(req, signer) : signJwsEnvelope(req, signer);
}

/**
 * Checks the envelope's cryptographic signature over its signing input with `key` (the leaf
 * certificate's public key, imported for `envelope.algorithm`). ECDSA signatures must be raw r‖s
 * of exactly twice the coordinate length; WebCrypto would reject other forms anyway, but the
 * explicit check gives a clear reason.
 */
export async function verifyEnvelopeSignature(envelope: Envelope, key: CryptoKey): Promise<boolean> {
  const alg = envelope.algorithm;
  if (alg.keyType === 'EC' && envelope.signature.length !== 2 * alg.ecCoordinateLength!) return false;
  return crypto.subtle.verify(signParams(alg), key, toArrayBuffer(envelope.signature), toArrayBuffer(envelope.signingInput));
}
