/**
 * The read side of the home page: resolve what a person pasted to the digest that will be used
 * (warning when it was a tag, as notation does), list the platforms of a multi-arch index, and
 * build the tree of everything that refers to the artifact — signatures, SBOMs, other referrers,
 * and their own referrers — like `oras discover`, through the Referrers API or the tag index.
 * Registry work only; signer details come from an injected describer so the heavy certificate
 * code loads when it is needed.
 */
import { SignetError } from '../errors';
import type { Descriptor, Platform } from '../oci/descriptor';
import { isIndexMediaType, parseImageIndex, parseImageManifest } from '../oci/manifest';
import { Annotation, MediaType } from '../oci/media-types';
import { parseReference, referenceTarget, type Reference } from '../oci/reference';
import type { RegistryClient } from '../registry/client';
import { listReferrers } from '../registry/referrers';
import type { Repository } from '../registry/repository';
import type { ProgressTracker } from './progress';

export interface PlatformChoice {
  readonly descriptor: Descriptor;
  /** `linux/amd64`, `linux/arm64/v8`, or `unknown` when the index entry names none. */
  readonly label: string;
  readonly platform?: Platform;
}

export interface ResolvedArtifact {
  /** What was typed, trimmed. */
  readonly input: string;
  readonly reference: Reference;
  /** `<registry>/<repository>` (the trust policy scope). */
  readonly repository: string;
  /** The manifest or index the reference names. */
  readonly descriptor: Descriptor;
  /** True when a tag was resolved (the digest may change later). */
  readonly byTag: boolean;
  /** notation's warning when a tag was given. */
  readonly tagWarning?: string;
  /** For an index: its platform manifests. */
  readonly platforms?: readonly PlatformChoice[];
}

/** `<registry>/<repository>@<digest>` — what verification and share links use. */
export function pinnedReference(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

export function platformLabel(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/') + (platform['os.version'] ? ` (${platform['os.version']})` : '');
}

/** Parses and resolves `input`; for an index also reads its platform list. */
export async function resolveArtifact(client: RegistryClient, input: string, progress: ProgressTracker): Promise<{ artifact: ResolvedArtifact; repo: Repository }> {
  const reference = parseReference(input);
  const repo = client.repository(reference);
  const target = referenceTarget(reference);
  const descriptor = await progress.run(
    `Resolve ${reference.digest ? 'digest' : `tag "${target}"`} on ${reference.registry}`,
    () => repo.resolve(target),
    (d) => `${d.digest} (${d.mediaType}, ${d.size} bytes)`
  );
  const byTag = reference.digest === undefined;
  let platforms: PlatformChoice[] | undefined;
  if (isIndexMediaType(descriptor.mediaType)) {
    platforms = await progress.run(
      'Read the multi-platform index',
      async () => {
        const fetched = await repo.fetchManifest(descriptor);
        const index = parseImageIndex(fetched.bytes, descriptor.mediaType, `index ${descriptor.digest}`);
        return index.manifests
          .filter((m) => !isIndexMediaType(m.mediaType) || m.platform !== undefined)
          .map((m) => ({ descriptor: m, label: platformLabel(m.platform), ...(m.platform ? { platform: m.platform } : {}) }));
      },
      (list) => `${list.length} platform manifest${list.length === 1 ? '' : 's'}`
    );
  }
  const artifact: ResolvedArtifact = {
    input: input.trim(),
    reference,
    repository: `${reference.registry}/${reference.repository}`,
    descriptor,
    byTag,
    ...(byTag
      ? {
          tagWarning: `Always verify the artifact using digest (@sha256:...) rather than a tag (:${reference.tag ?? 'latest'}), because the resolved digest may not point to the same signed artifact, as tags are mutable.`
        }
      : {}),
    ...(platforms ? { platforms } : {})
  };
  return { artifact, repo };
}

export type ReferrerKind = 'signature' | 'sbom' | 'attestation' | 'other';

/** What a signature says about its signer, or why it could not be read. */
export interface SignerSummary {
  readonly subject?: string;
  readonly issuer?: string;
  readonly signingTime?: string;
  readonly envelopeMediaType?: string;
  readonly error?: string;
}

export type SignatureDescriber = (repo: Repository, manifest: Descriptor) => Promise<SignerSummary>;

export interface ReferrerNode {
  readonly descriptor: Descriptor;
  readonly artifactType: string;
  readonly kind: ReferrerKind;
  readonly created?: string;
  readonly signer?: SignerSummary;
  /** Why this referrer's details or its own referrers could not be read. */
  readonly error?: string;
  readonly children: readonly ReferrerNode[];
}

export interface ReferrerTree {
  readonly subject: Descriptor;
  readonly nodes: readonly ReferrerNode[];
  readonly via: 'referrers-api' | 'tag-schema';
  /** More referrers exist than were listed. */
  readonly truncated: boolean;
  readonly counts: Readonly<Record<ReferrerKind, number>>;
}

export function referrerKind(artifactType: string): ReferrerKind {
  if (artifactType === MediaType.notarySignature) return 'signature';
  const t = artifactType.toLowerCase();
  if (/spdx|cyclonedx|sbom|syft/.test(t)) return 'sbom';
  if (/in-toto|attestation|provenance|slsa|vex/.test(t)) return 'attestation';
  return 'other';
}

export interface DiscoverOptions {
  progress: ProgressTracker;
  describeSignature?: SignatureDescriber;
  /** Levels of referrers-of-referrers (default 3). */
  maxDepth?: number;
  /** Stop listing after this many nodes in total (default 300). */
  maxNodes?: number;
}

/** artifactType and created time of a referrer, reading its manifest when the listing omits them. */
async function referrerDetails(repo: Repository, d: Descriptor): Promise<{ artifactType: string; created?: string }> {
  let artifactType = d.artifactType;
  let created = d.annotations?.[Annotation.created];
  if (artifactType === undefined || created === undefined) {
    const fetched = await repo.fetchManifest(d);
    if (!isIndexMediaType(d.mediaType)) {
      const m = parseImageManifest(fetched.bytes, d.mediaType, `referrer ${d.digest}`);
      artifactType ??= m.artifactType ?? m.config.mediaType;
      created ??= m.annotations?.[Annotation.created];
    } else {
      const index = parseImageIndex(fetched.bytes, d.mediaType, `referrer ${d.digest}`);
      artifactType ??= index.artifactType ?? 'application/vnd.oci.image.index.v1+json';
      created ??= index.annotations?.[Annotation.created];
    }
  }
  return { artifactType: artifactType ?? 'unknown', ...(created !== undefined ? { created } : {}) };
}

/** Lists every referrer of `subject`, recursively, with signer details for signatures. */
export async function discoverReferrers(repo: Repository, subject: Descriptor, options: DiscoverOptions): Promise<ReferrerTree> {
  const maxDepth = options.maxDepth ?? 3;
  const maxNodes = options.maxNodes ?? 300;
  let total = 0;
  let truncated = false;
  const counts: Record<ReferrerKind, number> = { signature: 0, sbom: 0, attestation: 0, other: 0 };

  const listing = await options.progress.run(
    `List referrers of ${subject.digest.slice(0, 19)}…`,
    () => listReferrers(repo, subject, { maxReferrers: maxNodes }),
    (l) => `${l.referrers.length} referrer${l.referrers.length === 1 ? '' : 's'} via ${l.via === 'referrers-api' ? 'the Referrers API' : `the tag index (${l.index ? 'found' : 'none yet'})`}`
  );
  truncated ||= listing.truncated;

  const build = async (descriptors: readonly Descriptor[], depth: number): Promise<ReferrerNode[]> => {
    const nodes: ReferrerNode[] = [];
    for (const d of descriptors) {
      if (total >= maxNodes) {
        truncated = true;
        break;
      }
      total++;
      let artifactType = d.artifactType ?? 'unknown';
      let created: string | undefined;
      let error: string | undefined;
      let signer: SignerSummary | undefined;
      let children: ReferrerNode[] = [];
      try {
        const details = await referrerDetails(repo, d);
        artifactType = details.artifactType;
        created = details.created;
        if (referrerKind(artifactType) === 'signature' && options.describeSignature) signer = await options.describeSignature(repo, d);
        if (depth < maxDepth) {
          const sub = await listReferrers(repo, d, { maxReferrers: maxNodes });
          truncated ||= sub.truncated;
          children = await build(sub.referrers, depth + 1);
        }
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const kind = referrerKind(artifactType);
      counts[kind]++;
      nodes.push({ descriptor: d, artifactType, kind, ...(created ? { created } : {}), ...(signer ? { signer } : {}), ...(error ? { error } : {}), children });
    }
    return nodes;
  };

  const nodes = await options.progress.run(
    'Read referrer manifests and signatures',
    () => build(listing.referrers, 1),
    () => `${counts.signature} signature${counts.signature === 1 ? '' : 's'}, ${counts.sbom} SBOM${counts.sbom === 1 ? '' : 's'}, ${counts.attestation + counts.other} other`
  );
  return { subject, nodes, via: listing.via, truncated, counts };
}

/** The reference typed with its digest pinned, for display (`registry/repo:tag@sha256:…`). */
export function describeResolution(artifact: ResolvedArtifact): string {
  const r = artifact.reference;
  return `${artifact.repository}${r.tag && !r.digest ? `:${r.tag}` : ''}@${artifact.descriptor.digest}`;
}

/** Throws a typed error when a platform choice is not one of the index's manifests. */
export function choosePlatform(artifact: ResolvedArtifact, digest: string): Descriptor {
  const found = artifact.platforms?.find((p) => p.descriptor.digest === digest);
  if (!found) throw new SignetError('ERR_INPUT_INVALID', `platform: ${digest} is not a manifest of index ${artifact.descriptor.digest}`);
  return found.descriptor;
}
