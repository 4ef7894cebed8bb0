/**
 * The documented verification result: one entry per signature looked at, one row per check, each
 * with the action the policy gave it and its outcome. The app, the CLI's JSON output and share
 * links all render this shape.
 */
import type { CheckAction, CheckType } from '../policy/types';

export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  type: CheckType;
  action: CheckAction;
  /** `failed` with action `log` is a warning: the signature can still pass. */
  outcome: CheckOutcome;
  /** notation's wording when the check failed (or why it was skipped). */
  message?: string;
}

export interface SignerSummary {
  subject: string;
  issuer: string;
  sha256Fingerprint: string;
  notAfter: string;
}

export interface SignatureResult {
  /** Signature manifest digest, when the signature came from a registry. */
  digest?: string;
  envelopeMediaType?: string;
  verified: boolean;
  /** The verification level name, `custom` when overrides apply. */
  level: string;
  checks: CheckResult[];
  /** The enforced failure (or post-check failure) that rejected the signature. */
  failure?: { check?: CheckType; message: string; code?: string };
  signer?: SignerSummary;
  /** notation's name of the envelope's algorithm, e.g. RSASSA-PSS-SHA-256. */
  signatureAlgorithm?: string;
  signingTime?: string;
  /** The target descriptor the signature payload names. */
  signedArtifact?: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> };
}

export interface ArtifactResult {
  /** `<registry>/<repository>@<digest>` as verified. */
  reference: string;
  verified: boolean;
  /** The policy statement that applied. */
  policy?: string;
  level?: string;
  /** Every signature looked at, in the order examined. */
  signatures: SignatureResult[];
  /** Why verification failed as a whole (no signature, limit reached, skip level...). */
  message: string;
}
