/**
 * Resolve, fetch, push, list and delete against REAL registries, anonymously: olareg (Referrers
 * API) and the CNCF distribution registry (no Referrers API), each started by this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import { computeDigest } from '../../../src/lib/oci/digest';
import { parseImageIndex, parseImageManifest } from '../../../src/lib/oci/manifest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient, type RegistryClientOptions } from '../../../src/lib/registry/client';
import type { HttpExchange } from '../../../src/lib/registry/http';
import { MANIFEST_ACCEPT_DOCKER, MANIFEST_ACCEPT_OCI } from '../../../src/lib/registry/repository';
import { startDistribution, startOlareg, type RunningRegistry } from '../../helpers/registries';
import { buildImage, pushImage, randomBytes } from './images';

const registries: Record<'olareg' | 'distribution', RunningRegistry | undefined> = { olareg: undefined, distribution: undefined };

beforeAll(async () => {
  [registries.olareg, registries.distribution] = await Promise.all([startOlareg(), startDistribution()]);
});
afterAll(async () => {
  await Promise.all([registries.olareg?.stop(), registries.distribution?.stop()]);
});

function client(extra: Partial<RegistryClientOptions> = {}) {
  const exchanges: HttpExchange[] = [];
  const c = createRegistryClient({ fetch: globalThis.fetch, onExchange: (e) => exchanges.push(e), ...extra });
  return { client: c, exchanges };
}

for (const kind of ['olareg', 'distribution'] as const) {
  describe(`${kind}: repository operations`, () => {
    const reg = () => registries[kind]!;

    it('pushes an image (monolithic and chunked blobs), resolves its tag with HEAD, fetches it back verified', async () => {
      const { client: c, exchanges } = client();
      const repo = c.repository(`${reg().host}/team/app`);
      const image = await buildImage({ layerSize: 300_000 });
      expect(await repo.pushBlob(image.config.bytes)).toEqual({ ...image.config.descriptor, mediaType: MediaType.octetStream });
      const layer = await repo.pushBlob(image.layer.bytes, { chunkSize: 64 * 1024 });
      expect(layer.digest).toBe(image.layer.descriptor.digest);
      expect(exchanges.filter((e) => e.method === 'PATCH')).toHaveLength(5);
      const pushed = await repo.pushManifest(image.manifest, { mediaType: image.mediaType, reference: 'v1' });
      expect(pushed.descriptor).toEqual(image.descriptor);

      exchanges.length = 0;
      const resolved = await repo.resolve('v1');
      expect(resolved).toEqual(image.descriptor);
      expect(exchanges.map((e) => e.method)).toEqual(['HEAD']);
      expect(exchanges[0]!.requestHeaders.accept).toBe(MANIFEST_ACCEPT_OCI);
      expect(MANIFEST_ACCEPT_OCI.length).toBeLessThanOrEqual(128);

      const fetched = await repo.fetchManifest(resolved);
      expect(fetched.bytes).toEqual(image.manifest);
      const manifest = parseImageManifest(fetched.bytes, fetched.descriptor.mediaType);
      expect(await repo.fetchBlob(manifest.layers[0]!)).toEqual(image.layer.bytes);
      expect(await repo.fetchBlob(manifest.config)).toEqual(image.config.bytes);
      // by tag, GET path: digest computed from the bytes
      const byTag = await repo.fetchManifest('v1');
      expect(byTag.descriptor.digest).toBe(image.descriptor.digest);
    });

    it('skips uploading blobs that exist, and pushes manifests by digest', async () => {
      const { client: c, exchanges } = client();
      const repo = c.repository(`${reg().host}/team/dedupe`);
      const image = await buildImage();
      await pushImage(repo, image);
      exchanges.length = 0;
      await repo.pushBlob(image.layer.bytes);
      expect(exchanges.map((e) => `${e.method} ${e.status}`)).toEqual(['HEAD 200']);
      expect((await repo.resolve(image.descriptor.digest)).digest).toBe(image.descriptor.digest);
    });

    it('lists tags across pages', async () => {
      const { client: c, exchanges } = client();
      const repo = c.repository(`${reg().host}/team/tags`);
      const image = await buildImage();
      const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      await pushImage(repo, image, tags[0]);
      for (const t of tags.slice(1)) await repo.pushManifest(image.manifest, { mediaType: image.mediaType, reference: t });
      exchanges.length = 0;
      expect((await repo.listTags({ pageSize: 3 })).sort()).toEqual(tags);
      const pages = exchanges.filter((e) => e.url.includes('/tags/list'));
      expect(pages).toHaveLength(3);
      expect(pages[0]!.responseHeaders.link).toMatch(/rel="?next"?/);
      expect(await repo.listTags()).toHaveLength(tags.length);
    });

    it('resolves and fetches an OCI index and keeps its digest', async () => {
      const { client: c } = client();
      const repo = c.repository(`${reg().host}/team/multi`);
      const image = await buildImage();
      const child = await pushImage(repo, image);
      const index = utf8Encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociIndex,
          manifests: [{ ...child, platform: { architecture: 'amd64', os: 'linux' } }]
        })
      );
      await repo.pushManifest(index, { mediaType: MediaType.ociIndex, reference: 'multi' });
      const resolved = await repo.resolve('multi');
      expect(resolved).toEqual({ mediaType: MediaType.ociIndex, digest: await computeDigest(index), size: index.length });
      const fetched = await repo.fetchManifest('multi');
      expect(parseImageIndex(fetched.bytes, fetched.descriptor.mediaType).manifests[0]!.digest).toBe(child.digest);
    });

    it('reports missing tags, blobs and manifests with typed errors that say what to do', async () => {
      const { client: c } = client();
      const repo = c.repository(`${reg().host}/team/app2`);
      await pushImage(repo, await buildImage(), 'exists');
      await expect(repo.resolve('nope')).rejects.toMatchObject({
        code: 'ERR_REGISTRY_MANIFEST_UNKNOWN',
        message: expect.stringMatching(/Could not fetch manifest nope in 127\.0\.0\.1:\d+\/team\/app2: HTTP 404\..*Check the tag or digest/)
      });
      const missing = { mediaType: MediaType.octetStream, digest: await computeDigest(randomBytes(8)), size: 8 };
      await expect(repo.fetchBlob(missing)).rejects.toMatchObject({ code: 'ERR_REGISTRY_BLOB_UNKNOWN' });
      await expect(repo.fetchManifest('sha256:' + 'e'.repeat(64))).rejects.toMatchObject({ code: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
      await expect(repo.blobExists(missing.digest)).resolves.toBe(false);
      await expect(repo.fetchBlob({ ...missing, size: 64 * 1024 * 1024 })).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' });
    });

    it('deletes a manifest by digest', async () => {
      const { client: c } = client();
      const repo = c.repository(`${reg().host}/team/del`);
      const image = await buildImage();
      await pushImage(repo, image, 'gone');
      await repo.deleteManifest(image.descriptor.digest);
      await expect(repo.fetchManifest(image.descriptor.digest)).rejects.toMatchObject({ code: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
    });

    it('serves repeat fetches by digest from the opt-in cache and reports them as cache hits', async () => {
      const { client: c, exchanges } = client({ cache: true });
      const repo = c.repository(`${reg().host}/team/cache`);
      const image = await buildImage();
      const desc = await pushImage(repo, image, 'v1');
      await repo.fetchManifest(desc);
      await repo.fetchBlob(image.layer.descriptor);
      exchanges.length = 0;
      expect((await repo.fetchManifest(desc)).bytes).toEqual(image.manifest);
      expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
      expect(exchanges.map((e) => e.fromCache)).toEqual([true, true]);
    });
  });
}

describe('distribution: Docker media types and the compact Accept fallback', () => {
  it('resolves a Docker manifest list to its own digest (not the amd64 child distribution would substitute)', async () => {
    const { client: c, exchanges } = client();
    const repo = c.repository(`${registries.distribution!.host}/team/docker`);
    const image = await buildImage({ flavour: 'docker' });
    const child = await pushImage(repo, image, 'single');
    expect((await repo.resolve('single')).mediaType).toBe(MediaType.dockerManifest);
    const list = utf8Encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifestList,
        manifests: [{ ...child, platform: { architecture: 'amd64', os: 'linux' } }]
      })
    );
    await repo.pushManifest(list, { mediaType: MediaType.dockerManifestList, reference: 'list' });
    exchanges.length = 0;
    const resolved = await repo.resolve('list');
    expect(resolved).toEqual({ mediaType: MediaType.dockerManifestList, digest: await computeDigest(list), size: list.length });
    // HEAD and GET with the OCI Accept are refused for a Docker list; the Docker Accept succeeds.
    expect(exchanges.map((e) => `${e.method} ${e.status} ${e.requestHeaders.accept === MANIFEST_ACCEPT_DOCKER ? 'docker' : 'oci'}`)).toEqual([
      'HEAD 400 oci',
      'GET 400 oci',
      'GET 200 docker'
    ]);
    // With the full Accept list one request suffices.
    const full = createRegistryClient({ fetch: globalThis.fetch, manifestAccept: 'full' }).repository(`${registries.distribution!.host}/team/docker`);
    expect(await full.resolve('list')).toEqual(resolved);
  });
});

describe('olareg: unknown repository', () => {
  it('answers NAME_UNKNOWN or MANIFEST_UNKNOWN for a repository that does not exist', async () => {
    const repo = client().client.repository(`${registries.olareg!.host}/does/not/exist`);
    await expect(repo.resolve('latest')).rejects.toMatchObject({ code: expect.stringMatching(/ERR_REGISTRY_(NAME|MANIFEST)_UNKNOWN/) });
  });
});
