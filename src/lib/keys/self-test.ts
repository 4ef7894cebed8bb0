/**
 * A check a person can run on a stored key: does it still sign (and does the signature verify
 * with its public key), and does the browser refuse to export the private key? The second half
 * is the promise Signet makes about keys, so the UI shows it rather than asserting it.
 */
import { toArrayBuffer, utf8Encode } from '../bytes';
import { algorithmByKeySpec, signParams } from '../notary/algorithms';
import type { StoredKey } from './store';

export interface KeySelfTestResult {
  /** A fresh message signed with the private key verified with the public key. */
  readonly signatureVerified: boolean;
  /** Every `crypto.subtle.exportKey` format was refused for the private key. */
  readonly exportRefused: boolean;
  /** Milliseconds the signature took. */
  readonly signMillis: number;
  /** What went wrong when `signatureVerified` is false. */
  readonly signError?: string;
}

const EXPORT_FORMATS = ['pkcs8', 'jwk', 'raw', 'spki'] as const;

/** Signs and verifies a random message with `key`, then tries to export its private key in every format. */
export async function selfTestKey(key: Pick<StoredKey, 'keySpec' | 'privateKey' | 'publicKey'>): Promise<KeySelfTestResult> {
  const algorithm = algorithmByKeySpec(key.keySpec);
  const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const message = toArrayBuffer(utf8Encode(`signet key self-test ${nonce}`));
  let signatureVerified = false;
  let signError: string | undefined;
  const started = performance.now();
  let signMillis = 0;
  try {
    const signature = await crypto.subtle.sign(signParams(algorithm), key.privateKey, message);
    signMillis = performance.now() - started;
    signatureVerified = await crypto.subtle.verify(signParams(algorithm), key.publicKey, signature, message);
    if (!signatureVerified) signError = 'the signature did not verify with the public key';
  } catch (e) {
    signError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const exportRefused = await isExportRefused(key.privateKey);
  return { signatureVerified, exportRefused, signMillis, ...(signError ? { signError } : {}) };
}

/** True when `crypto.subtle.exportKey` refuses the private key in every format (pkcs8, jwk, raw, spki). */
export async function isExportRefused(privateKey: CryptoKey): Promise<boolean> {
  for (const format of EXPORT_FORMATS) {
    try {
      await crypto.subtle.exportKey(format, privateKey);
      return false;
    } catch {
      // expected: InvalidAccessError for a non-extractable key
    }
  }
  return true;
}
