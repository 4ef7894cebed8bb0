/**
 * Key generation for browser signing keys. The private key is created non-extractable, so no
 * script (ours included) can ever read its bytes; only this origin can ask WebCrypto to sign.
 * Spec digest §7: only the six Notary key specs exist.
 */
import { SignetError } from '../errors';
import { KEY_SPECS, algorithmByKeySpec, generateParams, type KeySpec } from '../notary/algorithms';

/** A signing key pair: private key non-extractable (`sign`), public key (`verify`, exportable). */
export interface SigningKeyPair {
  readonly keySpec: KeySpec;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Narrows an untrusted value (form field, stored record) to a KeySpec, or throws ERR_INPUT_INVALID. */
export function parseKeySpec(value: unknown, what = 'key spec'): KeySpec {
  if (typeof value === 'string' && (KEY_SPECS as readonly string[]).includes(value)) return value as KeySpec;
  throw new SignetError('ERR_INPUT_INVALID', `${what} ${JSON.stringify(value)} is not supported; expected one of ${KEY_SPECS.join(', ')}`);
}

/**
 * Generates an RSA-PSS 2048/3072/4096 or ECDSA P-256/P-384/P-521 key pair whose private key is
 * non-extractable (spec digest §7, §17). RSA keys are bound to the spec's hash, as WebCrypto
 * requires, so the key can only ever sign with the algorithm its certificate will demand.
 */
export async function generateSigningKeyPair(keySpec: KeySpec): Promise<SigningKeyPair> {
  const algorithm = algorithmByKeySpec(parseKeySpec(keySpec));
  let pair: CryptoKeyPair;
  try {
    pair = (await crypto.subtle.generateKey(generateParams(algorithm), false, ['sign', 'verify'])) as CryptoKeyPair;
  } catch (cause) {
    throw new SignetError(
      'ERR_UNSUPPORTED',
      `this browser could not generate a ${keySpec} key (${cause instanceof Error ? cause.message : String(cause)}); try another key spec or browser`,
      { cause }
    );
  }
  return { keySpec, privateKey: pair.privateKey, publicKey: pair.publicKey };
}
