/**
 * The tag-index writer's state machine against a scripted tag (with a fake clock), for the
 * interleavings that are hard to force on a real registry. The real thing — 20 concurrent writers
 * on a real distribution registry — is tests/integration/registry/concurrent-index.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../../src/lib/bytes';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { computeDigest } from '../../../src/lib/oci/digest';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { referrersTag } from '../../../src/lib/registry/referrers';
import { addToReferrersIndex, buildIndex, INDEX_NONCE_ANNOTATION } from '../../../src/lib/registry/referrers-index';
import { empty, json, scriptedFetch, type Call } from './scripted-fetch';

const SUBJECT = 'sha256:' + '7'.repeat(64);
const TAG = referrersTag(SUBJECT);
const TAG_URL = `http://127.0.0.1:5000/v2/app/manifests/${TAG}`;
const SIG = MediaType.notarySignature;
const entry = (n: number): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: 'sha256:' + n.toString(16).padStart(64, '0'),
  size: 500 + n,
  annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': `["${n}"]` },
  artifactType: SIG
});
const indexBytes = (entries: Descriptor[], nonce = 'x') =>
  utf8Encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries, annotations: { [INDEX_NONCE_ANNOTATION]: nonce } }));
const digestsIn = (bytes: Uint8Array) => (JSON.parse(utf8Decode(bytes)) as { manifests: Descriptor[] }).manifests.map((m) => m.digest);

/**
 * A scripted tag: GET returns the current bytes (or 404), PUT stores them; `afterPut` may
 * simulate another writer landing right after ours.
 */
function scriptedTag(opts: {
  initial?: Uint8Array;
  afterPut?: (n: number, body: Uint8Array) => Uint8Array | undefined;
  onGet?: () => void;
  onDelete?: (c: Call) => Response;
  onPut?: (n: number, body: Uint8Array) => Response | undefined;
}) {
  let current = opts.initial;
  let puts = 0;
  const deletes: string[] = [];
  const { fetch, calls } = scriptedFetch([
    (c) => {
      if (c.url !== TAG_URL || c.method !== 'GET') return undefined;
      opts.onGet?.();
      return current
        ? new Response(current as unknown as BodyInit, { status: 200, headers: { 'Content-Type': MediaType.ociIndex } })
        : json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    },
    (c) => {
      if (c.url !== TAG_URL || c.method !== 'PUT') return undefined;
      puts++;
      const refused = opts.onPut?.(puts, c.body!);
      if (refused) return refused;
      current = opts.afterPut?.(puts, c.body!) ?? c.body!;
      return empty(201);
    },
    (c) => {
      if (c.method !== 'DELETE') return undefined;
      deletes.push(c.url.split('/').pop()!);
      return opts.onDelete?.(c) ?? empty(202);
    }
  ]);
  return { fetch, calls, deletes, current: () => current, puts: () => puts };
}

function fakeTime() {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    advance: (ms: number) => (clock += ms),
    sleeps,
    random: () => 0.5
  };
}

describe('buildIndex', () => {
  it('keeps the current order, then other observed entries, then ours; adds a fresh nonce', () => {
    const raw = (d: Descriptor) => ({ ...d }) as Record<string, unknown> & { digest: string };
    const current = [raw(entry(2)), raw(entry(1))];
    const observed = new Map([entry(3), entry(1), entry(2)].map((e) => [e.digest, raw(e)]));
    const own = new Map([[entry(9).digest, raw(entry(9))]]);
    const a = buildIndex(current, observed, own);
    const b = buildIndex(current, observed, own);
    expect(digestsIn(a)).toEqual([entry(2), entry(1), entry(3), entry(9)].map((e) => e.digest));
    const parsed = JSON.parse(utf8Decode(a));
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'mediaType', 'manifests', 'annotations']);
    expect(parsed.annotations[INDEX_NONCE_ANNOTATION]).toMatch(/^[0-9a-f]{32}$/);
    expect(utf8Decode(a)).not.toBe(utf8Decode(b)); // unique per write
    expect(digestsIn(buildIndex(current, observed, own, new Set([entry(1).digest])))).not.toContain(entry(1).digest);
  });
});

describe('addToReferrersIndex', () => {
  it('writes an index with the entry in Go field order, and settles before returning', async () => {
    const t = fakeTime();
    const tag = scriptedTag({});
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    const result = await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    expect(result).toMatchObject({ tag: TAG, writes: 1, entries: 1, deleted: [], warnings: [] });
    const written = JSON.parse(utf8Decode(tag.current()!));
    expect(Object.keys(written.manifests[0])).toEqual(['mediaType', 'digest', 'size', 'annotations', 'artifactType']);
    expect(result.index.digest).toBe(await computeDigest(tag.current()!));
    // Success needs two reads of the same index at least settleMs apart.
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
  });

  it('merges back an entry that a concurrent writer overwrote, keeping theirs, and deletes the replaced index', async () => {
    const t = fakeTime();
    const theirs = indexBytes([entry(5)], 'theirs');
    const tag = scriptedTag({ afterPut: (n) => (n === 1 ? theirs : undefined) }); // our first PUT is overwritten at once
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    const result = await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    expect(result.writes).toBe(2);
    expect(digestsIn(tag.current()!)).toEqual([entry(5).digest, entry(1).digest]);
    expect(tag.deletes).toEqual([await computeDigest(theirs)]);
  });

  it('does not write back a read that is older than maxReadAgeMs', async () => {
    const t = fakeTime();
    let slow = true;
    const tag = scriptedTag({
      onGet: () => {
        if (slow) t.advance(500); // this GET "took" 500 ms
        slow = false;
      }
    });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    const methods = tag.calls.map((c) => c.method);
    expect(methods.slice(0, 3)).toEqual(['GET', 'GET', 'PUT']); // stale read discarded, re-read, then write
  });

  it('does nothing but confirm when the entry is already indexed', async () => {
    const t = fakeTime();
    const tag = scriptedTag({ initial: indexBytes([entry(1), entry(2)]) });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    const result = await addToReferrersIndex(repo, SUBJECT, [entry(2)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    expect(result.writes).toBe(0);
    expect(tag.puts()).toBe(0);
  });

  it('turns a refused delete into a warning, not a failure', async () => {
    const t = fakeTime();
    const tag = scriptedTag({
      initial: indexBytes([entry(3)]),
      onDelete: () => json(405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] })
    });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    const result = await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    expect(result.deleted).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/Removal of outdated referrers index sha256:[0-9a-f]{64} .*failed.*Garbage collection may be required/);
    expect(digestsIn(tag.current()!)).toEqual([entry(3).digest, entry(1).digest]);
  });

  it('skips deleting when asked (deleteOldIndexes: false)', async () => {
    const t = fakeTime();
    const tag = scriptedTag({ initial: indexBytes([entry(3)]) });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200, deleteOldIndexes: false });
    expect(tag.deletes).toEqual([]);
  });

  it('drops entries whose manifests were deleted when the registry refuses them (MANIFEST_BLOB_UNKNOWN)', async () => {
    const t = fakeTime();
    const tag = scriptedTag({
      initial: indexBytes([entry(3), entry(4)]),
      onPut: (_n, body) =>
        digestsIn(body).includes(entry(4).digest)
          ? json(400, { errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: entry(4).digest }] })
          : undefined
    });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    const result = await addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200 });
    expect(digestsIn(tag.current()!)).toEqual([entry(3).digest, entry(1).digest]);
    expect(result.warnings.join()).toContain(entry(4).digest);
  });

  it('gives up with ERR_REGISTRY_CONFLICT when another writer keeps overwriting', async () => {
    const t = fakeTime();
    let k = 0;
    const tag = scriptedTag({ afterPut: () => indexBytes([entry(100 + k++)], `other-${k}`) });
    const repo = createRegistryClient({ fetch: tag.fetch }).repository('127.0.0.1:5000/app');
    await expect(addToReferrersIndex(repo, SUBJECT, [entry(1)], { ...t, settleMs: 1000, maxReadAgeMs: 200, maxAttempts: 8 })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_CONFLICT',
      message: expect.stringContaining('run the operation again')
    });
  });

  it('refuses a settle window that does not exceed the read age bound, and an empty addition', async () => {
    const repo = createRegistryClient({ fetch: scriptedTag({}).fetch }).repository('127.0.0.1:5000/app');
    await expect(addToReferrersIndex(repo, SUBJECT, [entry(1)], { settleMs: 100, maxReadAgeMs: 100 })).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    await expect(addToReferrersIndex(repo, SUBJECT, [])).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID', message: expect.stringContaining('at least one') });
  });
});
