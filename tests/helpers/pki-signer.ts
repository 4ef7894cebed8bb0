/** A Notary Signer over a test PKI chain (tests/helpers/test-pki.ts): real certificates, real keys. */
import { toArrayBuffer } from '../../src/lib/bytes';
import { algorithmByKeySpec, signParams, type KeySpec } from '../../src/lib/notary/algorithms';
import type { Signer } from '../../src/lib/notary/ports';
import { createTestChain, signingKey, type TestChain, type TestChainOptions } from './test-pki';

export async function chainSigner(keySpec: KeySpec, options: TestChainOptions = {}): Promise<Signer & { pki: TestChain }> {
  const pki = await createTestChain({ keySpec, ...options });
  const algorithm = algorithmByKeySpec(keySpec);
  const key = await signingKey(pki.leaf.key);
  return {
    pki,
    algorithm,
    certificateChain: pki.chain,
    async sign(data) {
      return new Uint8Array(await crypto.subtle.sign(signParams(algorithm), key, toArrayBuffer(data)));
    }
  };
}
