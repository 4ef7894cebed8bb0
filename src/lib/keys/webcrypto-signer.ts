/**
 * The Notary `Signer` port over a stored browser key: signing happens inside WebCrypto with the
 * non-extractable private key; the envelope gets the certificate chain kept with the key.
 * RSA keys sign RSASSA-PSS with salt = hash length, EC keys return raw r‖s (spec digest §5.4, §7).
 */
import { toArrayBuffer } from '../bytes';
import { SignetError } from '../errors';
import { algorithmByKeySpec, signParams } from '../notary/algorithms';
import type { Signer } from '../notary/ports';
import type { StoredKey } from './store';

/**
 * A Signer for `key`. ERR_KEY_INVALID when the key has no certificate yet (create a self-signed
 * one or import the chain a CA issued first).
 */
export function createWebCryptoSigner(key: Pick<StoredKey, 'name' | 'keySpec' | 'privateKey' | 'certificateChain'>): Signer {
  const chain = key.certificateChain;
  if (!chain || chain.length === 0) {
    throw new SignetError(
      'ERR_KEY_INVALID',
      `key "${key.name}" has no certificate; create a self-signed test certificate or import the chain your CA issued for it before signing`
    );
  }
  const algorithm = algorithmByKeySpec(key.keySpec);
  const certificateChain = Object.freeze(chain.map((c) => c.slice()));
  const privateKey = key.privateKey;
  return {
    algorithm,
    certificateChain,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      try {
        return new Uint8Array(await crypto.subtle.sign(signParams(algorithm), privateKey, toArrayBuffer(data)));
      } catch (cause) {
        throw new SignetError(
          'ERR_SIGN_FAILED',
          `key "${key.name}" could not sign (${cause instanceof Error ? cause.message : String(cause)}); the stored key may be damaged — delete it and create a new one`,
          { cause }
        );
      }
    }
  };
}
