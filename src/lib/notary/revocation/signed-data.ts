/**
 * Signature checks over OCSP responses and CRLs with the certificate signature code of ../x509,
 * with Go's `Certificate.CheckSignature(algo, signed, signature)` semantics, which is what
 * notation-core-go (through golang.org/x/crypto/ocsp and crypto/x509) uses for both: SHA-1 is
 * still accepted there, MD2/MD5 are not.
 */
import type { Certificate } from '../x509/certificate';
import { checkSignatureWithKey } from '../x509/signature';
import type { AlgorithmIdentifier } from './asn1';

export interface SignedData {
  readonly algorithm: AlgorithmIdentifier;
  /** The exact bytes that were signed. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * golang.org/x/crypto/ocsp knows only these signature algorithms (no RSASSA-PSS, no Ed25519);
 * any other makes Go's check fail, so an OCSP response signed otherwise is refused here too.
 */
const OCSP_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512'
};

const OTHER_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2-RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.3.101.112': 'Ed25519'
};

/** Go's name of a signature algorithm (for messages), or its OID. */
export function signatureAlgorithmName(oid: string): string {
  return OCSP_SIGNATURE_ALGORITHMS[oid] ?? OTHER_NAMES[oid] ?? oid;
}

/**
 * Verifies `signed` with `signer`'s public key. Returns undefined when the signature is valid,
 * else a sentence saying why not. `ocsp` limits the algorithms to those x/crypto/ocsp knows.
 */
export async function checkSignedData(signed: SignedData, signer: Certificate, options: { ocsp: boolean }): Promise<string | undefined> {
  const { oid, parameters } = signed.algorithm;
  if (options.ocsp && !(oid in OCSP_SIGNATURE_ALGORITHMS)) return `unsupported OCSP signature algorithm ${signatureAlgorithmName(oid)}`;
  // checkSignatureWithKey reads only the signed part of its first argument: present the signed
  // data as a certificate whose TBS, algorithm and signature are those of the response/CRL.
  const asSigned: Certificate = {
    ...signer,
    signatureAlgorithmOid: oid,
    signatureAlgorithm: parameters ? { oid, name: signatureAlgorithmName(oid), parameters } : { oid, name: signatureAlgorithmName(oid) },
    tbs: signed.tbs,
    signature: signed.signature
  };
  return checkSignatureWithKey(asSigned, signer, true);
}
