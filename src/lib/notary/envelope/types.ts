/**
 * The format-neutral view of a Notary signature envelope (what notation-core-go calls
 * EnvelopeContent + SignerInfo). Both the COSE and the JWS codecs produce and consume it.
 */
import type { SignatureAlgorithm } from '../algorithms';
import { MediaType } from '../../oci/media-types';

export type EnvelopeMediaType = typeof MediaType.jws | typeof MediaType.cose;
export type EnvelopeFormat = 'jws' | 'cose';
export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

export const ENVELOPE_MEDIA_TYPES: Record<EnvelopeFormat, EnvelopeMediaType> = { jws: MediaType.jws, cose: MediaType.cose };

export const HeaderName = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestampSignature: 'io.cncf.notary.timestampSignature'
} as const;

export interface ExtendedAttribute {
  key: string | number;
  value: unknown;
  critical: boolean;
}

export interface SignedAttributes {
  signingScheme: SigningScheme;
  /** `signingTime` under notary.x509, `authenticSigningTime` under the signing-authority scheme. */
  signingTime: Date;
  /** The time as written in a JWS header (keeps the signer's UTC offset); absent for COSE. */
  signingTimeText?: string;
  expiry?: Date;
  expiryText?: string;
  contentType: string;
  /** Every other protected header, with whether `crit` lists it. */
  extendedAttributes: ExtendedAttribute[];
}

export interface UnsignedAttributes {
  signingAgent?: string;
  /** DER/BER bytes of an RFC 3161 TimeStampToken. */
  timestampSignature?: Uint8Array;
}

export interface Envelope {
  mediaType: EnvelopeMediaType;
  /** The algorithm the envelope declares (`alg`); integrity checks it against the leaf key. */
  algorithm: SignatureAlgorithm;
  signedAttributes: SignedAttributes;
  unsignedAttributes: UnsignedAttributes;
  /** DER certificates, leaf first. */
  certificateChain: Uint8Array[];
  payload: { contentType: string; content: Uint8Array };
  /** The primitive signature bytes (what a timestamp's message imprint covers). */
  signature: Uint8Array;
  /** Exactly the bytes the signature covers, built from the envelope as received. */
  signingInput: Uint8Array;
}

/** What a signer supplies; times are truncated to whole seconds as notation does. */
export interface SignRequest {
  payload: Uint8Array;
  signingTime: Date;
  expiry?: Date;
  signingAgent?: string;
  /** Extra signed attributes, e.g. plugin headers; `critical` ones are listed in `crit`. */
  extendedAttributes?: { key: string; value: string | number | boolean; critical: boolean }[];
  /**
   * Obtains an RFC 3161 token over the primitive signature bytes (hash = the algorithm's hash).
   * Any failure must throw: signing aborts rather than produce an envelope without the asked-for timestamp.
   */
  timestamp?: (signature: Uint8Array, algorithm: SignatureAlgorithm) => Promise<Uint8Array>;
}

export function truncateToSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
