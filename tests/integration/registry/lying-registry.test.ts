/**
 * A registry that lies: a proxy in front of a REAL distribution registry flips one byte of chosen
 * response bodies and keeps the real headers. Every read must be caught with ERR_DIGEST_MISMATCH,
 * and nothing that failed the check may be cached or returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { DigestCache } from '../../../src/lib/registry/cache';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { listReferrers, referrersTag } from '../../../src/lib/registry/referrers';
import { pushReferrer } from '../../../src/lib/registry/referrers-index';
import { startLyingProxy, type LyingProxy } from '../../helpers/lying-proxy';
import { startDistribution, type RunningRegistry } from '../../helpers/registries';
import { buildImage, buildReferrer, pushImage, type TestImage } from './images';

let distribution: RunningRegistry;
let proxy: LyingProxy;
let image: TestImage;

beforeAll(async () => {
  distribution = await startDistribution();
  proxy = await startLyingProxy(distribution.host);
  const honest = createRegistryClient({ fetch: globalThis.fetch }).repository(`${distribution.host}/lies/app`);
  image = await buildImage({ layerSize: 4096 });
  await pushImage(honest, image, 'v1');
  const sig = await buildReferrer(image.descriptor, 'notary-b');
  await pushReferrer(honest, { manifest: sig.manifest, blobs: sig.blobs }, { settleMs: 300, maxReadAgeMs: 100 });
});
afterAll(async () => {
  await proxy?.stop();
  await distribution?.stop();
});

function viaProxy() {
  const cache = new DigestCache();
  const repo = createRegistryClient({ fetch: globalThis.fetch, cache }).repository(`${proxy.host}/lies/app`);
  return { repo, cache };
}

describe('lying registry', () => {
  it('the proxy is honest when asked to be (control)', async () => {
    proxy.setLie(() => false);
    const { repo } = viaProxy();
    expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
    expect((await repo.fetchManifest('v1')).bytes).toEqual(image.manifest);
  });

  it('catches a flipped blob, caches nothing, and recovers when the registry stops lying', async () => {
    proxy.setLie((t) => t.method === 'GET' && t.path.includes('/blobs/'));
    const before = proxy.lies();
    const { repo, cache } = viaProxy();
    await expect(repo.fetchBlob(image.layer.descriptor)).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
      message: expect.stringContaining(`blob ${image.layer.descriptor.digest} of ${proxy.host}/lies/app does not match its digest`)
    });
    expect(proxy.lies()).toBe(before + 1);
    expect(cache.size).toBe(0);
    proxy.setLie(() => false);
    expect(await repo.fetchBlob(image.layer.descriptor)).toEqual(image.layer.bytes);
    expect(cache.size).toBe(1);
  });

  it('catches a flipped manifest fetched by digest and by tag (against Docker-Content-Digest)', async () => {
    proxy.setLie((t) => t.method === 'GET' && t.path.includes('/manifests/'));
    const { repo, cache } = viaProxy();
    // HEAD carries no body, so resolve still reports the real digest...
    const desc = await repo.resolve('v1');
    expect(desc).toEqual(image.descriptor);
    // ...and the bytes fetched by it are checked against it.
    await expect(repo.fetchManifest(desc)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    await expect(repo.fetchManifest(image.descriptor.digest)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    await expect(repo.fetchManifest('v1')).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
      message: expect.stringContaining(`the registry says ${image.descriptor.digest}`)
    });
    expect(cache.size).toBe(0);
  });

  it('catches a flipped referrers tag index', async () => {
    const tag = referrersTag(image.descriptor.digest);
    proxy.setLie((t) => t.method === 'GET' && t.path.endsWith(`/manifests/${tag}`));
    const { repo } = viaProxy();
    await expect(listReferrers(repo, image.descriptor, { artifactType: MediaType.notarySignature })).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    proxy.setLie(() => false);
    expect((await listReferrers(repo, image.descriptor, { artifactType: MediaType.notarySignature })).referrers).toHaveLength(1);
  });

  it('catches a flipped signature envelope listed through the honest index', async () => {
    proxy.setLie(() => false);
    const { repo } = viaProxy();
    const [sig] = (await listReferrers(repo, image.descriptor, { artifactType: MediaType.notarySignature })).referrers;
    const manifest = await repo.fetchManifest(sig!);
    const layer = (JSON.parse(new TextDecoder().decode(manifest.bytes)) as { layers: Array<{ digest: string; size: number; mediaType: string }> }).layers[0]!;
    proxy.setLie((t) => t.method === 'GET' && t.path.endsWith(`/blobs/${layer.digest}`));
    await expect(repo.fetchBlob(layer)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
  });
});
