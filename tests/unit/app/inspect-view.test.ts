import { describe, expect, it } from 'vitest';
import { describeSignatureManifest, inspectSignature, renderTreeText, signatureFileMediaType } from '../../../src/lib/app/inspect-view';
import { MediaType } from '../../../src/lib/oci/media-types';
import { ARTIFACT, envelopeFor, trustedSigner } from './helpers';

describe('inspect view', () => {
  it('shows a signature as notation inspect does, with the chain in detail', async () => {
    const { signer } = await trustedSigner('EC-384');
    for (const format of ['cose', 'jws'] as const) {
      const signed = await envelopeFor(signer, ARTIFACT, format);
      const mediaType = signatureFileMediaType(signed.envelope, `x.${format}.sig`);
      const view = await inspectSignature(signed.envelope, mediaType, { digest: signed.signatureManifest.descriptor.digest, now: new Date() });
      expect(view.mediaType).toBe(format === 'cose' ? MediaType.cose : MediaType.jws);
      expect(view.inspect.signatureAlgorithm).toBe('ECDSA-SHA-384');
      expect(view.inspect.signedArtifact).toEqual(ARTIFACT);
      const json = JSON.parse(view.json);
      expect(json.mediaType).toBe(ARTIFACT.mediaType);
      expect(json.Signatures[0].digest).toBe(signed.signatureManifest.descriptor.digest);
      expect(view.chain.map((c) => [c.role, c.subject, c.validity, c.isCA])).toEqual([
        ['leaf', 'CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US', 'valid', false],
        ['root', 'CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US', 'valid', true]
      ]);
      expect(view.chain[0]!.extendedKeyUsage).toEqual(['codeSigning']);
      expect(view.chain[0]!.publicKey).toBe('EC P-384');
      const text = renderTreeText(view.tree);
      expect(text.split('\n')[0]).toBe(signed.signatureManifest.descriptor.digest);
      expect(text).toContain(`├── media type: ${view.mediaType}`);
      expect(text).toContain('│   └── (empty)'); // no user metadata
      expect(text).toContain(`    ├── digest: ${ARTIFACT.digest}`);
    }
  });

  it('reads signature manifests in both shapes', async () => {
    const { signer } = await trustedSigner();
    const signed = await envelopeFor(signer, ARTIFACT);
    const view = describeSignatureManifest(signed.signatureManifest.manifest);
    expect(view.envelope.mediaType).toBe(MediaType.cose);
    expect(view.subject?.digest).toBe(ARTIFACT.digest);
    expect(view.thumbprints).toHaveLength(2);
    expect(view.thumbprints[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(() => describeSignatureManifest(new TextEncoder().encode('{"schemaVersion":2,"config":{},"layers":[]}'))).toThrow();
    expect(() => signatureFileMediaType(new Uint8Array([0x00]), 'data.bin')).toThrow(/neither a COSE/);
  });
});

describe('inspect view of a timestamped signature (notation-go vector NG-T-cose-valid)', () => {
  it('shows the RFC 3161 range and the TSA chain, and the tree carries them', async () => {
    const { readFixture } = await import('../../helpers/fixtures');
    const bytes = await readFixture('vectors/notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig');
    const mediaType = signatureFileMediaType(bytes, 'coseWithTimestamp.sig');
    expect(mediaType).toBe(MediaType.cose);
    const view = await inspectSignature(bytes, mediaType, { now: new Date('2025-01-01T00:00:00Z') });
    const ts = view.inspect.unsignedAttributes.timestampSignature!;
    expect(ts.error).toBeUndefined();
    expect(ts.timestamp).toBe('[2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]');
    expect(ts.certificates?.map((c) => c.issuedTo)).toContain('CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE');
    expect(view.chain[0]).toMatchObject({ role: 'leaf', subject: 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US', validity: 'valid' });
    const text = renderTreeText(view.tree);
    expect(text).toContain('timestamp signature');
    expect(text).toContain('timestamp: [2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]');
  });
});
