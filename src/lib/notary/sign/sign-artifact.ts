/**
 * Signing an artifact, the pure part: from the target's descriptor and a Signer to the envelope and
 * the signature manifest notation would push (spec digest §15, signer recipe). Pushing is the
 * registry layer's job; this module does no I/O beyond the Signer and timestamp ports.
 */
import { SignetError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { ENVELOPE_MEDIA_TYPES, signEnvelope, truncateToSeconds, type EnvelopeFormat, type SignRequest } from '../envelope';
import { encodePayload, targetDescriptor } from '../payload';
import type { Clock, Signer } from '../ports';
import { systemClock } from '../ports';
import { buildSignatureManifest, type BuiltSignatureManifest, type SignatureManifestShape } from '../signature-manifest';

export interface SignArtifactOptions {
  /** COSE is Signet's default (notation v1.3.2 defaults to JWS). */
  format?: EnvelopeFormat;
  /** Validity of the signature from the signing time, in seconds (notation's `--expiry`). */
  expirySeconds?: number;
  /** notation's `-m key=value`: goes into the payload's target annotations. */
  userMetadata?: Record<string, string>;
  signingAgent?: string;
  /** RFC 3161 countersignature over the signature bytes; a failure aborts signing. */
  timestamp?: SignRequest['timestamp'];
  shape?: SignatureManifestShape;
  clock?: Clock;
}

export interface SignedArtifact {
  envelope: Uint8Array;
  envelopeMediaType: string;
  signingTime: Date;
  expiry?: Date;
  signatureManifest: BuiltSignatureManifest;
}

/** Signet's signing agent string, recorded in the unsigned header like notation's. */
export function signingAgentFor(version: string): string {
  return `Signet/${version}`;
}

/**
 * Signs `target` (the descriptor of the manifest to sign, as the registry reports it) and builds
 * the signature manifest whose subject is that descriptor.
 */
export async function signArtifact(target: Descriptor, signer: Signer, options: SignArtifactOptions = {}): Promise<SignedArtifact> {
  const format = options.format ?? 'cose';
  const signingTime = truncateToSeconds((options.clock ?? systemClock)());
  let expiry: Date | undefined;
  if (options.expirySeconds !== undefined) {
    if (!Number.isFinite(options.expirySeconds) || options.expirySeconds < 1) {
      throw new SignetError('ERR_INPUT_INVALID', `expiry must be at least one second, got ${options.expirySeconds}`);
    }
    expiry = new Date(signingTime.getTime() + Math.floor(options.expirySeconds) * 1000);
  }
  const descriptor = targetDescriptor(target, options.userMetadata);
  const envelope = await signEnvelope(
    format,
    {
      payload: encodePayload(descriptor, format),
      signingTime,
      expiry,
      signingAgent: options.signingAgent,
      timestamp: options.timestamp
    },
    signer
  );
  const envelopeMediaType = ENVELOPE_MEDIA_TYPES[format];
  const signatureManifest = await buildSignatureManifest({
    envelope,
    envelopeMediaType,
    subject: target,
    signingTime,
    certificateChain: signer.certificateChain,
    shape: options.shape
  });
  return { envelope, envelopeMediaType, signingTime, expiry, signatureManifest };
}

/**
 * Parses a notation/Go-style duration for `--expiry` ("24h", "90m", "1h30m", "3600s"); days are
 * accepted as "7d" for convenience, which Go's time.ParseDuration does not.
 */
export function parseExpiryDuration(text: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  const re = /(\d+(?:\.\d+)?)([smhd])/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (text.length === 0 || consumed !== text.length || total < 1) {
    throw new SignetError('ERR_INPUT_INVALID', `expiry "${text}" is not a duration like 24h, 90m, 1h30m or 7d`);
  }
  return Math.floor(total);
}
