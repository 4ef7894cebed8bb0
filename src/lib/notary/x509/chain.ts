/**
 * Certificate chain rules (spec digest §8 "Chain rules"), as notation-core-go's
 * ValidateCodeSigningCertChain / ValidateTimestampingCertChain apply them, in the same order and
 * with the same messages.
 */
import { bytesEqual } from '../../bytes';
import { SignetError } from '../../errors';
import type { Certificate } from './certificate';
import { goQuote, goTimeString } from './go-format';
import { validateCAProfile, validateLeafProfile, type ChainPurpose, type ProfileOptions } from './profile';
import { checkSignatureWithKey, isIssuedBy, isSelfSigned } from './signature';

export type { ChainPurpose, ProfileOptions } from './profile';

export interface ChainValidationOptions extends ProfileOptions {
  /**
   * When signing: every certificate must be valid at this time (notation passes the signing time
   * here when it signs and nothing when it verifies; verification handles time in the
   * authentic-timestamp step, see validity.ts). Code-signing chains only.
   */
  signingTime?: Date;
}

function chainError(message: string): SignetError {
  return new SignetError('ERR_CERT_CHAIN_INVALID', message);
}

function checkSigningTime(cert: Certificate, signingTime: Date | undefined): void {
  if (signingTime === undefined) return;
  if (signingTime.getTime() < cert.notBefore.getTime() || signingTime.getTime() > cert.notAfter.getTime()) {
    throw new SignetError(
      signingTime.getTime() > cert.notAfter.getTime() ? 'ERR_CERT_EXPIRED' : 'ERR_CERT_NOT_YET_VALID',
      `certificate with subject ${goQuote(cert.subject)} was invalid at signing time of ${goTimeString(signingTime)}. ` +
        `Certificate is valid from [${goTimeString(cert.notBefore)}] to [${goTimeString(cert.notAfter)}]`
    );
  }
}

/**
 * Validates a chain ordered leaf → root for `purpose` (§8): each certificate is issued by the next
 * (signature verifies with the next certificate's key, which must be allowed to sign
 * certificates, and issuer DN bytes equal the next subject DN bytes); the last is self-signed and
 * no other is; a single certificate must be a self-signed, self-issued leaf. Then the profile
 * rules of profile.ts, certificate by certificate.
 *
 * Throws ERR_CERT_CHAIN_INVALID (structure, signatures), ERR_CERT_PROFILE (profile rules), or
 * ERR_CERT_EXPIRED / ERR_CERT_NOT_YET_VALID (options.signingTime). Messages are notation's.
 *
 * Deliberate difference: notation's single-certificate path uses Go's CheckSignature, which
 * still accepts a SHA-1 self-signature; the spec (§7) forbids SHA-1 anywhere in a chain and so
 * does this function.
 */
export async function validateCertificateChain(
  chain: readonly Certificate[],
  purpose: ChainPurpose,
  options: ChainValidationOptions = {}
): Promise<void> {
  if (chain.length < 1) throw chainError('certificate chain must contain at least one certificate');
  const signingTime = purpose === 'codeSigning' ? options.signingTime : undefined;

  if (chain.length === 1) {
    const cert = chain[0]!;
    const subject = goQuote(cert.subject);
    const sigError = await checkSignatureWithKey(cert, cert, false);
    if (sigError !== undefined) throw chainError(`invalid self-signed certificate. subject: ${subject}. Error: ${sigError}`);
    if (!bytesEqual(cert.rawSubject, cert.rawIssuer)) {
      // notation's two validators differ by a space here.
      const issuer = purpose === 'codeSigning' ? `issuer(${cert.issuer}) and subject(${cert.subject})` : `issuer (${cert.issuer}) and subject (${cert.subject})`;
      throw chainError(`invalid self-signed certificate. subject: ${subject}. Error: ${issuer} are not the same`);
    }
    checkSigningTime(cert, signingTime);
    try {
      validateLeafProfile(cert, purpose, options);
    } catch (e) {
      if (e instanceof SignetError) throw new SignetError(e.code, `invalid self-signed certificate. Error: ${e.message}`, { cause: e });
      throw e;
    }
    return;
  }

  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    const subject = goQuote(cert.subject);
    checkSigningTime(cert, signingTime);
    const self = await isSelfSigned(cert);
    if (i === chain.length - 1) {
      if (self.error !== undefined) {
        throw chainError(
          `root certificate with subject ${subject} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: ${self.error}`
        );
      }
      if (!self.selfSigned) {
        throw chainError(`root certificate with subject ${subject} is not self-signed. Certificate chain must end with a valid self-signed root certificate`);
      }
    } else {
      // A self-signed certificate before the end means a redundant root or a misordered chain.
      if (self.error === undefined && self.selfSigned) {
        throw chainError(
          i === 0
            ? `leaf certificate with subject ${subject} is self-signed. Certificate chain must not contain self-signed leaf certificate`
            : `intermediate certificate with subject ${subject} is self-signed. Certificate chain must not contain self-signed intermediate certificate`
        );
      }
      const parent = chain[i + 1]!;
      const issued = await isIssuedBy(cert, parent);
      if (issued.error !== undefined) {
        throw chainError(`invalid certificates or certificate with subject ${subject} is not issued by ${goQuote(parent.subject)}. Error: ${issued.error}`);
      }
      if (!issued.issued) throw chainError(`certificate with subject ${subject} is not issued by ${goQuote(parent.subject)}`);
    }
    if (i === 0) validateLeafProfile(cert, purpose, options);
    else validateCAProfile(cert, i - 1, purpose);
  }
}
