/**
 * The referrers discovery state machine and Link paging, against scripted answers. The same paths
 * against real registries (olareg with the API, distribution without) are in
 * tests/integration/registry/referrers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { parseImageManifest } from '../../../src/lib/oci/manifest';
import { EMPTY_JSON, MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { isNotarySignatureManifest, listReferrers, probeReferrersApi, referrersTag, ZERO_DIGEST } from '../../../src/lib/registry/referrers';
import { empty, json, scriptedFetch, type Call, type Handler } from './scripted-fetch';

const SUBJECT = 'sha256:' + '5'.repeat(64);
const BASE = 'http://127.0.0.1:5000/v2/app';
const d = (n: number, artifactType?: string): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: 'sha256:' + n.toString(16).padStart(64, '0'),
  size: 100 + n,
  ...(artifactType ? { artifactType } : {})
});
const index = (manifests: Descriptor[], extra: Record<string, unknown> = {}) => ({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests, ...extra });
const indexResponse = (manifests: Descriptor[], headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  json(200, index(manifests, extra), { 'Content-Type': MediaType.ociIndex, ...headers });
const SIG = MediaType.notarySignature;
const SBOM = 'application/spdx+json';

function setup(handlers: Handler[]) {
  const { fetch, calls } = scriptedFetch(handlers);
  const client = createRegistryClient({ fetch });
  return { client, repo: client.repository('127.0.0.1:5000/app'), calls };
}
const isReferrers = (c: Call, digest = SUBJECT) => c.url.startsWith(`${BASE}/referrers/${digest}`);
const isTagIndex = (c: Call) => c.url === `${BASE}/manifests/${referrersTag(SUBJECT)}`;

describe('listReferrers via the Referrers API', () => {
  it('follows Link pages (relative, unquoted rel), filters client-side without OCI-Filters-Applied, dedupes', async () => {
    const { repo, calls, client } = setup([
      (c) => {
        if (!isReferrers(c)) return undefined;
        const page = new URL(c.url).searchParams.get('page');
        if (page === null) return indexResponse([d(1, SIG), d(2, SBOM)], { Link: `</v2/app/referrers/${SUBJECT}?page=2>; rel=next` });
        if (page === '2') return indexResponse([d(3, SIG), d(1, SIG)], { Link: `<${BASE}/referrers/${SUBJECT}?page=3>; rel="next"` });
        return indexResponse([d(4, SIG)]);
      }
    ]);
    const listing = await listReferrers(repo, SUBJECT, { artifactType: SIG });
    expect(listing.referrers.map((r) => r.digest)).toEqual([d(1).digest, d(3).digest, d(4).digest]);
    expect(listing).toMatchObject({ via: 'referrers-api', pages: 3, filteredByRegistry: false, truncated: false });
    expect(new URL(calls[0]!.url).searchParams.get('artifactType')).toBe(SIG);
    expect(calls[0]!.headers['accept']).toBe(MediaType.ociIndex);
    expect(client.referrersCapability(repo)).toBe('supported');
  });

  it('records that the registry filtered when OCI-Filters-Applied (or the old annotation) says so on every page', async () => {
    const { repo } = setup([
      (c) =>
        isReferrers(c)
          ? new URL(c.url).searchParams.has('page')
            ? indexResponse([d(2, SIG)], {}, { annotations: { 'org.opencontainers.referrers.filtersApplied': 'artifactType' } })
            : indexResponse([d(1, SIG)], { 'OCI-Filters-Applied': 'artifactType', Link: `</v2/app/referrers/${SUBJECT}?page=2>; rel="next"` })
          : undefined
    ]);
    const listing = await listReferrers(repo, SUBJECT, { artifactType: SIG });
    expect(listing.filteredByRegistry).toBe(true);
    expect(listing.referrers).toHaveLength(2);
  });

  it('stops at maxReferrers with truncated, and at maxPages with ERR_INPUT_TOO_LARGE', async () => {
    const endless: Handler = (c) => {
      if (!isReferrers(c)) return undefined;
      const page = Number(new URL(c.url).searchParams.get('page') ?? '0');
      return indexResponse([d(page * 2 + 1, SIG), d(page * 2 + 2, SIG)], { Link: `</v2/app/referrers/${SUBJECT}?page=${page + 1}>; rel="next"` });
    };
    const a = setup([endless]);
    const listing = await listReferrers(a.repo, SUBJECT, { maxReferrers: 5 });
    expect(listing.referrers).toHaveLength(5);
    expect(listing.truncated).toBe(true);
    const b = setup([endless]);
    await expect(listReferrers(b.repo, SUBJECT, { maxPages: 4 })).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' });
    expect(b.calls).toHaveLength(4);
  });

  it('refuses a Link that loops back', async () => {
    const { repo } = setup([(c) => (isReferrers(c) ? indexResponse([d(1, SIG)], { Link: `</v2/app/referrers/${SUBJECT}>; rel="next"` }) : undefined)]);
    await expect(listReferrers(repo, SUBJECT)).rejects.toMatchObject({ code: 'ERR_REGISTRY_RESPONSE_INVALID', message: expect.stringContaining('loops') });
  });

  it('throws NAME_UNKNOWN without deciding anything about support', async () => {
    const { repo, client } = setup([
      (c) => (isReferrers(c) ? json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }) : undefined)
    ]);
    await expect(listReferrers(repo, SUBJECT)).rejects.toMatchObject({ code: 'ERR_REGISTRY_NAME_UNKNOWN' });
    expect(client.referrersCapability(repo)).toBeUndefined();
  });

  it('propagates other errors (e.g. 500) instead of falling back', async () => {
    const { repo, client } = setup([(c) => (isReferrers(c) ? empty(500) : undefined)]);
    await expect(listReferrers(repo, SUBJECT)).rejects.toMatchObject({ code: 'ERR_REGISTRY_HTTP' });
    expect(client.referrersCapability(repo)).toBeUndefined();
  });
});

describe('listReferrers falling back to the referrers tag schema', () => {
  const tagIndex: Handler = (c) =>
    isTagIndex(c) ? indexResponse([d(7, SIG), d(8, SBOM), d(9, SIG)]) : undefined;

  for (const [name, answer] of [
    ['a plain 404 (distribution)', () => new Response('404 page not found', { status: 404, headers: { 'Content-Type': 'text/plain' } })],
    ['a 404 MANIFEST_UNKNOWN', () => json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'x' }] })],
    ['a 405', () => empty(405)],
    ['a 200 that is not an image index', () => json(200, { hello: 'world' })]
  ] as const) {
    it(`falls back on ${name}, remembers it, and reads only the tag next time`, async () => {
      const { repo, calls, client } = setup([(c) => (isReferrers(c) ? answer() : undefined), tagIndex]);
      const first = await listReferrers(repo, SUBJECT, { artifactType: SIG });
      expect(first.via).toBe('tag-schema');
      expect(first.referrers.map((r) => r.digest)).toEqual([d(7).digest, d(9).digest]);
      expect(first.index?.mediaType).toBe(MediaType.ociIndex);
      expect(client.referrersCapability(repo)).toBe('unsupported');
      calls.length = 0;
      const second = await listReferrers(repo, SUBJECT, { artifactType: SIG });
      expect(second.referrers).toEqual(first.referrers);
      expect(calls.map((c) => c.url)).toEqual([`${BASE}/manifests/${referrersTag(SUBJECT)}`]);
    });
  }

  it('uses <alg>-<hex> as the tag and treats a missing tag as no referrers', async () => {
    expect(referrersTag(SUBJECT)).toBe('sha256-' + '5'.repeat(64));
    expect(referrersTag('sha512:' + 'a'.repeat(128))).toBe('sha512-' + 'a'.repeat(128));
    const { repo } = setup([
      (c) => (isReferrers(c) ? empty(404) : undefined),
      (c) => (isTagIndex(c) ? json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }) : undefined)
    ]);
    expect(await listReferrers(repo, SUBJECT)).toMatchObject({ referrers: [], via: 'tag-schema', pages: 0 });
  });

  it('catches a tag index whose bytes do not match the Docker-Content-Digest', async () => {
    const { repo } = setup([
      (c) => (isReferrers(c) ? empty(404) : undefined),
      (c) => (isTagIndex(c) ? indexResponse([d(7, SIG)], { 'Docker-Content-Digest': 'sha256:' + 'f'.repeat(64) }) : undefined)
    ]);
    await expect(listReferrers(repo, SUBJECT)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
  });

  it('forced via api on a registry without it → ERR_REGISTRY_UNSUPPORTED; forced tag-schema skips the API', async () => {
    const a = setup([(c) => (isReferrers(c) ? empty(404) : undefined)]);
    await expect(listReferrers(a.repo, SUBJECT, { via: 'api' })).rejects.toMatchObject({ code: 'ERR_REGISTRY_UNSUPPORTED' });
    const b = setup([tagIndex]);
    expect((await listReferrers(b.repo, SUBJECT, { via: 'tag-schema' })).referrers).toHaveLength(3);
    expect(b.calls.every((c) => !c.url.includes('/referrers/'))).toBe(true);
  });
});

describe('probeReferrersApi', () => {
  it('probes the zero digest once and remembers the answer', async () => {
    const { repo, calls } = setup([(c) => (isReferrers(c, ZERO_DIGEST) ? indexResponse([]) : undefined)]);
    expect(await probeReferrersApi(repo)).toBe('supported');
    expect(await probeReferrersApi(repo)).toBe('supported');
    expect(calls).toHaveLength(1);
    const b = setup([(c) => (isReferrers(c, ZERO_DIGEST) ? empty(404) : undefined)]);
    expect(await probeReferrersApi(b.repo)).toBe('unsupported');
  });
});

describe('isNotarySignatureManifest', () => {
  const manifest = (m: Record<string, unknown>) =>
    parseImageManifest(
      utf8Encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociManifest,
          layers: [{ mediaType: MediaType.cose, digest: d(1).digest, size: 10 }],
          subject: { mediaType: MediaType.ociManifest, digest: SUBJECT, size: 10 },
          ...m
        })
      )
    );
  const config = (mediaType: string) => ({ mediaType, digest: EMPTY_JSON.digest, size: 2 });

  it('accepts both shapes', () => {
    expect(isNotarySignatureManifest(manifest({ artifactType: SIG, config: config(MediaType.ociEmpty) }))).toBe(true);
    expect(isNotarySignatureManifest(manifest({ config: config(SIG) }))).toBe(true);
  });

  it('rejects the mixed and foreign combinations', () => {
    expect(isNotarySignatureManifest(manifest({ artifactType: SIG, config: config(SIG) }))).toBe(false);
    expect(isNotarySignatureManifest(manifest({ config: config(MediaType.ociEmpty) }))).toBe(false);
    expect(isNotarySignatureManifest(manifest({ artifactType: SBOM, config: config(MediaType.ociEmpty) }))).toBe(false);
  });
});
