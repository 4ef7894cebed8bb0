/** A Signer over a freshly generated WebCrypto key pair, for tests that need real signatures. */
import { toArrayBuffer } from '../../src/lib/bytes';
import { algorithmByKeySpec, generateParams, signParams, type KeySpec } from '../../src/lib/notary/algorithms';
import type { Signer } from '../../src/lib/notary/ports';

export interface TestSigner extends Signer {
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

const cache = new Map<KeySpec, CryptoKeyPair>();

/** Generates (once per key spec per test file run) a key pair and wraps it as a Signer. */
export async function keySigner(keySpec: KeySpec, certificateChain: Uint8Array[] = [new Uint8Array([0x30, 0x00])]): Promise<TestSigner> {
  const algorithm = algorithmByKeySpec(keySpec);
  let pair = cache.get(keySpec);
  if (!pair) {
    pair = (await crypto.subtle.generateKey(generateParams(algorithm), false, ['sign', 'verify'])) as CryptoKeyPair;
    cache.set(keySpec, pair);
  }
  const { privateKey, publicKey } = pair;
  return {
    algorithm,
    certificateChain,
    publicKey,
    privateKey,
    async sign(data) {
      return new Uint8Array(await crypto.subtle.sign(signParams(algorithm), privateKey, toArrayBuffer(data)));
    }
  };
}
