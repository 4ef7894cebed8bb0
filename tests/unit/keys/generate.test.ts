import { describe, expect, it } from 'vitest';
import { KEY_SPECS, algorithmByKeySpec } from '../../../src/lib/notary/algorithms';
import { generateSigningKeyPair, parseKeySpec } from '../../../src/lib/keys/generate';
import { expectCode, expectExportRefused, signAndVerify } from './helpers';

describe('generateSigningKeyPair', () => {
  it.each(KEY_SPECS)('%s: non-extractable private key that signs with the Notary algorithm', async (keySpec) => {
    const pair = await generateSigningKeyPair(keySpec);
    const alg = algorithmByKeySpec(keySpec);
    expect(pair.keySpec).toBe(keySpec);
    expect(pair.privateKey.type).toBe('private');
    expect(pair.privateKey.usages).toEqual(['sign']);
    expect(pair.publicKey.usages).toEqual(['verify']);
    if (alg.keyType === 'RSA') {
      const a = pair.privateKey.algorithm as RsaHashedKeyAlgorithm;
      expect(a.name).toBe('RSA-PSS');
      expect(a.modulusLength).toBe(alg.keySize);
      expect(a.hash.name).toBe(alg.hash);
    } else {
      const a = pair.privateKey.algorithm as EcKeyAlgorithm;
      expect(a.name).toBe('ECDSA');
      expect(a.namedCurve).toBe(alg.curve);
    }
    expect(await signAndVerify(keySpec, pair.privateKey, pair.publicKey)).toBe(true);
    await expectExportRefused(pair.privateKey);
  });

  it('gives distinct keys on each call', async () => {
    const a = await generateSigningKeyPair('EC-256');
    const b = await generateSigningKeyPair('EC-256');
    const spkiA = new Uint8Array(await crypto.subtle.exportKey('spki', a.publicKey));
    const spkiB = new Uint8Array(await crypto.subtle.exportKey('spki', b.publicKey));
    expect(spkiA).not.toEqual(spkiB);
  });

  it('refuses key specs outside the six Notary ones', async () => {
    for (const bad of ['RSA-1024', 'EC-224', 'ed25519', '', 42, undefined]) {
      await expectCode(
        () => generateSigningKeyPair(bad as never),
        'ERR_INPUT_INVALID',
        /is not supported; expected one of RSA-2048, RSA-3072, RSA-4096, EC-256, EC-384, EC-521/
      );
    }
    expect(parseKeySpec('EC-521')).toBe('EC-521');
  });
});
