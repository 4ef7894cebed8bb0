/**
 * Header rules shared by both envelope formats: which headers are system headers, what `crit`
 * must contain, and the signing/expiry time relation. Spec digest §4, §5.2, §6.2.
 */
import { SignetError } from '../../errors';
import { HeaderName, type SigningScheme } from './types';

export const SIGNING_SCHEMES: readonly SigningScheme[] = ['notary.x509', 'notary.x509.signingAuthority'];

export function parseSigningScheme(value: unknown): SigningScheme {
  if (typeof value !== 'string') {
    throw new SignetError('ERR_HEADER_INVALID', `protected header "${HeaderName.signingScheme}" must be a string`);
  }
  if (!SIGNING_SCHEMES.includes(value as SigningScheme)) {
    throw new SignetError('ERR_HEADER_INVALID', `unsupported signing scheme "${value}"; expected notary.x509 or notary.x509.signingAuthority`);
  }
  return value as SigningScheme;
}

/** The header carrying the signing time under each scheme. */
export function signingTimeHeader(scheme: SigningScheme): string {
  return scheme === 'notary.x509' ? HeaderName.signingTime : HeaderName.authenticSigningTime;
}

/**
 * Checks `crit` as a set, the way notation-core-go does: every header the spec requires to be
 * critical is listed (signingScheme; authenticSigningTime under the signing-authority scheme;
 * expiry when present), and every listed label is present in the protected header.
 */
export function checkCritical(
  crit: readonly (string | number)[],
  has: (label: string | number) => boolean,
  scheme: SigningScheme,
  hasExpiry: boolean
): void {
  if (crit.length === 0) throw new SignetError('ERR_CRIT_INVALID', 'protected header "crit" is missing or empty');
  const required = new Set<string>([HeaderName.signingScheme]);
  if (scheme === 'notary.x509.signingAuthority') required.add(HeaderName.authenticSigningTime);
  if (hasExpiry) required.add(HeaderName.expiry);
  for (const label of crit) {
    if (!has(label)) {
      throw new SignetError('ERR_CRIT_INVALID', `header ${JSON.stringify(label)} is marked critical but not present in the protected header`);
    }
    if (typeof label === 'string') required.delete(label);
  }
  if (required.size > 0) {
    throw new SignetError('ERR_CRIT_INVALID', `these required headers are not marked as critical: ${[...required].join(', ')}`);
  }
}

export function checkExpiry(signingTime: Date, expiry: Date | undefined): void {
  if (Number.isNaN(signingTime.getTime())) throw new SignetError('ERR_HEADER_INVALID', 'signing time is not a valid time');
  if (expiry && expiry.getTime() <= signingTime.getTime()) {
    throw new SignetError('ERR_HEADER_INVALID', 'expiry cannot be equal or before the signing time');
  }
}

/** Crit order notation writes (COSE): scheme, authentic time, expiry, critical extended keys. */
export function criticalLabels(
  scheme: SigningScheme,
  hasExpiry: boolean,
  extendedCritical: string[],
  format: 'cose' | 'jws'
): string[] {
  const crit = [HeaderName.signingScheme as string];
  // notation-core-go appends extended critical keys before the time/expiry labels in JWS and after them in COSE.
  if (format === 'jws') crit.push(...extendedCritical);
  if (scheme === 'notary.x509.signingAuthority') crit.push(HeaderName.authenticSigningTime);
  if (hasExpiry) crit.push(HeaderName.expiry);
  if (format === 'cose') crit.push(...extendedCritical);
  return crit;
}
