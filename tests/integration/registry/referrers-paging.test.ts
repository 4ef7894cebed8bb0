/**
 * ≥ 250 referrers on a REAL olareg, all listed. olareg pages its referrers response only when it
 * exceeds 4 MiB (its `API.Referrer.Limit`, not settable from the CLI), so the last few referrers
 * carry ~1.1 MB annotations: the listing (~4.5 MB) is then split by olareg into pages joined by
 * `Link: </v2/…/referrers/…?cache=…&page=1>; rel=next`, which the client must follow. (olareg
 * rewrites the whole response on every push, so padding every referrer would cost O(n²) time.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import type { HttpExchange } from '../../../src/lib/registry/http';
import { listReferrers } from '../../../src/lib/registry/referrers';
import { startOlareg, type RunningRegistry } from '../../helpers/registries';
import { buildImage, buildReferrer, inPool, pushImage } from './images';

const SMALL = 252;
const BIG = 4;
const COUNT = SMALL + BIG;
const BIG_PADDING = 1_100_000;

let olareg: RunningRegistry;
beforeAll(async () => {
  olareg = await startOlareg();
});
afterAll(async () => olareg?.stop());

describe('olareg: many referrers', () => {
  it(`lists all ${COUNT} referrers across the pages olareg serves`, async () => {
    const exchanges: HttpExchange[] = [];
    const client = createRegistryClient({ fetch: globalThis.fetch, onExchange: (e) => exchanges.push(e) });
    const repo = client.repository(`${olareg.host}/many/refs`);
    const image = await buildImage();
    await pushImage(repo, image, 'v1');
    // Blobs shared by every referrer, pushed once; each referrer is then one manifest PUT.
    const envelope = new Uint8Array(64).fill(7);
    await repo.pushBlob(new Uint8Array([0x7b, 0x7d]));
    await repo.pushBlob(envelope);
    const digests: string[] = [];
    // One at a time: olareg v0.1.2 updates its referrers response with an unlocked
    // read-modify-write, and drops entries when manifests for one subject are pushed in parallel.
    await inPool(
      Array.from({ length: COUNT }, (_, i) => i),
      1,
      async (i) => {
        // Alternate the two Notary shapes; every 10th is some other artifact type.
        const shape = i >= SMALL ? 'notary-a' : i % 10 === 9 ? 'sbom' : i % 2 === 0 ? 'notary-a' : 'notary-b';
        const r = await buildReferrer(image.descriptor, shape, { envelope, ...(i >= SMALL ? { padding: BIG_PADDING } : {}) });
        const pushed = await repo.pushManifest(r.manifest, { mediaType: MediaType.ociManifest });
        expect(pushed.ociSubject).toBe(image.descriptor.digest);
        if (shape !== 'sbom') digests.push(r.digest);
      }
    );

    exchanges.length = 0;
    const listing = await listReferrers(repo, image.descriptor, { artifactType: MediaType.notarySignature });
    expect(listing.via).toBe('referrers-api');
    expect(listing.referrers).toHaveLength(digests.length);
    expect(digests.length).toBeGreaterThanOrEqual(230);
    expect(listing.referrers.map((d) => d.digest).sort()).toEqual([...digests].sort());
    expect(listing.pages).toBeGreaterThanOrEqual(2);
    const pages = exchanges.filter((e) => e.url.includes('/referrers/'));
    expect(pages).toHaveLength(listing.pages);
    expect(pages[0]!.responseHeaders.link).toMatch(/^<\/v2\/many\/refs\/referrers\/sha256:[0-9a-f]{64}\?.*page=1.*>; rel=next$/);
    expect(pages.every((e) => e.responseBytes <= 4 * 1024 * 1024)).toBe(true);

    // Unfiltered: every referrer, SBOMs included.
    const all = await listReferrers(repo, image.descriptor);
    expect(all.referrers).toHaveLength(COUNT);
    expect(all.pages).toBeGreaterThanOrEqual(2);
  });
});
