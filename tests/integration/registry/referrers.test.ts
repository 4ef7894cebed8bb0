/**
 * Referrers on REAL registries: olareg answers the Referrers API (and sets OCI-Subject on push);
 * distribution has no API, so writers maintain the `sha256-<hex>` tag index and readers fall back
 * to it. The same referrer manifests pushed to both must list as the same set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { parseImageManifest } from '../../../src/lib/oci/manifest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import type { HttpExchange } from '../../../src/lib/registry/http';
import { isNotarySignatureManifest, listReferrers, probeReferrersApi, referrersTag } from '../../../src/lib/registry/referrers';
import { pushReferrer, type PushReferrerResult } from '../../../src/lib/registry/referrers-index';
import { startDistribution, startOlareg, type RunningRegistry } from '../../helpers/registries';
import { buildImage, buildReferrer, pushImage, type TestReferrer } from './images';

// Writers here run one after another, so the settle window only needs to outlast a local PUT;
// the concurrent case uses the defaults (concurrent-index.test.ts).
const SEQUENTIAL = { settleMs: 300, maxReadAgeMs: 100 };

let olareg: RunningRegistry;
let distribution: RunningRegistry;
beforeAll(async () => {
  [olareg, distribution] = await Promise.all([startOlareg(), startDistribution()]);
});
afterAll(async () => {
  await Promise.all([olareg?.stop(), distribution?.stop()]);
});

function repoOn(reg: RunningRegistry, name: string) {
  const exchanges: HttpExchange[] = [];
  const client = createRegistryClient({ fetch: globalThis.fetch, onExchange: (e) => exchanges.push(e) });
  return { repo: client.repository(`${reg.host}/${name}`), exchanges, client };
}

const sortDigests = (ds: Descriptor[]) => ds.map((d) => d.digest).sort();

describe('referrers: Referrers API (olareg) and tag index (distribution) agree', () => {
  const image = buildImage();
  let referrers: TestReferrer[];
  const results: Record<string, PushReferrerResult[]> = { olareg: [], distribution: [] };

  beforeAll(async () => {
    const img = await image;
    referrers = [];
    for (const shape of ['notary-a', 'notary-b', 'sbom', 'notary-a', 'notary-b', 'sbom', 'notary-a'] as const) {
      referrers.push(await buildReferrer(img.descriptor, shape));
    }
    for (const [kind, reg] of [['olareg', olareg], ['distribution', distribution]] as const) {
      const { repo } = repoOn(reg, 'app/signed');
      await pushImage(repo, img, 'v1');
      for (const r of referrers) results[kind]!.push(await pushReferrer(repo, { manifest: r.manifest, blobs: r.blobs }, SEQUENTIAL));
    }
  });

  it('olareg indexes subjects itself (OCI-Subject); distribution needs the tag index', async () => {
    expect(results.olareg!.every((r) => r.indexedBy === 'registry' && r.ociSubject === r.subject.digest)).toBe(true);
    expect(results.distribution!.every((r) => r.indexedBy === 'tag-index' && r.ociSubject === undefined)).toBe(true);
    expect(await probeReferrersApi(repoOn(olareg, 'app/signed').repo)).toBe('supported');
    expect(await probeReferrersApi(repoOn(distribution, 'app/signed').repo)).toBe('unsupported');
  });

  it('lists the same signatures, in both manifest shapes, through the API and through the tag index', async () => {
    const img = await image;
    const a = repoOn(olareg, 'app/signed');
    const b = repoOn(distribution, 'app/signed');
    const viaApi = await listReferrers(a.repo, img.descriptor, { artifactType: MediaType.notarySignature });
    const viaTag = await listReferrers(b.repo, img.descriptor, { artifactType: MediaType.notarySignature });
    expect(viaApi.via).toBe('referrers-api');
    expect(viaTag.via).toBe('tag-schema');
    const expected = referrers.filter((r) => r.artifactType === MediaType.notarySignature).map((r) => r.digest).sort();
    expect(expected).toHaveLength(5);
    expect(sortDigests(viaApi.referrers)).toEqual(expected);
    expect(sortDigests(viaTag.referrers)).toEqual(expected);
    // the descriptors carry the same artifactType and annotations either way
    const byDigest = new Map(viaTag.referrers.map((d) => [d.digest, d]));
    for (const d of viaApi.referrers) {
      expect(d.artifactType).toBe(MediaType.notarySignature);
      expect(byDigest.get(d.digest)?.annotations).toEqual(d.annotations);
    }
    // olareg filters on the server and says so; the tag index is filtered here
    expect(viaApi.filteredByRegistry).toBe(true);
    expect(a.exchanges.some((e) => e.responseHeaders['oci-filters-applied'] === 'artifactType')).toBe(true);
    expect(viaTag.filteredByRegistry).toBe(false);
    // every listed signature fetches, verifies, and is recognised in its shape
    for (const d of viaTag.referrers) {
      const m = await b.repo.fetchManifest(d);
      expect(isNotarySignatureManifest(parseImageManifest(m.bytes, m.descriptor.mediaType))).toBe(true);
    }
    // unfiltered: everything, SBOMs included
    expect(sortDigests((await listReferrers(a.repo, img.descriptor)).referrers)).toEqual(referrers.map((r) => r.digest).sort());
    expect(sortDigests((await listReferrers(b.repo, img.descriptor)).referrers)).toEqual(referrers.map((r) => r.digest).sort());
  });

  it('detects support once per repository: the second listing on distribution goes straight to the tag', async () => {
    const img = await image;
    const b = repoOn(distribution, 'app/signed');
    await listReferrers(b.repo, img.descriptor);
    b.exchanges.length = 0;
    await listReferrers(b.repo, img.descriptor);
    expect(b.exchanges.map((e) => `${e.method} ${new URL(e.url).pathname}`)).toEqual([`GET /v2/app/signed/manifests/${referrersTag(img.descriptor.digest)}`]);
  });

  it('removed the replaced tag indexes on distribution as notation does', async () => {
    const b = repoOn(distribution, 'app/signed');
    const deleted = results.distribution!.flatMap((r) => r.tagIndex?.deleted ?? []);
    expect(deleted.length).toBe(referrers.length - 1);
    for (const d of deleted) await expect(b.repo.fetchManifest(d)).rejects.toMatchObject({ code: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
    expect(results.distribution!.flatMap((r) => r.warnings)).toEqual([]);
  });

  it('with tagIndex "always" (notation 1.x) olareg gets the tag index too, and it lists the same set', async () => {
    const img = await buildImage();
    const { repo } = repoOn(olareg, 'app/forced');
    await pushImage(repo, img, 'v1');
    const sigs = [await buildReferrer(img.descriptor, 'notary-b'), await buildReferrer(img.descriptor, 'notary-a')];
    for (const s of sigs) {
      const r = await pushReferrer(repo, { manifest: s.manifest, blobs: s.blobs }, { ...SEQUENTIAL, tagIndex: 'always' });
      expect(r.indexedBy).toBe('registry+tag-index');
    }
    const viaTag = await listReferrers(repo, img.descriptor, { via: 'tag-schema', artifactType: MediaType.notarySignature });
    const viaApi = await listReferrers(repo, img.descriptor, { via: 'api', artifactType: MediaType.notarySignature });
    expect(sortDigests(viaTag.referrers)).toEqual(sigs.map((s) => s.digest).sort());
    expect(sortDigests(viaApi.referrers)).toEqual(sortDigests(viaTag.referrers));
  });

  it('a subject without referrers lists empty on both', async () => {
    for (const reg of [olareg, distribution]) {
      const { repo } = repoOn(reg, 'app/signed');
      const lonely = await buildImage();
      await pushImage(repo, lonely);
      expect((await listReferrers(repo, lonely.descriptor)).referrers).toEqual([]);
    }
  });
});
