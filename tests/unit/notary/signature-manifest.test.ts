import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../../src/lib/bytes';
import { buildSignatureManifest, isSignatureManifestShape, parseSignatureManifest } from '../../../src/lib/notary/signature-manifest';
import { computeDigest } from '../../../src/lib/oci/digest';
import { parseImageManifest } from '../../../src/lib/oci/manifest';
import { MediaType } from '../../../src/lib/oci/media-types';

const subject = { mediaType: MediaType.ociManifest, digest: 'sha256:' + 'ab'.repeat(32), size: 1021, annotations: { dropped: 'yes' } };
const envelope = utf8Encode('{"payload":"x"}');
const chain = [utf8Encode('leaf'), utf8Encode('root')];

describe('signature manifests', () => {
  it('writes the manifest notation v1.3.2 writes (legacy config shape, Go key order, lowercase thumbprints)', async () => {
    const built = await buildSignatureManifest({
      envelope,
      envelopeMediaType: MediaType.jws,
      subject,
      signingTime: new Date('2025-03-04T05:06:07.900Z'),
      certificateChain: chain
    });
    const leaf = (await computeDigest(chain[0]!)).slice(7);
    const root = (await computeDigest(chain[1]!)).slice(7);
    expect(utf8Decode(built.manifest)).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.cncf.notary.signature","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/jose+json","digest":"${await computeDigest(envelope)}","size":${envelope.length}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${subject.digest}","size":1021},"annotations":{"io.cncf.notary.x509chain.thumbprint#S256":"[\\"${leaf}\\",\\"${root}\\"]","org.opencontainers.image.created":"2025-03-04T05:06:07Z"}}`
    );
    expect(built.descriptor).toEqual({ mediaType: MediaType.ociManifest, digest: await computeDigest(built.manifest), size: built.manifest.length });
    expect(isSignatureManifestShape(parseImageManifest(built.manifest))).toBe(true);
  });

  it('writes the artifactType shape on request', async () => {
    const built = await buildSignatureManifest({ envelope, envelopeMediaType: MediaType.cose, subject, signingTime: new Date(0), certificateChain: chain, shape: 'artifact-type' });
    const m = parseImageManifest(built.manifest);
    expect(m.artifactType).toBe(MediaType.notarySignature);
    expect(m.config.mediaType).toBe(MediaType.ociEmpty);
    expect(isSignatureManifestShape(m)).toBe(true);
    expect(parseSignatureManifest(built.manifest).envelope.mediaType).toBe(MediaType.cose);
  });

  it('rejects manifests that are not signature manifests, naming the problem', () => {
    const base = { schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.notarySignature, digest: 'sha256:' + '0'.repeat(64), size: 2 } };
    const layer = { mediaType: MediaType.jws, digest: 'sha256:' + '1'.repeat(64), size: 3 };
    expect(() => parseSignatureManifest(utf8Encode(JSON.stringify({ ...base, layers: [layer, layer] })))).toThrowError(/exactly one layer/);
    expect(() => parseSignatureManifest(utf8Encode(JSON.stringify({ ...base, layers: [] })))).toThrowError(/exactly one layer/);
    expect(() =>
      parseSignatureManifest(utf8Encode(JSON.stringify({ ...base, layers: [{ ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar' }] })))
    ).toThrowError(expect.objectContaining({ code: 'ERR_ENVELOPE_UNSUPPORTED' }));
    expect(() => parseSignatureManifest(utf8Encode('{"schemaVersion":1}'))).toThrowError(/schemaVersion must be 2/);
    expect(isSignatureManifestShape({ ...base, artifactType: MediaType.notarySignature, layers: [] } as never)).toBe(false);
  });
});
