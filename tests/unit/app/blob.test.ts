// Blob signatures (spec digest §13) through the app layer, with real envelopes from a test PKI.
import { describe, expect, it } from 'vitest';
import { BLOB_MISMATCH_MESSAGE, blobStatement, verifyBlob } from '../../../src/lib/app/blob';
import { loadTrustMaterial } from '../../../src/lib/app/trust-material';
import { offlineRevocationChecker } from '../../../src/lib/notary/revocation/offline';
import { isSignetError } from '../../../src/lib/errors';
import { blobTarget, envelopeFor, policyJson, statement, trustedSigner } from './helpers';

const blob = new TextEncoder().encode('release notes for v1.2.3\n');

async function setup(keySpec: 'EC-256' | 'EC-384' = 'EC-256') {
  const { signer, material } = await trustedSigner(keySpec);
  const loaded = await loadTrustMaterial(material, { kind: 'stored', updatedAt: material.updatedAt });
  return { signer, loaded };
}

describe('verifyBlob', () => {
  it('verifies a file against its COSE and JWS signatures, hashing with the key’s algorithm', async () => {
    for (const [keySpec, algorithm] of [
      ['EC-256', 'sha256'],
      ['EC-384', 'sha384']
    ] as const) {
      const { signer, loaded } = await setup(keySpec);
      for (const format of ['cose', 'jws'] as const) {
        const signed = await envelopeFor(signer, await blobTarget(blob, algorithm), format);
        const result = await verifyBlob({
          blob,
          blobName: 'notes.txt',
          signature: signed.envelope,
          signatureName: `notes.txt.${format}.sig`,
          material: loaded,
          revocation: offlineRevocationChecker
        });
        expect(result.verified, `${keySpec} ${format}: ${result.message}`).toBe(true);
        expect(result.message).toBe(`Successfully verified signature notes.txt.${format}.sig for notes.txt`);
        expect(result.blob.digest.startsWith(`${algorithm}:`)).toBe(true);
        expect(result.signed?.digest).toBe(result.blob.digest);
        expect(result.view.rows.map((r) => [r.type, r.status])).toEqual([
          ['integrity', 'passed'],
          ['authenticity', 'passed'],
          ['expiry', 'passed'],
          ['authenticTimestamp', 'passed'],
          ['revocation', 'passed']
        ]);
      }
    }
  });

  it("fails with notation's wording when the file is not the one signed, and says what to do", async () => {
    const { signer, loaded } = await setup();
    const signed = await envelopeFor(signer, await blobTarget(blob));
    const changed = new TextEncoder().encode('release notes for v1.2.4\n');
    const result = await verifyBlob({ blob: changed, blobName: 'notes.txt', signature: signed.envelope, signatureName: 'notes.txt.cose.sig', material: loaded, revocation: offlineRevocationChecker });
    expect(result.verified).toBe(false);
    expect(result.view.result.failure).toEqual({ message: BLOB_MISMATCH_MESSAGE, code: 'ERR_BLOB_MISMATCH' });
    expect(result.message).toBe(`signature verification failed: ${BLOB_MISMATCH_MESSAGE}`);
    expect(result.view.failureAdvice).toMatch(/made for other content/);
    // The media type is compared only when the person names one.
    const typed = await verifyBlob({ blob, blobName: 'notes.txt', signature: signed.envelope, signatureName: 'notes.txt.cose.sig', material: loaded, revocation: offlineRevocationChecker, mediaType: 'text/plain' });
    expect(typed.view.result.failure?.message).toBe(BLOB_MISMATCH_MESSAGE);
  });

  it('rejects an untrusted signer at authenticity, with a fix sentence', async () => {
    const { loaded } = await setup();
    const stranger = await trustedSigner();
    const signed = await envelopeFor(stranger.signer, await blobTarget(blob));
    const result = await verifyBlob({ blob, blobName: 'notes.txt', signature: signed.envelope, signatureName: 'notes.txt.cose.sig', material: loaded, revocation: offlineRevocationChecker });
    expect(result.verified).toBe(false);
    const authenticity = result.view.rows.find((r) => r.type === 'authenticity')!;
    expect(authenticity.status).toBe('failed');
    expect(authenticity.message).toBe("the signature's certificate chain does not contain any trusted certificate");
    expect(authenticity.advice).toMatch(/^None of the signer's certificates is in the trust stores your policy names \(ca:app-test\)/);
  });

  it('picks the "*" statement, a named one, or asks which', async () => {
    const { signer, material } = await trustedSigner();
    const two = await loadTrustMaterial(
      { ...material, policy: policyJson([statement('a', { registryScopes: ['r.example/a'] }), statement('b', { registryScopes: ['r.example/b'] })]) },
      { kind: 'stored', updatedAt: '' }
    );
    let error: unknown;
    try {
      blobStatement(two);
    } catch (e) {
      error = e;
    }
    expect(isSignetError(error, 'ERR_TRUST_POLICY_NOT_APPLICABLE')).toBe(true);
    expect(blobStatement(two, 'b').name).toBe('b');
    expect(() => blobStatement(two, 'c')).toThrow('no trust policy statement is named "c"');
    const signed = await envelopeFor(signer, await blobTarget(blob));
    const r = await verifyBlob({ blob, blobName: 'n', signature: signed.envelope, signatureName: 'n.cose.sig', material: two, statementName: 'a', revocation: offlineRevocationChecker });
    expect(r.statement.name).toBe('a');
    expect(r.verified).toBe(true);
  });

  it('refuses a file that is not an envelope', async () => {
    const { loaded } = await setup();
    await expect(
      verifyBlob({ blob, blobName: 'n', signature: new Uint8Array([1, 2, 3]), signatureName: 'n.bin', material: loaded, revocation: offlineRevocationChecker })
    ).rejects.toThrow('n.bin is neither a COSE (CBOR tag 18) nor a JWS (JSON) signature envelope');
  });
});
