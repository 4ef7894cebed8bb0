/**
 * What `notation inspect` shows under "timestamp signature" (spec digest §14.1): the range the
 * token vouches for and the token's certificates, or the reason it could not be read. Like
 * notation, nothing is verified here beyond parsing and the imprint check.
 */
import type { Certificate } from '../x509/certificate';
import { formatGoTime, type GoTimeLayout } from './asn1';
import { TimestampError } from './errors';
import { parseTimestampToken } from './token';
import { formatTimestampRange, validateTimestampImprint } from './verify';

/** One certificate line group, with notation's JSON field names. */
export interface InspectCertificate {
  readonly SHA256Fingerprint: string;
  readonly issuedTo: string;
  readonly issuedBy: string;
  readonly expiry: string;
}

/** Mutable arrays on purpose: the value is handed to JSON output models as is. */
export type TimestampDescription = { timestamp: string; certificates: InspectCertificate[] } | { error: string };

/**
 * Output format of the surrounding `notation inspect`:
 * - `json` (v1.x `-o json`): RFC 3339, whole seconds;
 * - `json-v2` (v2/main `-o json`): RFC 3339 with nanoseconds;
 * - `tree` (default text output): Go's ANSIC layout, e.g. `Fri Sep 17 14:09:09 2021`.
 */
export type InspectFormat = 'json' | 'json-v2' | 'tree';

const LAYOUT: Readonly<Record<InspectFormat, GoTimeLayout>> = { json: 'RFC3339', 'json-v2': 'RFC3339Nano', tree: 'ANSIC' };

/** A certificate as `notation inspect` lists it. */
export function describeCertificate(cert: Certificate, format: InspectFormat = 'json'): InspectCertificate {
  return {
    SHA256Fingerprint: cert.sha256Fingerprint,
    issuedTo: cert.subject,
    issuedBy: cert.issuer,
    expiry: formatGoTime({ ns: BigInt(cert.notAfter.getTime()) * 1_000_000n, offsetMinutes: 0 }, LAYOUT[format])
  };
}

/**
 * The `timestampSignature` entry of `notation inspect` for an envelope's token (spec digest §14.1):
 * `{ timestamp: "[<genTime−accuracy>, <genTime+accuracy>]", certificates }` with every certificate
 * embedded in the token in token order, or `{ error: "failed to parse timestamp countersignature: …" }`
 * when the token does not parse or its imprint does not match `signatureBytes`. Never throws for
 * bad token bytes.
 */
export async function describeTimestamp(tokenBytes: Uint8Array, signatureBytes: Uint8Array, format: InspectFormat = 'json'): Promise<TimestampDescription> {
  try {
    const token = await parseTimestampToken(tokenBytes);
    const range = await validateTimestampImprint(token, signatureBytes);
    return {
      timestamp: formatTimestampRange(range, LAYOUT[format]),
      certificates: token.certificates.map((c) => describeCertificate(c, format))
    };
  } catch (e) {
    if (e instanceof TimestampError) return { error: `failed to parse timestamp countersignature: ${e.message}` };
    throw e;
  }
}
