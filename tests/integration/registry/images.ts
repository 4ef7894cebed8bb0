/**
 * Test content built by the tests themselves: small random config + layer blobs and the image
 * manifests/indexes that point at them, plus referrer manifests in both Notary shapes.
 */
import { base64Encode, utf8Encode } from '../../../src/lib/bytes';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { computeDigest } from '../../../src/lib/oci/digest';
import { Annotation, EMPTY_JSON, MediaType } from '../../../src/lib/oci/media-types';
import type { Repository } from '../../../src/lib/registry/repository';

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export interface TestImage {
  manifest: Uint8Array;
  mediaType: string;
  descriptor: Descriptor;
  config: { bytes: Uint8Array; descriptor: Descriptor };
  layer: { bytes: Uint8Array; descriptor: Descriptor };
}

/** A random image: a JSON config and one random layer, as an OCI or Docker schema2 manifest. */
export async function buildImage(options: { layerSize?: number; flavour?: 'oci' | 'docker' } = {}): Promise<TestImage> {
  const docker = options.flavour === 'docker';
  const configBytes = utf8Encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, signet: base64Encode(randomBytes(12)) })
  );
  const layerBytes = randomBytes(options.layerSize ?? 1024);
  const config: Descriptor = {
    mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
    digest: await computeDigest(configBytes),
    size: configBytes.length
  };
  const layer: Descriptor = {
    mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar',
    digest: await computeDigest(layerBytes),
    size: layerBytes.length
  };
  const mediaType = docker ? MediaType.dockerManifest : MediaType.ociManifest;
  const manifest = utf8Encode(JSON.stringify({ schemaVersion: 2, mediaType, config, layers: [layer] }));
  return {
    manifest,
    mediaType,
    descriptor: { mediaType, digest: await computeDigest(manifest), size: manifest.length },
    config: { bytes: configBytes, descriptor: config },
    layer: { bytes: layerBytes, descriptor: layer }
  };
}

/** Pushes the blobs and the manifest under `tag` (or by digest). */
export async function pushImage(repo: Repository, image: TestImage, tag?: string): Promise<Descriptor> {
  await repo.pushBlob(image.config.bytes);
  await repo.pushBlob(image.layer.bytes);
  const pushed = await repo.pushManifest(image.manifest, { mediaType: image.mediaType, ...(tag ? { reference: tag } : {}) });
  return pushed.descriptor;
}

export interface TestReferrer {
  manifest: Uint8Array;
  blobs: Uint8Array[];
  digest: string;
  artifactType: string;
}

/**
 * A referrer of `subject`. `notary-a`: artifactType + empty config (spec main / notation v2);
 * `notary-b`: config media type = notary signature, no artifactType (notation 1.x); `sbom`: some
 * other artifact. `padding` adds an annotation of that many characters (to make big listings).
 */
export async function buildReferrer(
  subject: Descriptor,
  shape: 'notary-a' | 'notary-b' | 'sbom',
  options: { padding?: number; envelopeSize?: number; envelope?: Uint8Array } = {}
): Promise<TestReferrer> {
  const envelope = options.envelope ?? randomBytes(options.envelopeSize ?? 256);
  const envelopeDesc = { mediaType: shape === 'sbom' ? 'application/spdx+json' : MediaType.cose, digest: await computeDigest(envelope), size: envelope.length };
  const annotations: Record<string, string> = {
    [Annotation.thumbprintS256]: JSON.stringify([base64Hex(randomBytes(32))]),
    [Annotation.created]: '2026-01-02T03:04:05Z'
  };
  if (options.padding) annotations['test.signet.padding'] = 'p'.repeat(options.padding);
  const m: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.ociManifest };
  let artifactType: string;
  if (shape === 'notary-b') {
    artifactType = MediaType.notarySignature;
    m.config = { mediaType: MediaType.notarySignature, digest: EMPTY_JSON.digest, size: 2 };
  } else {
    artifactType = shape === 'sbom' ? 'application/spdx+json' : MediaType.notarySignature;
    m.artifactType = artifactType;
    m.config = { mediaType: MediaType.ociEmpty, digest: EMPTY_JSON.digest, size: 2, data: 'e30=' };
  }
  m.layers = [envelopeDesc];
  m.subject = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  m.annotations = annotations;
  const manifest = utf8Encode(JSON.stringify(m));
  return { manifest, blobs: [envelope, EMPTY_JSON.bytes], digest: await computeDigest(manifest), artifactType };
}

function base64Hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}
