/**
 * The X.509 layer of the core: certificate parsing, chain and profile rules, validity checks
 * (spec digest §7, §8, §10 step 6, §11). The only place that reads X.509 structures.
 */
export {
  KEY_USAGE_BITS,
  MAX_CERTIFICATES_PER_FILE,
  MAX_CERTIFICATE_BYTES,
  MAX_CERTIFICATE_FILE_BYTES,
  OID,
  importVerificationKey,
  parseCertificate,
  parseCertificates,
  signatureAlgorithmForCertificate,
  type BasicConstraints,
  type Certificate,
  type CertificateExtension,
  type CertificatePublicKey,
  type CertificateSignatureAlgorithm,
  type ExtendedKeyUsage,
  type KeyUsage,
  type KeyUsageName
} from './certificate';
export type { DnAttribute } from './name';
export { validateCertificateChain, type ChainValidationOptions } from './chain';
export { validateCAProfile, validateLeafKey, validateLeafProfile, type ChainPurpose, type ProfileOptions } from './profile';
export { checkSignatureFrom, checkSignatureWithKey, isIssuedBy, isSelfSigned } from './signature';
export {
  checkTimestampRangeWithinValidity,
  checkValidityAt,
  checkValidityAtAuthenticSigningTime,
  type ValidityProblem
} from './validity';
export { goQuote } from './go-format';
