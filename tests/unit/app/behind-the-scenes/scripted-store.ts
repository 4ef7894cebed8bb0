/**
 * Scripted answers for the object-graph unit tests: a map of content by digest and of tags, served
 * on the Distribution API paths the graph builder reads, with or without the Referrers API. It
 * does not pretend to be a registry (no uploads, no auth); the same flows against real registries
 * are in tests/integration/behind-the-scenes.
 */
import { utf8Encode } from '../../../../src/lib/bytes';
import type { Descriptor } from '../../../../src/lib/oci/descriptor';
import { computeDigest } from '../../../../src/lib/oci/digest';
import { EMPTY_JSON, MediaType } from '../../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../../src/lib/registry/client';
import type { ExchangeObserver } from '../../../../src/lib/registry/http';
import type { Call } from '../../registry/scripted-fetch';
import { scriptedFetch } from '../../registry/scripted-fetch';

export const HOST = '127.0.0.1:5000';
export const REPO = 'team/app';

interface Stored {
  bytes: Uint8Array;
  mediaType: string;
  /** For manifests with a subject: its digest and descriptor for the referrers listing. */
  subject?: string;
  artifactType?: string;
}

export class ScriptedStore {
  readonly content = new Map<string, Stored>();
  readonly tags = new Map<string, string>();
  /** Serve the Referrers API (else 404, as distribution does). */
  api: boolean;
  /** Digests whose bytes are served altered (a lying registry). */
  readonly corrupt = new Set<string>();

  constructor(options: { api: boolean }) {
    this.api = options.api;
  }

  async blob(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const digest = await computeDigest(bytes);
    this.content.set(digest, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length };
  }

  async manifest(json: Record<string, unknown>, tag?: string): Promise<Descriptor> {
    const bytes = utf8Encode(JSON.stringify(json));
    const mediaType = String(json.mediaType);
    const digest = await computeDigest(bytes);
    const subject = (json.subject as Descriptor | undefined)?.digest;
    const config = json.config as Descriptor | undefined;
    const artifactType = (json.artifactType as string | undefined) ?? config?.mediaType;
    this.content.set(digest, { bytes, mediaType, ...(subject ? { subject } : {}), ...(artifactType ? { artifactType } : {}) });
    if (tag) this.tags.set(tag, digest);
    const d: Descriptor = { mediaType, digest, size: bytes.length };
    if (json.artifactType) d.artifactType = String(json.artifactType);
    return d;
  }

  /** An image: config + one layer + manifest, tagged. */
  async image(tag?: string, seed = 'x'): Promise<Descriptor> {
    const config = await this.blob(utf8Encode(JSON.stringify({ os: 'linux', architecture: 'amd64', seed })), 'application/vnd.oci.image.config.v1+json');
    const layer = await this.blob(utf8Encode(`layer ${seed}`), 'application/vnd.oci.image.layer.v1.tar');
    return this.manifest({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] }, tag);
  }

  /** A Notary signature manifest (artifactType shape) over `subject` carrying `envelope`. */
  async signature(subject: Descriptor, envelope: Uint8Array, envelopeMediaType: string = MediaType.cose): Promise<{ manifest: Descriptor; envelope: Descriptor }> {
    await this.blob(EMPTY_JSON.bytes, MediaType.ociEmpty);
    const env = await this.blob(envelope, envelopeMediaType);
    const manifest = await this.manifest({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.notarySignature,
      config: { mediaType: MediaType.ociEmpty, digest: EMPTY_JSON.digest, size: 2 },
      layers: [env],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '[]' }
    });
    return { manifest, envelope: env };
  }

  /** An SBOM-like referrer. */
  async sbom(subject: Descriptor): Promise<{ manifest: Descriptor; layer: Descriptor }> {
    await this.blob(EMPTY_JSON.bytes, MediaType.ociEmpty);
    const layer = await this.blob(utf8Encode('{"spdxVersion":"SPDX-2.3"}'), 'application/spdx+json');
    const manifest = await this.manifest({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: 'application/spdx+json',
      config: { mediaType: MediaType.ociEmpty, digest: EMPTY_JSON.digest, size: 2 },
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }
    });
    return { manifest, layer };
  }

  /** Writes the `sha256-<hex>` tag index of `subject` listing `entries` (as a tag-schema writer would). */
  async tagIndex(subject: Descriptor, entries: Descriptor[], nonce = '1'): Promise<Descriptor> {
    return this.manifest(
      { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries, annotations: { 'dev.signet.referrers-index.nonce': nonce } },
      subject.digest.replace(':', '-')
    );
  }

  referrersOf(digest: string): Descriptor[] {
    const out: Descriptor[] = [];
    for (const [d, s] of this.content) {
      if (s.subject === digest) out.push({ mediaType: s.mediaType, digest: d, size: s.bytes.length, ...(s.artifactType ? { artifactType: s.artifactType } : {}) });
    }
    return out;
  }

  private serve(call: Call): Response | undefined {
    const url = new URL(call.url);
    const prefix = `/v2/${REPO}/`;
    if (!url.pathname.startsWith(prefix)) return undefined;
    const rest = decodeURIComponent(url.pathname.slice(prefix.length));
    const notFound = (code: string) => new Response(JSON.stringify({ errors: [{ code, message: 'unknown' }] }), { status: 404, headers: { 'Content-Type': 'application/json' } });
    if (rest === 'tags/list') {
      return new Response(JSON.stringify({ name: REPO, tags: [...this.tags.keys()].sort() }), { headers: { 'Content-Type': 'application/json' } });
    }
    const referrers = /^referrers\/(.+)$/.exec(rest);
    if (referrers) {
      if (!this.api) return notFound('UNSUPPORTED');
      const body = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: this.referrersOf(referrers[1]!) });
      return new Response(body, { headers: { 'Content-Type': MediaType.ociIndex } });
    }
    const m = /^(manifests|blobs)\/(.+)$/.exec(rest);
    if (!m) return undefined;
    const ref = m[2]!;
    const digest = ref.includes(':') ? ref : this.tags.get(ref);
    const stored = digest ? this.content.get(digest) : undefined;
    if (!stored || !digest) return notFound(m[1] === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN');
    let bytes = stored.bytes;
    if (this.corrupt.has(digest)) {
      bytes = bytes.slice();
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    }
    const headers = { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': digest, 'Content-Length': String(bytes.length) };
    return new Response(call.method === 'HEAD' ? null : (bytes as unknown as BodyInit), { headers });
  }

  client(options: { cache?: boolean; onExchange?: ExchangeObserver } = {}) {
    const { fetch, calls } = scriptedFetch([(c) => this.serve(c)]);
    const client = createRegistryClient({ fetch, ...(options.cache ? { cache: true } : {}), ...(options.onExchange ? { onExchange: options.onExchange } : {}) });
    return { client, repo: client.repository(`${HOST}/${REPO}`), calls };
  }
}
