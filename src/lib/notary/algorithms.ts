/**
 * The one table that binds key types to Notary signature algorithms, COSE/JWS identifiers,
 * hashes and WebCrypto parameters. The signing certificate's key decides the algorithm; an
 * envelope whose `alg` disagrees with its key is rejected (no algorithm substitution).
 * Spec: notaryproject/specifications signature-specification.md "Algorithm Selection".
 */
import { SignetError } from '../errors';
import type { DigestAlgorithm } from '../oci/digest';

export type KeySpec = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-256' | 'EC-384' | 'EC-521';
export type JwsAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export interface SignatureAlgorithm {
  keySpec: KeySpec;
  keyType: 'RSA' | 'EC';
  /** RSA modulus bits or EC field size bits. */
  keySize: number;
  /** Name used by notation (`notation inspect`, plugins). */
  name: 'RSASSA-PSS-SHA-256' | 'RSASSA-PSS-SHA-384' | 'RSASSA-PSS-SHA-512' | 'ECDSA-SHA-256' | 'ECDSA-SHA-384' | 'ECDSA-SHA-512';
  jws: JwsAlgorithm;
  cose: number;
  hash: HashName;
  /** Digest algorithm for blob payloads and timestamp imprints. */
  digest: DigestAlgorithm;
  /** Bytes of hash output (= PSS salt length). */
  hashLength: number;
  curve?: NamedCurve;
  /** Length in bytes of one ECDSA coordinate (r or s) in the raw r‖s signature. */
  ecCoordinateLength?: number;
}

export const ALGORITHMS: readonly SignatureAlgorithm[] = [
  { keySpec: 'RSA-2048', keyType: 'RSA', keySize: 2048, name: 'RSASSA-PSS-SHA-256', jws: 'PS256', cose: -37, hash: 'SHA-256', digest: 'sha256', hashLength: 32 },
  { keySpec: 'RSA-3072', keyType: 'RSA', keySize: 3072, name: 'RSASSA-PSS-SHA-384', jws: 'PS384', cose: -38, hash: 'SHA-384', digest: 'sha384', hashLength: 48 },
  { keySpec: 'RSA-4096', keyType: 'RSA', keySize: 4096, name: 'RSASSA-PSS-SHA-512', jws: 'PS512', cose: -39, hash: 'SHA-512', digest: 'sha512', hashLength: 64 },
  { keySpec: 'EC-256', keyType: 'EC', keySize: 256, name: 'ECDSA-SHA-256', jws: 'ES256', cose: -7, hash: 'SHA-256', digest: 'sha256', hashLength: 32, curve: 'P-256', ecCoordinateLength: 32 },
  { keySpec: 'EC-384', keyType: 'EC', keySize: 384, name: 'ECDSA-SHA-384', jws: 'ES384', cose: -35, hash: 'SHA-384', digest: 'sha384', hashLength: 48, curve: 'P-384', ecCoordinateLength: 48 },
  { keySpec: 'EC-521', keyType: 'EC', keySize: 521, name: 'ECDSA-SHA-512', jws: 'ES512', cose: -36, hash: 'SHA-512', digest: 'sha512', hashLength: 64, curve: 'P-521', ecCoordinateLength: 66 }
];

export const KEY_SPECS: readonly KeySpec[] = ALGORITHMS.map((a) => a.keySpec);

export function algorithmByKeySpec(keySpec: KeySpec): SignatureAlgorithm {
  const found = ALGORITHMS.find((a) => a.keySpec === keySpec);
  if (!found) throw new SignetError('ERR_ALGORITHM_UNSUPPORTED', `key spec ${String(keySpec)} is not one of ${KEY_SPECS.join(', ')}`);
  return found;
}

export function algorithmByJws(alg: unknown): SignatureAlgorithm {
  const found = ALGORITHMS.find((a) => a.jws === alg);
  if (!found) {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `signature algorithm ${JSON.stringify(alg)} is not supported; expected one of ${ALGORITHMS.map((a) => a.jws).join(', ')}`
    );
  }
  return found;
}

export function algorithmByCose(alg: unknown): SignatureAlgorithm {
  const found = ALGORITHMS.find((a) => a.cose === alg);
  if (!found) {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `COSE algorithm ${JSON.stringify(alg)} is not supported; expected one of ${ALGORITHMS.map((a) => `${a.cose} (${a.jws})`).join(', ')}`
    );
  }
  return found;
}

/** The algorithm a key of this type and size must use, or an error for any other key. */
export function algorithmForKey(keyType: string, keySize: number): SignatureAlgorithm {
  const found = ALGORITHMS.find((a) => a.keyType === keyType && a.keySize === keySize);
  if (!found) {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `${keyType} ${keySize}-bit keys are not supported by Notary signatures; use RSA 2048/3072/4096 or EC P-256/P-384/P-521`
    );
  }
  return found;
}

/** WebCrypto parameters to import a public or private key of this algorithm. */
export function importParams(alg: SignatureAlgorithm): RsaHashedImportParams | EcKeyImportParams {
  return alg.keyType === 'RSA' ? { name: 'RSA-PSS', hash: alg.hash } : { name: 'ECDSA', namedCurve: alg.curve! };
}

/** WebCrypto parameters to sign or verify with this algorithm (PSS salt = hash length). */
export function signParams(alg: SignatureAlgorithm): RsaPssParams | EcdsaParams {
  return alg.keyType === 'RSA' ? { name: 'RSA-PSS', saltLength: alg.hashLength } : { name: 'ECDSA', hash: alg.hash };
}

/** WebCrypto parameters to generate a key pair of this algorithm. */
export function generateParams(alg: SignatureAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  return alg.keyType === 'RSA'
    ? { name: 'RSA-PSS', modulusLength: alg.keySize, publicExponent: new Uint8Array([1, 0, 1]), hash: alg.hash }
    : { name: 'ECDSA', namedCurve: alg.curve! };
}
