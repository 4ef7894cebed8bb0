import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, notationTestSubject } from '../../../src/lib/keys/certificates';
import { generateSigningKeyPair } from '../../../src/lib/keys/generate';
import { isExportRefused, selfTestKey } from '../../../src/lib/keys/self-test';
import { createWebCryptoSigner } from '../../../src/lib/keys/webcrypto-signer';
import { algorithmByKeySpec, generateParams, KEY_SPECS } from '../../../src/lib/notary/algorithms';
import { decodeEnvelope, verifyEnvelopeSignature } from '../../../src/lib/notary/envelope';
import { signArtifact } from '../../../src/lib/notary/sign/sign-artifact';
import { importVerificationKey, parseCertificate } from '../../../src/lib/notary/x509';
import { MediaType } from '../../../src/lib/oci/media-types';
import { expectCode } from './helpers';

const target = { mediaType: MediaType.ociManifest, digest: `sha256:${'ab'.repeat(32)}`, size: 1234 };

describe('createWebCryptoSigner', () => {
  it.each(KEY_SPECS)('%s: envelopes signed with a non-extractable key verify with its certificate', async (keySpec) => {
    const pair = await generateSigningKeyPair(keySpec);
    const cert = await createSelfSignedCertificate(pair, { subject: notationTestSubject('signer-test') });
    const signer = createWebCryptoSigner({ name: 'signer-test', ...pair, certificateChain: [cert] });
    expect(signer.algorithm).toBe(algorithmByKeySpec(keySpec));
    expect(signer.certificateChain).toEqual([cert]);
    for (const format of ['cose', 'jws'] as const) {
      const signed = await signArtifact(target, signer, { format });
      const envelope = decodeEnvelope(signed.envelope, signed.envelopeMediaType);
      expect(envelope.algorithm.keySpec).toBe(keySpec);
      const leaf = await parseCertificate(envelope.certificateChain[0]!);
      expect(await verifyEnvelopeSignature(envelope, await importVerificationKey(leaf, envelope.algorithm))).toBe(true);
    }
  });

  it('refuses a key without a certificate, saying what to do', async () => {
    const pair = await generateSigningKeyPair('EC-256');
    await expectCode(() => createWebCryptoSigner({ name: 'bare', ...pair }), 'ERR_KEY_INVALID', /key "bare" has no certificate; create a self-signed test certificate or import/);
    await expectCode(() => createWebCryptoSigner({ name: 'bare', ...pair, certificateChain: [] }), 'ERR_KEY_INVALID');
  });

  it('reports a key that cannot sign as ERR_SIGN_FAILED', async () => {
    const pair = await generateSigningKeyPair('EC-256');
    const verifyOnly = await crypto.subtle.generateKey(generateParams(algorithmByKeySpec('EC-256')), false, ['sign', 'verify']);
    const signer = createWebCryptoSigner({ name: 'wrong', keySpec: 'EC-256', privateKey: (verifyOnly as CryptoKeyPair).publicKey, certificateChain: [new Uint8Array([1])] });
    await expectCode(signer.sign(new Uint8Array([1, 2, 3])), 'ERR_SIGN_FAILED', /key "wrong" could not sign/);
    expect(pair.privateKey.extractable).toBe(false);
  });
});

describe('selfTestKey', () => {
  it('reports a working non-extractable key as verified and export-refused', async () => {
    const pair = await generateSigningKeyPair('EC-384');
    const result = await selfTestKey(pair);
    expect(result).toMatchObject({ signatureVerified: true, exportRefused: true });
    expect(result.signError).toBeUndefined();
  });

  it('notices an exportable key and a public key that does not match', async () => {
    const alg = algorithmByKeySpec('EC-256');
    const exportable = (await crypto.subtle.generateKey(generateParams(alg), true, ['sign', 'verify'])) as CryptoKeyPair;
    expect((await selfTestKey({ keySpec: 'EC-256', ...exportable })).exportRefused).toBe(false);
    const other = await generateSigningKeyPair('EC-256');
    const mismatched = await selfTestKey({ keySpec: 'EC-256', privateKey: exportable.privateKey, publicKey: other.publicKey });
    expect(mismatched.signatureVerified).toBe(false);
    expect(mismatched.signError).toMatch(/did not verify/);
  });
});

describe('isExportRefused', () => {
  it('is true for a non-extractable private key and false for an extractable one', async () => {
    const alg = algorithmByKeySpec('RSA-2048');
    const locked = await generateSigningKeyPair('RSA-2048');
    const open = (await crypto.subtle.generateKey(generateParams(alg), true, ['sign', 'verify'])) as CryptoKeyPair;
    expect(await isExportRefused(locked.privateKey)).toBe(true);
    expect(await isExportRefused(open.privateKey)).toBe(false);
  });
});
