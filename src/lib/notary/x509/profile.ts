/**
 * The Notary certificate profile (spec digest §8) for code-signing and timestamping chains, as
 * notation-core-go v1.3.0 applies it. Messages are notation's, word for word. Where the spec and
 * notation differ, notation wins (Signet must reach notation's decisions) unless an option says
 * otherwise; each such place is marked GAP.
 */
import { SignetError } from '../../errors';
import { algorithmForKey } from '../algorithms';
import { OID, type Certificate, type KeyUsageName } from './certificate';
import { goQuote } from './go-format';

export type ChainPurpose = 'codeSigning' | 'timestamping';

export interface ProfileOptions {
  /**
   * GAP (§8 code-signing EKU): the spec forbids anyExtendedKeyUsage in a code-signing leaf but
   * notation accepts it. Default false = notation's behaviour (for verification); set true when
   * issuing or checking one's own signing certificate to satisfy the spec as well.
   */
  rejectAnyExtendedKeyUsage?: boolean;
}

function profileError(message: string): SignetError {
  return new SignetError('ERR_CERT_PROFILE', message);
}

function hasExtension(cert: Certificate, oid: string): { present: boolean; critical: boolean } {
  const ext = cert.extensions.find((e) => e.oid === oid);
  return { present: ext !== undefined, critical: ext?.critical === true };
}

function has(cert: Certificate, usage: KeyUsageName): boolean {
  return cert.keyUsage?.usages.includes(usage) === true;
}

/**
 * CA rules for the certificate at chain index i ≥ 1; `expectedPathLen` is i − 1 (the number of
 * CA certificates below it).
 * GAP: the spec requires basicConstraints to be critical; notation checks only presence and
 * cA=true (its message nevertheless says "critical"), so a non-critical CA basicConstraints passes.
 */
export function validateCAProfile(cert: Certificate, expectedPathLen: number, purpose: ChainPurpose): void {
  const subject = goQuote(cert.subject);
  if (!cert.basicConstraints || !cert.basicConstraints.cA) {
    throw profileError(`certificate with subject ${subject}: ca field in basic constraints must be present, critical, and set to true`);
  }
  // Go treats a negative pathLenConstraint like an absent one.
  const pathLen = cert.basicConstraints.pathLenConstraint;
  if (pathLen !== undefined && pathLen >= 0 && pathLen < expectedPathLen) {
    throw profileError(`certificate with subject ${subject}: expected path length of ${expectedPathLen} but certificate has path length ${pathLen} instead`);
  }
  checkKeyUsagePresent(cert, purpose);
  if (!has(cert, 'keyCertSign')) {
    throw profileError(`certificate with subject ${subject}: key usage must have the bit positions for key cert sign set`);
  }
}

/**
 * keyUsage must be present; for code signing it must also be critical. Timestamping: the spec
 * says "should be critical" and notation does not check it.
 */
function checkKeyUsagePresent(cert: Certificate, purpose: ChainPurpose): void {
  const subject = goQuote(cert.subject);
  const ku = hasExtension(cert, OID.keyUsage);
  if (ku.present && !ku.critical && purpose === 'codeSigning') {
    throw profileError(`certificate with subject ${subject}: key usage extension must be marked critical`);
  }
  if (!ku.present) throw profileError(`certificate with subject ${subject}: key usage extension must be present`);
}

const FORBIDDEN_LEAF_USAGES: readonly [KeyUsageName, string][] = [
  ['keyEncipherment', 'KeyEncipherment'],
  ['dataEncipherment', 'DataEncipherment'],
  ['keyAgreement', 'KeyAgreement'],
  ['keyCertSign', 'CertSign'],
  ['cRLSign', 'CRLSign'],
  ['encipherOnly', 'EncipherOnly'],
  ['decipherOnly', 'DecipherOnly']
];

/** Code-signing EKUs notation refuses, in its order, with its names. */
const FORBIDDEN_CODE_SIGNING_EKUS: readonly [string, string][] = [
  [OID.ekuServerAuth, 'ServerAuth'],
  [OID.ekuClientAuth, 'ClientAuth'],
  [OID.ekuEmailProtection, 'EmailProtection'],
  [OID.ekuTimeStamping, 'Timestamping'],
  [OID.ekuOcspSigning, 'OCSPSigning']
];

/** Leaf rules (chain index 0, or a single self-signed certificate). */
export function validateLeafProfile(cert: Certificate, purpose: ChainPurpose, options: ProfileOptions = {}): void {
  const subject = goQuote(cert.subject);
  if (cert.basicConstraints?.cA === true) {
    throw profileError(`certificate with subject ${subject}: if the basic constraints extension is present, the ca field must be set to false`);
  }
  checkKeyUsagePresent(cert, purpose);
  if (!has(cert, 'digitalSignature')) {
    throw profileError(`the certificate with subject ${subject} is invalid. The key usage must have the bit positions for "Digital Signature" set`);
  }
  const forbidden = FORBIDDEN_LEAF_USAGES.filter(([usage]) => has(cert, usage)).map(([, name]) => `"${name}"`);
  if (forbidden.length > 0) {
    throw profileError(`the certificate with subject ${subject} is invalid. The key usage must be "Digital Signature" only, but found ${forbidden.join(', ')}`);
  }
  const ekus = cert.extendedKeyUsage?.oids ?? [];
  if (purpose === 'codeSigning') {
    // GAP: notation also refuses OCSPSigning (the spec does not) and accepts anyExtendedKeyUsage
    // (the spec forbids it); we follow notation unless rejectAnyExtendedKeyUsage is set.
    for (const eku of ekus) {
      const hit = FORBIDDEN_CODE_SIGNING_EKUS.find(([oid]) => oid === eku);
      if (hit) throw profileError(`certificate with subject ${subject}: extended key usage must not contain ${hit[1]} eku`);
      if (options.rejectAnyExtendedKeyUsage && eku === OID.ekuAny) {
        throw profileError(`certificate with subject ${subject}: extended key usage must not contain Any eku`);
      }
    }
  } else {
    // RFC 3161 §2.3: exactly one EKU, id-kp-timeStamping, in a critical extension.
    if (ekus.length !== 1 || ekus[0] !== OID.ekuTimeStamping) {
      throw profileError(`timestamp signing certificate with subject ${subject} must have and only have Timestamping as extended key usage`);
    }
    if (!hasExtension(cert, OID.extKeyUsage).critical) {
      throw profileError(`timestamp signing certificate with subject ${subject} must have extended key usage extension marked as critical`);
    }
  }
  validateLeafKey(cert);
}

/** The leaf key must be one of the six Notary key specs (§7). */
export function validateLeafKey(cert: Certificate): void {
  const { keyType, keySize } = cert.publicKey;
  let detail: string | undefined;
  if (keyType === 'RSA') {
    if (![2048, 3072, 4096].includes(keySize)) detail = `rsa key size ${keySize} bits is not supported`;
  } else if (keyType === 'EC') {
    if (![256, 384, 521].includes(keySize)) detail = `ecdsa key size ${keySize} bits is not supported`;
  } else {
    detail = 'unsupported public key type';
  }
  if (detail === undefined) {
    algorithmForKey(keyType, keySize); // the algorithm table agrees
    return;
  }
  throw profileError(`certificate with subject ${goQuote(cert.subject)}: ${detail}`);
}
