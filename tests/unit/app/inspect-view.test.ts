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
