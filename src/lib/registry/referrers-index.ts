/**
 * Writing referrers (signatures): push the blobs and the manifest with `subject`, then — when the
 * registry does not index subjects itself — add the manifest to the referrers tag index
 * `<alg>-<hex>` so notation 1.x and every tag-schema reader finds it.
 * Spec digest §2.3 (push sequence); distribution-spec v1.1 §"Pushing Manifests with Subject".
 *
 * ## Concurrent writers without compare-and-swap
 *
 * The tag index is a read-modify-write of one tag, and registries such as distribution have no
 * conditional PUT: two writers that read the same index and each add their entry overwrite each
 * other, and oras/notation then delete the index they read *by digest* — which on distribution
 * also removes every tag pointing at that digest, so a writer that just re-created identical
 * content loses the whole index. This module makes "no entry is ever lost" hold anyway:
 *
 * 1. **Union, never replace.** A writer keeps every entry it has ever observed (in any read) plus
 *    its own, and only ever PUTs that union. Entries therefore leave the index only when a writer
 *    that never saw them overwrites it.
 * 2. **Every index is unique.** Each PUT carries a random nonce annotation, so no two PUTs have
 *    the same digest and a tag that moved off digest D never points at D again. Seeing the same
 *    digest in two reads thus proves no PUT landed in between.
 * 3. **Bounded staleness.** A writer only PUTs if the read it merged was sent less than
 *    `maxReadAgeMs` ago; otherwise it reads again. With a bound P on how long a PUT takes to land,
 *    every PUT reflects a read at most T = maxReadAgeMs + P older than the moment it lands.
 * 4. **Settle before success.** A writer is done only when two reads, separated by at least
 *    `settleMs` ≥ T, return the same index digest and that index holds everything it observed.
 *    Then the index held those entries continuously for ≥ T, so every PUT landing later was based
 *    on a read taken while they were present, and (by 1) carries them too — by induction, for
 *    good. A writer that finds its entries missing merges and writes again, with jittered
 *    exponential backoff, up to `maxAttempts` reads.
 * 5. **Deleting old indexes** (notation's default; `deleteOldIndexes`) happens only after success
 *    and only for digests that were replaced before the settled index was first seen, skipping
 *    the current tag target. By (2) nobody re-tags them, so distribution's "delete untags" cannot
 *    hit a live index, and a reader that raced with the delete sent its read more than settleMs
 *    earlier, so (3) discards it. A refused delete (many registries refuse) is a warning.
 *
 * Limits: the guarantee assumes every writer follows this protocol and that every writer's
 * read-to-landed-PUT time stays within the others' settle window (settleMs, stretched to twice
 * the slowest such time a writer measured itself; a PUT slower than settleMs is reported as a
 * warning). Writers that do not follow it (notation itself) can still drop entries, as they do
 * among themselves today.
 */
import { toHex, utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import { parseJsonObject } from '../json';
import { parseDescriptor, type Descriptor } from '../oci/descriptor';
import { parseImageManifest, MAX_MANIFEST_BYTES } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import { registryErrorEntries } from './errors';
import { probeReferrersApi, referrersTag } from './referrers';
import type { Repository } from './repository';

/** Annotation that makes every index this module writes unique (see the design above). */
export const INDEX_NONCE_ANNOTATION = 'dev.signet.referrers-index.nonce';

export interface ReferrersIndexOptions {
  /** Two reads this far apart must agree before success. Default 2000 ms. */
  settleMs?: number;
  /** A read older than this is not written back. Default 750 ms; must be < settleMs. */
  maxReadAgeMs?: number;
  /** Give up (ERR_REGISTRY_CONFLICT) after this many reads. Default 60. */
  maxAttempts?: number;
  /** First backoff step after a conflict; doubled per conflict, jittered. Default 25 ms. */
  backoffMs?: number;
  /** Backoff cap. Default 1000 ms. */
  maxBackoffMs?: number;
  /** Delete replaced index manifests as notation does. Default true. */
  deleteOldIndexes?: boolean;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface ReferrersIndexResult {
  tag: string;
  /** The index the tag settled on. */
  index: Descriptor;
  /** Entries in that index. */
  entries: number;
  reads: number;
  writes: number;
  /** Old index digests deleted. */
  deleted: string[];
  warnings: string[];
}

type RawEntry = Record<string, unknown> & { digest: string };

interface IndexRead {
  digest: string | undefined;
  size?: number;
  entries: RawEntry[];
  sentAt: number;
  receivedAt: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Adds `additions` (referrer descriptors, as notation writes them: mediaType, digest, size,
 * annotations, artifactType) to the referrers tag index of `subjectDigest` so that no entry —
 * ours or a concurrent writer's — is lost. See the design notes at the top of this module.
 */
export async function addToReferrersIndex(
  repo: Repository,
  subjectDigest: string,
  additions: readonly Descriptor[],
  options: ReferrersIndexOptions = {}
): Promise<ReferrersIndexResult> {
  const tag = referrersTag(subjectDigest);
  const settleMs = options.settleMs ?? 2000;
  const maxReadAgeMs = options.maxReadAgeMs ?? 750;
  const maxAttempts = options.maxAttempts ?? 60;
  const backoffMs = options.backoffMs ?? 25;
  const maxBackoffMs = options.maxBackoffMs ?? 1000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  if (!(maxReadAgeMs > 0 && settleMs > maxReadAgeMs)) {
    throw new SignetError('ERR_INPUT_INVALID', `settleMs (${settleMs}) must be greater than maxReadAgeMs (${maxReadAgeMs}), which must be > 0`);
  }

  if (additions.length === 0) throw new SignetError('ERR_INPUT_INVALID', 'addToReferrersIndex needs at least one referrer descriptor to add');
  const own = new Map<string, RawEntry>();
  for (const d of additions) own.set(d.digest, rawEntryOf(parseDescriptor(d, 'referrer descriptor')));
  const observed = new Map<string, RawEntry>(); // every entry seen in any read, first-seen order
  const gone = new Set<string>(); // entries the registry says no longer exist
  // Index digests seen as the tag target. At success every one but the settled index was seen
  // before it (digests never come back), so all of them are replaced garbage.
  const replaced = new Set<string>();
  const warnings: string[] = [];
  let candidate: { digest: string; receivedAt: number } | undefined;
  let reads = 0;
  let writes = 0;
  let conflicts = 0;
  let backedOff = false;
  // Settling must outlast other writers' read-to-landed-PUT time. On a slow machine or network
  // that time grows for everyone, so stretch the window to twice the slowest one we saw.
  let settle = settleMs;

  const backoff = () => sleep(Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(conflicts, 10)) * (0.5 + random()));

  while (reads < maxAttempts) {
    reads++;
    let read: IndexRead;
    try {
      read = await readIndex(repo, tag, now);
    } catch (e) {
      if (!isTransient(e)) throw e;
      warnings.push(`reading ${tag} failed (${(e as Error).message}); retrying`);
      conflicts++;
      await backoff();
      continue;
    }
    if (read.digest !== undefined) replaced.add(read.digest);
    for (const e of read.entries) if (!observed.has(e.digest) && !gone.has(e.digest)) observed.set(e.digest, e);
    const present = new Set(read.entries.map((e) => e.digest));
    const missing = [...observed.keys(), ...own.keys()].some((d) => !present.has(d) && !gone.has(d));

    if (read.digest !== undefined && !missing) {
      if (candidate && candidate.digest === read.digest && read.sentAt - candidate.receivedAt >= settle) {
        const index: Descriptor = { mediaType: MediaType.ociIndex, digest: read.digest, size: read.size ?? 0 };
        replaced.delete(read.digest);
        const deleted =
          (options.deleteOldIndexes ?? true) && replaced.size > 0 ? await deleteOldIndexes(repo, tag, [...replaced], warnings, now) : [];
        return { tag, index, entries: read.entries.length, reads, writes, deleted, warnings };
      }
      if (!candidate || candidate.digest !== read.digest) candidate = { digest: read.digest, receivedAt: read.receivedAt };
      await sleep(Math.max(0, settle - (now() - candidate.receivedAt)) + 5 + random() * 20);
      continue;
    }

    // The index lacks something we know of: write the union.
    candidate = undefined;
    if (writes > 0 && !backedOff) {
      // Someone overwrote our write. Back off (jittered, growing) and read again before
      // rewriting, so concurrent writers spread out and each rewrite merges more.
      conflicts++;
      backedOff = true;
      await backoff();
      continue;
    }
    backedOff = false;
    if (now() - read.sentAt > maxReadAgeMs) continue; // stale: read again before writing
    const bytes = buildIndex(read.entries, observed, own, gone);
    try {
      await repo.pushManifest(bytes, { mediaType: MediaType.ociIndex, reference: tag });
      writes++;
    } catch (e) {
      const dropped = missingChildren(e, own);
      if (dropped.length > 0) {
        // Someone deleted a referrer manifest; the registry will not index what is gone.
        for (const d of dropped) {
          gone.add(d);
          observed.delete(d);
        }
        warnings.push(`dropped ${dropped.length} entr${dropped.length === 1 ? 'y' : 'ies'} whose manifests no longer exist: ${dropped.join(', ')}`);
        continue;
      }
      if (!isTransient(e)) throw e;
      warnings.push(`writing ${tag} failed (${(e as Error).message}); retrying`);
      conflicts++;
      await backoff();
      continue;
    }
    const took = now() - read.sentAt;
    settle = Math.max(settle, 2 * took);
    if (took > settleMs) {
      warnings.push(`writing the referrers index took ${Math.round(took)} ms, longer than the ${settleMs} ms settle window; concurrent writers may not be protected`);
    }
    await sleep(5 + random() * backoffMs); // let writers racing with us land, then verify
  }
  throw new SignetError(
    'ERR_REGISTRY_CONFLICT',
    `Could not confirm the referrers index ${tag} in ${repo.location} after ${reads} reads and ${writes} writes: other writers kept changing it. ` +
      'The referrer manifest itself was pushed; run the operation again to finish indexing it.'
  );
}

/** GET the tag index; a missing tag is an empty index. */
async function readIndex(repo: Repository, tag: string, now: () => number): Promise<IndexRead> {
  const sentAt = now();
  let fetched;
  try {
    fetched = await repo.fetchManifest(tag, { accept: [MediaType.ociIndex] });
  } catch (e) {
    if (e instanceof SignetError && (e.code === 'ERR_REGISTRY_MANIFEST_UNKNOWN' || e.code === 'ERR_REGISTRY_NAME_UNKNOWN')) {
      return { digest: undefined, entries: [], sentAt, receivedAt: now() };
    }
    throw e;
  }
  const receivedAt = now();
  const what = `referrers index ${tag} in ${repo.location}`;
  const json = parseJsonObject(fetched.bytes, what, MAX_MANIFEST_BYTES);
  if (json.mediaType !== undefined && json.mediaType !== MediaType.ociIndex) {
    throw new SignetError('ERR_MEDIA_TYPE_UNSUPPORTED', `${what} has media type ${JSON.stringify(json.mediaType)}; expected ${MediaType.ociIndex}. Something else is using the referrers tag.`);
  }
  const list = json.manifests ?? [];
  if (!Array.isArray(list)) throw new SignetError('ERR_MANIFEST_INVALID', `${what}.manifests must be an array`);
  const entries: RawEntry[] = [];
  list.forEach((item, i) => {
    parseDescriptor(item, `${what}.manifests[${i}]`);
    entries.push(item as RawEntry);
  });
  return { digest: fetched.descriptor.digest, size: fetched.descriptor.size, entries, sentAt, receivedAt };
}

/**
 * The index to write: the entries of the index just read (in its order), then entries observed
 * earlier that it lacks, then our own (notation appends new referrers at the end); plus a nonce.
 */
export function buildIndex(
  current: readonly RawEntry[],
  observed: ReadonlyMap<string, RawEntry>,
  own: ReadonlyMap<string, RawEntry>,
  gone: ReadonlySet<string> = new Set()
): Uint8Array {
  const manifests: RawEntry[] = [];
  const seen = new Set<string>();
  const add = (e: RawEntry) => {
    if (seen.has(e.digest) || gone.has(e.digest)) return;
    seen.add(e.digest);
    manifests.push(e);
  };
  current.forEach(add);
  for (const e of observed.values()) if (!own.has(e.digest)) add(e);
  for (const e of own.values()) add(e);
  const nonce = new Uint8Array(16);
  crypto.getRandomValues(nonce);
  const bytes = utf8Encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests, annotations: { [INDEX_NONCE_ANNOTATION]: toHex(nonce) } })
  );
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `the referrers index would be ${bytes.length} bytes with ${manifests.length} entries; the limit is ${MAX_MANIFEST_BYTES}`);
  }
  return bytes;
}

/** A descriptor in the field order Go writes for referrers: mediaType, digest, size, annotations, artifactType. */
function rawEntryOf(d: Descriptor): RawEntry {
  const e: RawEntry = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.annotations !== undefined) e.annotations = { ...d.annotations };
  if (d.artifactType !== undefined) e.artifactType = d.artifactType;
  return e;
}

function isTransient(e: unknown): boolean {
  return e instanceof SignetError && (e.code === 'ERR_REGISTRY_HTTP' || e.code === 'ERR_REGISTRY_UNREACHABLE' || e.code === 'ERR_REGISTRY_RATE_LIMITED');
}

/** Digests a registry refused as missing children of the index (MANIFEST_BLOB_UNKNOWN), except ours. */
function missingChildren(e: unknown, own: ReadonlyMap<string, RawEntry>): string[] {
  if (!(e instanceof SignetError)) return [];
  const out: string[] = [];
  for (const entry of registryErrorEntries(e)) {
    if (entry.code !== 'MANIFEST_BLOB_UNKNOWN') continue;
    const d = typeof entry.detail === 'string' ? entry.detail : (entry.detail as { digest?: unknown } | undefined)?.digest;
    if (typeof d === 'string' && /^sha(256|384|512):[0-9a-f]+$/.test(d)) {
      if (own.has(d)) {
        throw new SignetError('ERR_REGISTRY_MANIFEST_UNKNOWN', `The registry no longer has the referrer manifest ${d} that is being indexed; push it again`, { cause: e });
      }
      out.push(d);
    }
  }
  return out;
}

async function deleteOldIndexes(repo: Repository, tag: string, digests: string[], warnings: string[], now: () => number): Promise<string[]> {
  let current: string | undefined;
  try {
    current = (await readIndex(repo, tag, now)).digest;
  } catch {
    return []; // without knowing the current target nothing is deleted
  }
  const deleted: string[] = [];
  const gone = (e: unknown) => e instanceof SignetError && e.code === 'ERR_REGISTRY_MANIFEST_UNKNOWN';
  const warn = (digest: string, e: unknown) =>
    warnings.push(
      `Removal of outdated referrers index ${digest} from ${repo.location} failed (${e instanceof Error ? e.message : String(e)}). Garbage collection may be required.`
    );
  for (const digest of digests) {
    if (digest === current) continue;
    try {
      await repo.deleteManifest(digest);
      deleted.push(digest);
    } catch (e) {
      if (gone(e)) continue; // another writer deleted it first
      if (e instanceof SignetError && e.code === 'ERR_REGISTRY_HTTP') {
        // distribution answers 500 when two writers delete the same manifest at once: retry once.
        try {
          await repo.deleteManifest(digest);
          deleted.push(digest);
        } catch (again) {
          if (!gone(again)) warn(digest, again);
        }
        continue;
      }
      warn(digest, e);
      break; // refused (unsupported, denied): the registry will refuse the others too
    }
  }
  return deleted;
}

export interface PushReferrerInput {
  /** The referrer manifest (an OCI image manifest with `subject`), exactly as it will be stored. */
  manifest: Uint8Array;
  /** Its media type; default: the manifest's own mediaType field. */
  mediaType?: string;
  /** Every blob it references (notation order: envelope, then the `{}` config). */
  blobs: ReadonlyArray<Uint8Array>;
}

export interface PushReferrerOptions extends ReferrersIndexOptions {
  /**
   * `auto` (default): update the tag index only when the registry did not index the subject
   * itself (no OCI-Subject header and no Referrers API). `always`: notation 1.x's
   * `--force-referrers-tag`. `never`: Referrers API only.
   */
  tagIndex?: 'auto' | 'always' | 'never';
  chunkSize?: number;
}

export interface PushReferrerResult {
  /** The pushed manifest. */
  descriptor: Descriptor;
  subject: Descriptor;
  /** The descriptor as referrer listings show it (with artifactType and annotations). */
  entry: Descriptor;
  ociSubject?: string;
  indexedBy: 'registry' | 'tag-index' | 'registry+tag-index' | 'none';
  tagIndex?: ReferrersIndexResult;
  warnings: string[];
}

/**
 * Pushes a referrer (spec digest §2.3): blobs, then the manifest by digest, then the tag index
 * when needed (see `tagIndex`). Failing to delete an old index is a warning, never a failure.
 */
export async function pushReferrer(repo: Repository, input: PushReferrerInput, options: PushReferrerOptions = {}): Promise<PushReferrerResult> {
  const manifest = parseImageManifest(input.manifest, input.mediaType, 'referrer manifest');
  if (!manifest.subject) {
    throw new SignetError('ERR_MANIFEST_INVALID', 'referrer manifest has no "subject"; it must name the manifest it refers to');
  }
  for (const blob of input.blobs) {
    await repo.pushBlob(blob, options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {});
  }
  const pushed = await repo.pushManifest(input.manifest, { mediaType: manifest.mediaType });
  const entry: Descriptor = { mediaType: manifest.mediaType, digest: pushed.descriptor.digest, size: pushed.descriptor.size };
  if (manifest.annotations) entry.annotations = { ...manifest.annotations };
  entry.artifactType = manifest.artifactType ?? manifest.config.mediaType;

  const result: PushReferrerResult = { descriptor: pushed.descriptor, subject: manifest.subject, entry, indexedBy: 'none', warnings: [] };
  const mode = options.tagIndex ?? 'auto';
  let byRegistry = false;
  if (pushed.ociSubject !== undefined) {
    result.ociSubject = pushed.ociSubject;
    byRegistry = true;
    repo.client.setReferrersCapability(repo, 'supported');
  } else if (mode === 'auto') {
    byRegistry = (await probeReferrersApi(repo)) === 'supported';
  }
  if (mode === 'always' || (mode === 'auto' && !byRegistry)) {
    const tagIndex = await addToReferrersIndex(repo, manifest.subject.digest, [entry], options);
    result.tagIndex = tagIndex;
    result.warnings.push(...tagIndex.warnings);
    result.indexedBy = byRegistry ? 'registry+tag-index' : 'tag-index';
  } else if (byRegistry) {
    result.indexedBy = 'registry';
  }
  return result;
}
