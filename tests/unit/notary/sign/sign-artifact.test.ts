import { describe, expect, it } from 'vitest';
import { decodeEnvelope, verifyEnvelopeSignature } from '../../../../src/lib/notary/envelope';
import { parsePayload } from '../../../../src/lib/notary/payload';
import { parseSignatureManifest } from '../../../../src/lib/notary/signature-manifest';
import { parseExpiryDuration, signArtifact } from '../../../../src/lib/notary/sign/sign-artifact';
import { importVerificationKey, parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { chainSigner } from '../../../helpers/pki-signer';

const target = { mediaType: MediaType.ociManifest, digest: 'sha256:' + 'cd'.repeat(32), size: 7023 };
const clock = () => new Date('2026-01-02T03:04:05.678Z');

describe('signArtifact', () => {
  it.each(['cose', 'jws'] as const)('signs a target into a verifiable %s envelope and its signature manifest', async (format) => {
    const signer = await chainSigner('EC-384', { intermediates: 1 });
    const signed = await signArtifact(target, signer, {
      format,
      expirySeconds: 86400,
      userMetadata: { buildId: '42' },
      signingAgent: 'Signet/0.1.0',
      clock
    });
    expect(signed.signingTime.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(signed.expiry?.toISOString()).toBe('2026-01-03T03:04:05.000Z');
    const envelope = decodeEnvelope(signed.envelope, signed.envelopeMediaType);
    const leaf = await parseCertificate(envelope.certificateChain[0]!);
    expect(await verifyEnvelopeSignature(envelope, await importVerificationKey(leaf, envelope.algorithm))).toBe(true);
    expect(envelope.algorithm.jws).toBe('ES384');
    expect(envelope.certificateChain).toHaveLength(3);
    expect(parsePayload(envelope.payload.content).targetArtifact).toEqual({ ...target, annotations: { buildId: '42' } });

    const { manifest, envelope: layer } = parseSignatureManifest(signed.signatureManifest.manifest);
    expect(layer).toEqual(signed.signatureManifest.envelope);
    expect(layer.mediaType).toBe(format === 'cose' ? MediaType.cose : MediaType.jws);
    expect(manifest.subject).toEqual(target);
    const thumbprints = JSON.parse(manifest.annotations!['io.cncf.notary.x509chain.thumbprint#S256']!) as string[];
    const certs = await Promise.all(envelope.certificateChain.map((c) => parseCertificate(c)));
    expect(thumbprints).toEqual(certs.map((c) => c.sha256Fingerprint));
    expect(manifest.annotations!['org.opencontainers.image.created']).toBe('2026-01-02T03:04:05Z');
  });

  it('refuses reserved or clashing user metadata and bad expiries before signing', async () => {
    const signer = await chainSigner('EC-256');
    await expect(signArtifact(target, signer, { userMetadata: { 'io.cncf.notary.x': '1' } })).rejects.toThrowError(/reserved/);
    await expect(signArtifact({ ...target, annotations: { a: '1' } }, signer, { userMetadata: { a: '2' } })).rejects.toThrowError(/already an annotation/);
    await expect(signArtifact(target, signer, { expirySeconds: 0 })).rejects.toThrowError(/at least one second/);
  });

  it('parses notation-style durations', () => {
    expect(parseExpiryDuration('24h')).toBe(86400);
    expect(parseExpiryDuration('1h30m')).toBe(5400);
    expect(parseExpiryDuration('7d')).toBe(604800);
    expect(() => parseExpiryDuration('tomorrow')).toThrowError(/not a duration/);
    expect(() => parseExpiryDuration('')).toThrowError(/not a duration/);
  });
});
