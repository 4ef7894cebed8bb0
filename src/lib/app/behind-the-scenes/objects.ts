/**
 * The object graph of an artifact: what the registry holds for it, read through the registry
 * client (every manifest and envelope size-capped and checked against its digest).
 *  - tags that point at the artifact, its platform manifests, or a referrers tag index;
 *  - the artifact's manifest (or index and its platform manifests) with its config and layers;
 *  - each referrer manifest (signatures and anything else with a `subject`), its config and
 *    layers, recursively (referrers of referrers), with envelope layers decoded as
 *    `notation inspect` shows them;
 *  - the referrers tag index (`<alg>-<hex>`) when there is one.
 * Nodes carry media type, digest, size and the raw JSON of manifests and indexes; edges name the
 * relation. Spec digest §2.1 (signature manifest), §2.3 (Referrers API and tag schema).
 * Bounded: node, depth, tag, and byte caps; a cap that is reached is reported in `notes`.
 */
import { utf8Decode } from '../../bytes';
import { isSignetError } from '../../errors';
import type { InspectSignature } from '../../notary/inspect';
import type { Descriptor, Platform } from '../../oci/descriptor';
import { parseDigest } from '../../oci/digest';
import { isIndexMediaType, MAX_MANIFEST_BYTES, parseImageIndex, parseImageManifest, type ImageIndex, type ImageManifest } from '../../oci/manifest';
import { MediaType } from '../../oci/media-types';
import { isNotarySignatureManifest, listReferrers } from '../../registry/referrers';
import type { Repository } from '../../registry/repository';
import { OBJECT_GRAPH_MEDIA_TYPE, type EdgeRelation, type ObjectEdge, type ObjectGraph, type ObjectNode, type ObjectRole } from './graph';

export type EnvelopeDescriber = (bytes: Uint8Array, mediaType: string, manifestDigest: string) => Promise<InspectSignature>;
/** Same shape as ProgressTracker.run and TraceRecorder.step, so reads can be tied to steps. */
export type StepRunner = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

export interface BuildObjectGraphOptions {
  /** The tag the person typed: always resolved, whatever `maxTagResolves` says. */
  tag?: string;
  /** Nodes in total (default 500). */
  maxNodes?: number;
  /** Levels of referrers of referrers listed (default 3). */
  maxDepth?: number;
  /** Tags listed (default 10 000). */
  maxTags?: number;
  /** Ordinary tags resolved to find those that point into the graph (default 50); referrers tags are always read. */
  maxTagResolves?: number;
  /** Bytes of manifests and envelopes read in total (default 16 MiB). */
  maxBytes?: number;
  /** Largest envelope decoded (default 4 MiB). */
  maxEnvelopeBytes?: number;
  /** Characters of raw JSON kept per node (default 256 KiB). */
  maxRawChars?: number;
  /** Decodes envelope layers (default: notation inspect's model); null leaves envelopes unread. */
  describeEnvelope?: EnvelopeDescriber | null;
  step?: StepRunner;
  now?: () => Date;
}

export { describeNode, formatObjectGraph, indexGraph, OBJECT_GRAPH_MEDIA_TYPE } from './graph';
export type { EdgeRelation, GraphIndex, ObjectEdge, ObjectGraph, ObjectKind, ObjectNode, ObjectRole } from './graph';

const ENVELOPE_TYPES: readonly string[] = [MediaType.cose, MediaType.jws];
const REFERRERS_TAG = /^(sha256|sha384|sha512)-([a-f0-9]{64,128})$/;

async function describeWithInspect(bytes: Uint8Array, mediaType: string, manifestDigest: string): Promise<InspectSignature> {
  const [{ inspectEnvelope }, { describeTimestamp }] = await Promise.all([import('../../notary/inspect'), import('../../notary/timestamp/describe')]);
  return inspectEnvelope(bytes, mediaType, { digest: manifestDigest, describeTimestamp: (token, signature) => describeTimestamp(token, signature, 'json') });
}

function platformLabel(p: Platform | undefined): string | undefined {
  if (!p) return undefined;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type Parsed = { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };
type MutableNode = { -readonly [K in keyof ObjectNode]: ObjectNode[K] };

/** Reads the graph; one instance per build. */
class GraphBuilder {
  private readonly nodes = new Map<string, MutableNode>();
  private readonly edges: ObjectEdge[] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly parsed = new Map<string, Parsed | null>();
  private readonly notes: string[] = [];
  private truncated = false;
  private bytesRead = 0;
  private budgetNoted = false;
  private via: 'referrers-api' | 'tag-schema' | null = null;
  /** Referrers already expanded, so shared ones are read once. */
  private readonly referrersSeen = new Set<string>();
  /** subject digest → tag index digest, from listings. */
  private readonly tagIndexOf = new Map<string, string>();
  private readonly queue: { digest: string; depth: number }[] = [];

  private readonly maxNodes: number;
  private readonly maxDepth: number;
  private readonly maxBytes: number;
  private readonly maxEnvelopeBytes: number;
  private readonly maxRawChars: number;
  private readonly describe: EnvelopeDescriber | null;
  private readonly step: StepRunner;

  constructor(
    private readonly repo: Repository,
    private readonly options: BuildObjectGraphOptions
  ) {
    this.maxNodes = options.maxNodes ?? 500;
    this.maxDepth = options.maxDepth ?? 3;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.maxEnvelopeBytes = options.maxEnvelopeBytes ?? 4 * 1024 * 1024;
    this.maxRawChars = options.maxRawChars ?? 256 * 1024;
    this.describe = options.describeEnvelope === undefined ? describeWithInspect : options.describeEnvelope;
    this.step = options.step ?? ((_label, fn) => fn());
  }

  async build(root: string | Descriptor): Promise<ObjectGraph> {
    const rootDescriptor = typeof root === 'string' ? await this.step(`Resolve ${root}`, () => this.repo.resolve(root)) : root;
    await this.step('Read the artifact manifest', async () => {
      this.addNode({ id: rootDescriptor.digest, kind: isIndexMediaType(rootDescriptor.mediaType) ? 'index' : 'manifest', role: 'artifact', ...content(rootDescriptor) });
      // The artifact itself must be readable: its (typed) registry error is what the person needs.
      const parsed = await this.readManifest(rootDescriptor, true);
      if (parsed) await this.expand(rootDescriptor.digest, parsed, 0);
    });
    this.queue.unshift({ digest: rootDescriptor.digest, depth: 0 });

    while (this.queue.length > 0) {
      const { digest, depth } = this.queue.shift()!;
      if (depth >= this.maxDepth) continue;
      if (this.full()) break;
      await this.listReferrersOf(digest, depth);
    }

    await this.readTags();
    return {
      mediaType: OBJECT_GRAPH_MEDIA_TYPE,
      repository: this.repo.location,
      root: rootDescriptor.digest,
      referrersVia: this.via,
      nodes: [...this.nodes.values()].map((n) => ({ ...n })),
      edges: [...this.edges],
      truncated: this.truncated,
      notes: [...this.notes],
      builtAt: (this.options.now?.() ?? new Date()).toISOString()
    };
  }

  private full(): boolean {
    if (this.nodes.size < this.maxNodes) return false;
    if (!this.truncated) this.notes.push(`Stopped at ${this.maxNodes} objects; the registry holds more for this artifact.`);
    this.truncated = true;
    return true;
  }

  /** Adds a node, or fills in what an existing one lacks. Returns false when the graph is full. */
  private addNode(node: MutableNode): boolean {
    const existing = this.nodes.get(node.id);
    if (existing) {
      for (const [k, v] of Object.entries(node) as [keyof MutableNode, unknown][]) {
        if (existing[k] === undefined && v !== undefined) (existing as Record<string, unknown>)[k] = v;
      }
      // A placeholder (a subject named by some manifest) becomes the real thing once it is found.
      if (existing.role === 'external' && node.role !== 'external') {
        existing.role = node.role;
        delete existing.note;
      }
      return true;
    }
    if (this.full()) return false;
    this.nodes.set(node.id, node);
    return true;
  }

  private addEdge(from: string, to: string, relation: EdgeRelation): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return;
    const key = `${from}\u0000${relation}\u0000${to}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ from, to, relation });
  }

  private budget(size: number, what: string): boolean {
    if (this.bytesRead + size <= this.maxBytes) return true;
    if (!this.budgetNoted) this.notes.push(`Stopped reading content after ${this.bytesRead} bytes (limit ${this.maxBytes}); later objects are shown from their descriptors only.`);
    this.budgetNoted = true;
    this.truncated = true;
    const node = this.nodes.get(what);
    if (node) node.note ??= 'not read: the byte budget of this view was used up';
    return false;
  }

  /** Fetches a manifest or index by its descriptor (digest-checked), keeps its raw JSON, parses it. */
  private async readManifest(descriptor: Descriptor, rethrow = false): Promise<Parsed | null> {
    if (this.parsed.has(descriptor.digest)) return this.parsed.get(descriptor.digest)!;
    const node = this.nodes.get(descriptor.digest);
    if (!node) return null;
    if (!this.budget(descriptor.size, descriptor.digest)) return null;
    let bytes: Uint8Array;
    try {
      const fetched = await this.repo.fetchManifest(descriptor, { maxBytes: MAX_MANIFEST_BYTES });
      bytes = fetched.bytes;
    } catch (e) {
      if (rethrow || !isSignetError(e)) throw e;
      node.error = e.message;
      this.parsed.set(descriptor.digest, null);
      return null;
    }
    this.bytesRead += bytes.length;
    try {
      const text = utf8Decode(bytes, `manifest ${descriptor.digest}`);
      node.raw = text.length > this.maxRawChars ? text.slice(0, this.maxRawChars) : text;
      if (text.length > this.maxRawChars) node.rawTruncated = true;
    } catch (e) {
      node.error = message(e);
    }
    let parsed: Parsed | null = null;
    try {
      if (isIndexMediaType(descriptor.mediaType)) {
        const index = parseImageIndex(bytes, descriptor.mediaType, `index ${descriptor.digest}`);
        parsed = { kind: 'index', index };
        node.kind = 'index';
        if (index.artifactType) node.artifactType = index.artifactType;
        if (index.annotations) node.annotations ??= index.annotations;
      } else {
        const manifest = parseImageManifest(bytes, descriptor.mediaType, `manifest ${descriptor.digest}`);
        parsed = { kind: 'manifest', manifest };
        node.kind = 'manifest';
        const artifactType = manifest.artifactType ?? (manifest.config.mediaType === MediaType.notarySignature ? MediaType.notarySignature : undefined);
        if (artifactType) node.artifactType = artifactType;
        if (manifest.annotations) node.annotations ??= manifest.annotations;
      }
    } catch (e) {
      if (rethrow || !isSignetError(e)) throw e;
      node.error = e.message;
    }
    this.parsed.set(descriptor.digest, parsed);
    return parsed;
  }

  /** Adds what a manifest or index points at: config, layers, index entries, subject. */
  private async expand(id: string, parsed: Parsed, depth: number): Promise<void> {
    const node = this.nodes.get(id)!;
    if (parsed.kind === 'index') {
      for (const entry of parsed.index.manifests) {
        const nested = isIndexMediaType(entry.mediaType);
        const platform = platformLabel(entry.platform);
        const isArtifactIndex = node.role === 'artifact' || node.role === 'platform-manifest';
        if (!this.addNode({ id: entry.digest, kind: nested ? 'index' : 'manifest', role: isArtifactIndex ? 'platform-manifest' : 'referrer', ...content(entry), ...(platform ? { platform } : {}) })) return;
        this.addEdge(id, entry.digest, 'index-entry');
        // Platform manifests of the artifact are read (their referrers are listed too); the
        // entries of a referrer that is an index are shown from their descriptors only.
        if (isArtifactIndex) {
          const child = await this.readManifest(entry);
          if (child) await this.expand(entry.digest, child, depth);
          this.queue.push({ digest: entry.digest, depth });
        }
      }
      if (parsed.index.subject) this.linkSubject(id, parsed.index.subject);
      return;
    }
    const m = parsed.manifest;
    const signature = isNotarySignatureManifest(m);
    if (signature && node.role === 'referrer') node.role = 'signature';
    if (this.addNode({ id: m.config.digest, kind: 'blob', role: 'config', ...content(m.config) })) this.addEdge(id, m.config.digest, 'config');
    for (const layer of m.layers) {
      const envelope = signature && ENVELOPE_TYPES.includes(layer.mediaType);
      if (!this.addNode({ id: layer.digest, kind: 'blob', role: envelope ? 'envelope' : 'layer', ...content(layer) })) return;
      this.addEdge(id, layer.digest, 'layer');
      if (envelope) await this.readEnvelope(layer, id);
    }
    if (m.subject) this.linkSubject(id, m.subject);
  }

  private linkSubject(id: string, subject: Descriptor): void {
    if (!this.nodes.has(subject.digest)) {
      if (!this.addNode({ id: subject.digest, kind: isIndexMediaType(subject.mediaType) ? 'index' : 'manifest', role: 'external', ...content(subject), note: 'declared as subject; not part of this artifact' })) return;
    }
    this.addEdge(id, subject.digest, 'subject');
  }

  private async readEnvelope(layer: Descriptor, manifestDigest: string): Promise<void> {
    const node = this.nodes.get(layer.digest);
    if (!node || node.envelope || !this.describe) return;
    if (layer.size > this.maxEnvelopeBytes) {
      node.note = `not decoded: ${layer.size} bytes is over this view's ${this.maxEnvelopeBytes}-byte limit`;
      return;
    }
    if (!this.budget(layer.size, layer.digest)) return;
    try {
      const bytes = await this.repo.fetchBlob(layer, { maxBytes: this.maxEnvelopeBytes });
      this.bytesRead += bytes.length;
      node.envelope = await this.describe(bytes, layer.mediaType, manifestDigest);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      node.error = e.message;
    }
  }

  /** Lists the referrers of `digest` (API or tag index) and reads each. */
  private async listReferrersOf(digest: string, depth: number): Promise<void> {
    let listing;
    try {
      listing = await this.step(`List referrers of ${digest.slice(0, 19)}…`, () => listReferrers(this.repo, digest, { maxReferrers: this.maxNodes }));
    } catch (e) {
      if (!isSignetError(e)) throw e;
      this.notes.push(`Could not list the referrers of ${digest}: ${e.message}`);
      return;
    }
    this.via ??= listing.via;
    if (listing.truncated) {
      this.truncated = true;
      this.notes.push(`${digest} has more referrers than this view lists.`);
    }
    if (listing.index) {
      this.tagIndexOf.set(digest, listing.index.digest);
      await this.readTagIndex(listing.index, digest, depth);
    }
    for (const r of listing.referrers) {
      if (this.full()) return;
      await this.readReferrer(r, digest, depth);
    }
  }

  private async readReferrer(descriptor: Descriptor, subject: string, depth: number): Promise<void> {
    if (this.referrersSeen.has(descriptor.digest)) return;
    this.referrersSeen.add(descriptor.digest);
    const role: ObjectRole = descriptor.artifactType === MediaType.notarySignature ? 'signature' : 'referrer';
    const added = this.addNode({
      id: descriptor.digest,
      kind: isIndexMediaType(descriptor.mediaType) ? 'index' : 'manifest',
      role,
      ...content(descriptor),
      ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {})
    });
    if (!added) return;
    await this.step(`Read referrer ${descriptor.digest.slice(0, 19)}…`, async () => {
      const parsed = await this.readManifest(descriptor);
      if (parsed) await this.expand(descriptor.digest, parsed, depth + 1);
      // The listing says it refers to `subject` even when its manifest could not be read.
      if (!parsed) this.addEdge(descriptor.digest, subject, 'subject');
      else if (!(parsed.kind === 'manifest' ? parsed.manifest.subject : parsed.index.subject)) this.addEdge(descriptor.digest, subject, 'subject');
    });
    this.queue.push({ digest: descriptor.digest, depth: depth + 1 });
  }

  /** The referrers tag index: its node, and an edge to every referrer it lists. */
  private async readTagIndex(descriptor: Descriptor, subject: string, depth: number): Promise<void> {
    if (!this.addNode({ id: descriptor.digest, kind: 'index', role: 'referrers-tag-index', ...content(descriptor) })) return;
    const parsed = await this.readManifest(descriptor);
    if (!parsed || parsed.kind !== 'index') return;
    for (const entry of parsed.index.manifests) {
      if (this.full()) return;
      await this.readReferrer(entry, subject, depth);
      this.addEdge(descriptor.digest, entry.digest, 'referrer-index-entry');
    }
  }

  /** Tags that point into the graph; referrers tags of subjects in the graph are always read. */
  private async readTags(): Promise<void> {
    let tags: string[];
    try {
      tags = await this.step('List tags', () => this.repo.listTags({ maxTags: this.options.maxTags ?? 10_000 }));
    } catch (e) {
      if (!isSignetError(e)) throw e;
      this.notes.push(`Could not list the repository's tags: ${e.message}`);
      return;
    }
    const maxResolves = this.options.maxTagResolves ?? 50;
    let resolves = 0;
    let elsewhere = 0;
    let unresolved = 0;
    for (const tag of tags) {
      if (this.full()) return;
      const referrers = REFERRERS_TAG.exec(tag);
      if (referrers) {
        const subject = `${referrers[1]}:${referrers[2]}`;
        if (!this.nodes.has(subject)) {
          elsewhere++;
          continue;
        }
        let indexDigest = this.tagIndexOf.get(subject);
        if (indexDigest === undefined) {
          // Found only through the tag (a registry with the Referrers API can have one too).
          try {
            const fetched = await this.step(`Read the referrers tag ${tag.slice(0, 19)}…`, () => this.repo.fetchManifest(tag, { accept: [MediaType.ociIndex] }));
            indexDigest = fetched.descriptor.digest;
            this.tagIndexOf.set(subject, indexDigest);
            const depth = 0;
            await this.readTagIndex(fetched.descriptor, subject, depth);
          } catch (e) {
            if (!isSignetError(e)) throw e;
            this.notes.push(`Could not read the referrers tag ${tag}: ${e.message}`);
            continue;
          }
        }
        this.addTag(tag, indexDigest, true);
        continue;
      }
      if (tag !== this.options.tag && resolves >= maxResolves) {
        unresolved++;
        continue;
      }
      if (tag !== this.options.tag) resolves++;
      try {
        const d = await this.step(`Resolve tag ${tag}`, () => this.repo.resolve(tag));
        if (this.nodes.has(d.digest) && this.nodes.get(d.digest)!.role !== 'external') this.addTag(tag, d.digest, false);
        else elsewhere++;
      } catch (e) {
        if (!isSignetError(e)) throw e;
        this.notes.push(`Could not resolve tag ${tag}: ${e.message}`);
      }
    }
    if (elsewhere > 0) this.notes.push(`${elsewhere} other tag${elsewhere === 1 ? ' in the repository points' : 's in the repository point'} at other content.`);
    if (unresolved > 0) {
      this.truncated = true;
      this.notes.push(`${unresolved} tag${unresolved === 1 ? ' was' : 's were'} not resolved (this view resolves at most ${maxResolves}).`);
    }
  }

  private addTag(tag: string, target: string, referrers: boolean): void {
    const id = `tag:${tag}`;
    if (!this.addNode({ id, kind: 'tag', role: 'tag', tag, target, ...(referrers ? { note: 'referrers tag: names the index that lists the referrers of its subject' } : {}) })) return;
    this.addEdge(id, target, 'tag');
  }
}

function content(d: Descriptor): { mediaType: string; digest: string; size: number } {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/**
 * Reads the object graph of the artifact `root` (a tag/digest to resolve, or its descriptor) in
 * `repo`. Errors reading the artifact itself are thrown (typed); anything else that cannot be read
 * is kept on its node (`error`) or in `notes`, so the graph shows the registry as it is.
 */
export async function buildObjectGraph(repo: Repository, root: string | Descriptor, options: BuildObjectGraphOptions = {}): Promise<ObjectGraph> {
  if (typeof root !== 'string') parseDigest(root.digest, 'artifact digest');
  return new GraphBuilder(repo, options).build(root);
}
