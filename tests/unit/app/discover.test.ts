import { describe, expect, it } from 'vitest';
import { choosePlatform, pinnedReference, platformLabel, referrerKind, type ResolvedArtifact } from '../../../src/lib/app/discover';
import { parseReference } from '../../../src/lib/oci/reference';

describe('discover helpers', () => {
  it('sorts referrers by artifact type', () => {
    expect(referrerKind('application/vnd.cncf.notary.signature')).toBe('signature');
    expect(referrerKind('application/spdx+json')).toBe('sbom');
    expect(referrerKind('application/vnd.cyclonedx+json')).toBe('sbom');
    expect(referrerKind('application/vnd.in-toto+json')).toBe('attestation');
    expect(referrerKind('application/vnd.dev.sigstore.bundle.v0.3+json')).toBe('other');
  });

  it('labels platforms like docker does', () => {
    expect(platformLabel({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe('linux/arm64/v8');
    expect(platformLabel({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1040' })).toBe('windows/amd64 (10.0.17763.1040)');
    expect(platformLabel(undefined)).toBe('unknown');
  });

  it('pins references and only accepts platforms of the index', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    expect(pinnedReference('localhost:5000/app', d)).toBe(`localhost:5000/app@${d}`);
    const artifact: ResolvedArtifact = {
      input: 'x',
      reference: parseReference('localhost:5000/app:v1'),
      repository: 'localhost:5000/app',
      descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: d, size: 10 },
      byTag: true,
      platforms: [{ descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'b'.repeat(64), size: 5 }, label: 'linux/amd64' }]
    };
    expect(choosePlatform(artifact, 'sha256:' + 'b'.repeat(64)).size).toBe(5);
    expect(() => choosePlatform(artifact, 'sha256:' + 'c'.repeat(64))).toThrow(/is not a manifest of index/);
  });
});
