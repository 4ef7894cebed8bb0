/**
 * Certificate validity windows against a time or a timestamp range (spec digest §8 "Validity",
 * §9 time checks, §10 step 6), with notation-go's messages. These return a finding instead of
 * throwing: the verifier records them as check results under the policy's enforcement.
 * Bounds are inclusive, as in Go (`Before`/`After` and tspclient's BoundedBefore/After).
 */
import type { SignetErrorCode } from '../../errors';
import { formatRfc1123z } from '../time';
import type { Certificate } from './certificate';
import { goQuote } from './go-format';

export interface ValidityProblem {
  readonly kind: 'notYetValid' | 'expired';
  readonly code: Extract<SignetErrorCode, 'ERR_CERT_EXPIRED' | 'ERR_CERT_NOT_YET_VALID'>;
  /** Index in the chain (0 = leaf). */
  readonly index: number;
  readonly certificate: Certificate;
  /** notation's wording, e.g. `verification time is after certificate "CN=…" validity period, it was expired at "Tue, 18 Jun 2024 07:30:31 +0000"`. */
  readonly message: string;
}

function problem(kind: ValidityProblem['kind'], index: number, certificate: Certificate, message: string): ValidityProblem {
  return { kind, code: kind === 'expired' ? 'ERR_CERT_EXPIRED' : 'ERR_CERT_NOT_YET_VALID', index, certificate, message };
}

/**
 * The first certificate (leaf first) not valid at `time`, or undefined when all are. Used when
 * there is no authentic timestamp: every certificate must be valid now (§8, notation-go
 * verifyTimestamp with timestamp verification off).
 */
export function checkValidityAt(chain: readonly Certificate[], time: Date): ValidityProblem | undefined {
  const t = time.getTime();
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (t < cert.notBefore.getTime()) {
      return problem(
        'notYetValid',
        i,
        cert,
        `verification time is before certificate ${goQuote(cert.subject)} validity period, it will be valid from "${formatRfc1123z(cert.notBefore)}"`
      );
    }
    if (t > cert.notAfter.getTime()) {
      return problem(
        'expired',
        i,
        cert,
        `verification time is after certificate ${goQuote(cert.subject)} validity period, it was expired at "${formatRfc1123z(cert.notAfter)}"`
      );
    }
  }
  return undefined;
}

/**
 * The first certificate whose validity does not contain the whole timestamp range
 * [earliest, latest] = genTime ± accuracy (§10 step 6), or undefined.
 */
export function checkTimestampRangeWithinValidity(
  chain: readonly Certificate[],
  range: { earliest: Date; latest: Date }
): ValidityProblem | undefined {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (range.earliest.getTime() < cert.notBefore.getTime()) {
      return problem(
        'notYetValid',
        i,
        cert,
        `timestamp can be before certificate ${goQuote(cert.subject)} validity period, it will be valid from "${formatRfc1123z(cert.notBefore)}"`
      );
    }
    if (range.latest.getTime() > cert.notAfter.getTime()) {
      return problem(
        'expired',
        i,
        cert,
        `timestamp can be after certificate ${goQuote(cert.subject)} validity period, it was expired at "${formatRfc1123z(cert.notAfter)}"`
      );
    }
  }
  return undefined;
}

/** RFC1123Z in the given RFC 3339 offset ("+08:00"); UTC when absent or "Z". */
function rfc1123zInOffset(date: Date, offset: string | undefined): string {
  const m = offset ? /^([+-])(\d{2}):(\d{2})$/.exec(offset) : null;
  if (!m) return formatRfc1123z(date);
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return formatRfc1123z(new Date(date.getTime() + minutes * 60_000)).replace(/\+0000$/, `${m[1]}${m[2]}${m[3]}`);
}

/**
 * Signing-authority scheme (§9): every certificate must have been valid at the authentic signing
 * time (an expired chain is fine if it was valid then).
 * @param offset the UTC offset the JWS header wrote the time in ("+08:00"); Go prints the time
 *   in that offset (INDEX §5.1). Omit for COSE (UTC).
 */
export function checkValidityAtAuthenticSigningTime(
  chain: readonly Certificate[],
  authenticSigningTime: Date,
  offset?: string
): ValidityProblem | undefined {
  const t = authenticSigningTime.getTime();
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (t < cert.notBefore.getTime() || t > cert.notAfter.getTime()) {
      return problem(
        t > cert.notAfter.getTime() ? 'expired' : 'notYetValid',
        i,
        cert,
        `certificate ${goQuote(cert.subject)} was not valid when the digital signature was produced at "${rfc1123zInOffset(authenticSigningTime, offset)}"`
      );
    }
  }
  return undefined;
}
