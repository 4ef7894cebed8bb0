/**
 * 20 writers add a referrer to the same subject at the same moment on a REAL distribution
 * registry (no Referrers API, no conditional PUT, DELETE-by-digest untags): every one of the 20
 * must be discoverable afterwards. Each writer has its own client (nothing shared but the
 * registry), uses the default settle/read-age settings, and deletes replaced indexes as notation
 * does. Repeated over several rounds; it must never flake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { listReferrers, referrersTag } from '../../../src/lib/registry/referrers';
import { pushReferrer, type PushReferrerResult } from '../../../src/lib/registry/referrers-index';
import { startDistribution, type RunningRegistry } from '../../helpers/registries';
import { buildImage, buildReferrer, pushImage } from './images';

const WRITERS = 20;
const ROUNDS = 4;

let distribution: RunningRegistry;
beforeAll(async () => {
  distribution = await startDistribution();
});
afterAll(async () => distribution?.stop());

const fresh = () => createRegistryClient({ fetch: globalThis.fetch }).repository(`${distribution.host}/concurrent/app`);

describe(`distribution: ${WRITERS} concurrent referrer writers`, () => {
  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: all ${WRITERS} referrers are in the tag index`, async () => {
      const image = await buildImage();
      await pushImage(fresh(), image, `round-${round}`);
      // Alternate both signature shapes, and give every writer its own client.
      const referrers = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) => buildReferrer(image.descriptor, i % 2 === 0 ? 'notary-a' : 'notary-b'))
      );
      const started = performance.now();
      const results: PushReferrerResult[] = await Promise.all(
        referrers.map((r) => pushReferrer(fresh(), { manifest: r.manifest, blobs: r.blobs }))
      );
      const elapsed = performance.now() - started;

      expect(results.every((r) => r.indexedBy === 'tag-index')).toBe(true);
      const expected = referrers.map((r) => r.digest).sort();
      const listing = await listReferrers(fresh(), image.descriptor, { artifactType: MediaType.notarySignature });
      expect(listing.via).toBe('tag-schema');
      expect(listing.referrers.map((d) => d.digest).sort()).toEqual(expected);
      // Each entry is exactly as notation would write it.
      for (const d of listing.referrers) {
        expect(Object.keys(d)).toEqual(['mediaType', 'digest', 'size', 'artifactType', 'annotations']);
        expect(d.artifactType).toBe(MediaType.notarySignature);
      }
      // Nothing is left to settle: the index every writer confirmed still holds all 20.
      const final = await fresh().fetchManifest(referrersTag(image.descriptor.digest), { accept: [MediaType.ociIndex] });
      expect(results.some((r) => r.tagIndex?.index.digest === final.descriptor.digest)).toBe(true);
      const writes = results.reduce((n, r) => n + (r.tagIndex?.writes ?? 0), 0);
      const deleted = results.reduce((n, r) => n + (r.tagIndex?.deleted.length ?? 0), 0);
      const warnings = results.flatMap((r) => r.warnings);
      // Measurements for the record (a slow-PUT warning is possible on an overloaded machine; what
      // must hold regardless is the listing above).
      console.info(
        `round ${round}: ${WRITERS} writers done in ${Math.round(elapsed)} ms, ${writes} index writes, ${deleted} old indexes deleted` +
          (warnings.length > 0 ? `, warnings: ${warnings.join(' | ')}` : ', no warnings')
      );
    });
  }
});
