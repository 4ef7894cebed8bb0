/**
 * What `notation inspect` shows for a signature, as a typed object whose JSON has the same field
 * names as notation v1.3.2's `inspect -o json` (spec digest §14.1). Differences, on purpose:
 * - times from COSE envelopes are printed in UTC (notation prints them in the machine's zone);
 * - a signature that cannot be decoded is reported with its error instead of only being skipped.
 */
import { decodeEnvelope, type Envelope } from './envelope';
import { parsePayload } from './payload';
import { formatRfc3339, formatRfc3339InOffset, rfc3339Offset } from './time';
import { parseCertificate, type Certificate } from './x509/certificate';

export interface InspectCertificate {
  SHA256Fingerprint: string;
  issuedTo: string;
  issuedBy: string;
  expiry: string;
}

export interface InspectTimestamp {
  timestamp?: string;
  certificates?: InspectCertificate[];
  error?: string;
}

export interface InspectSignature {
  mediaType: string;
  /** The signature manifest digest (absent for a detached/blob signature file). */
  digest?: string;
  signatureAlgorithm: string;
  signedAttributes: Record<string, string>;
  /** The payload's annotations (user metadata), or null when there are none, as notation prints. */
  userDefinedAttributes: Record<string, string> | null;
  unsignedAttributes: { signingAgent?: string; timestampSignature?: InspectTimestamp };
  certificates: InspectCertificate[];
  signedArtifact: { mediaType: string; digest: string; size: number };
}

export interface InspectOutput {
  mediaType: string;
  /** Capitalised as in notation v1.3.2, whose Go field has no JSON tag. */
  Signatures: InspectSignature[];
}

/** Describes a timestamp token for display; supplied by the timestamp module. */
export type TimestampDescriber = (token: Uint8Array, signature: Uint8Array) => Promise<InspectTimestamp>;

export function describeCertificate(cert: Certificate): InspectCertificate {
  return {
    SHA256Fingerprint: cert.sha256Fingerprint,
    issuedTo: cert.subject,
    issuedBy: cert.issuer,
    expiry: formatRfc3339(cert.notAfter)
  };
}

function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `[${Array.from(value).join(' ')}]`;
  if (typeof value === 'object' && value !== null && 'tag' in value) return String((value as unknown as { value: unknown }).value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The signed attributes as notation prints them: scheme, times (RFC 3339), then extended attributes. */
export function describeSignedAttributes(envelope: Envelope): Record<string, string> {
  const sa = envelope.signedAttributes;
  const format = (date: Date, text?: string) => (text ? formatRfc3339InOffset(date, rfc3339Offset(text)) : formatRfc3339(date));
  const out: Record<string, string> = { signingScheme: sa.signingScheme, signingTime: format(sa.signingTime, sa.signingTimeText) };
  if (sa.expiry) out.expiry = format(sa.expiry, sa.expiryText);
  for (const attr of sa.extendedAttributes) out[String(attr.key)] = displayValue(attr.value);
  return out;
}

/**
 * Decodes an envelope and builds its inspect view. Throws a typed error for an envelope notation
 * would skip (malformed structure, unreadable certificate, invalid payload).
 */
export async function inspectEnvelope(
  bytes: Uint8Array,
  mediaType: string,
  options: { digest?: string; describeTimestamp?: TimestampDescriber } = {}
): Promise<InspectSignature> {
  const envelope = decodeEnvelope(bytes, mediaType);
  const certificates: Certificate[] = [];
  for (let i = 0; i < envelope.certificateChain.length; i++) {
    certificates.push(await parseCertificate(envelope.certificateChain[i]!, `certificate chain [${i}]`));
  }
  const { targetArtifact } = parsePayload(envelope.payload.content);
  const unsignedAttributes: InspectSignature['unsignedAttributes'] = {};
  const token = envelope.unsignedAttributes.timestampSignature;
  if (token) {
    unsignedAttributes.timestampSignature = options.describeTimestamp
      ? await options.describeTimestamp(token, envelope.signature)
      : { error: 'timestamp countersignature present; no timestamp reader was supplied to describe it' };
  }
  if (envelope.unsignedAttributes.signingAgent) unsignedAttributes.signingAgent = envelope.unsignedAttributes.signingAgent;
  const out: InspectSignature = {
    mediaType: envelope.mediaType,
    signatureAlgorithm: envelope.algorithm.name,
    signedAttributes: describeSignedAttributes(envelope),
    userDefinedAttributes: targetArtifact.annotations && Object.keys(targetArtifact.annotations).length > 0 ? targetArtifact.annotations : null,
    unsignedAttributes,
    certificates: certificates.map(describeCertificate),
    signedArtifact: { mediaType: targetArtifact.mediaType, digest: targetArtifact.digest, size: targetArtifact.size }
  };
  if (options.digest !== undefined) out.digest = options.digest;
  return out;
}

/** notation v1.3.2's `inspect -o json` text: Go's MarshalIndent with 4 spaces, keys in its order. */
export function formatInspectJson(output: InspectOutput): string {
  const ordered = {
    mediaType: output.mediaType,
    Signatures: output.Signatures.map((s) => ({
      mediaType: s.mediaType,
      digest: s.digest ?? '',
      signatureAlgorithm: s.signatureAlgorithm,
      signedAttributes: sortRecord(s.signedAttributes),
      userDefinedAttributes: s.userDefinedAttributes ? sortRecord(s.userDefinedAttributes) : null,
      unsignedAttributes: sortRecord(s.unsignedAttributes as Record<string, unknown>),
      certificates: s.certificates,
      signedArtifact: s.signedArtifact
    }))
  };
  return JSON.stringify(ordered, null, 4);
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
