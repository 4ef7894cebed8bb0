/**
 * Discovering referrers (signatures) of a manifest, as oras-go / notation 1.x do:
 * `GET /v2/<name>/referrers/<digest>?artifactType=…` with Link paging, client-side filtering,
 * and — when the registry has no Referrers API — the `<alg>-<hex>` tag index ("referrers tag
 * schema"). Support is detected on the first real call (or by the zero-digest probe) and
 * remembered per registry + repository.
 * Spec digest §2.3 ("Listing through the API", auto-detect); distribution-spec v1.1 §"Listing Referrers"
 * and §"Referrers Tag Schema".
 */
import { SignetError } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { parseDigest } from '../oci/digest';
import { parseImageIndex, type ImageManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ReferrersCapability } from './client';
import { registryError, registryErrorCodes } from './errors';
import { mediaTypeOf, parseNextLink } from './http';
import { MAX_METADATA_BYTES, type Repository } from './repository';

/** The digest oras probes with: no manifest has it, so only support (not content) is learned. */
export const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;
/** Older distribution-spec drafts reported filtering in this index annotation instead of a header. */
export const FILTERS_APPLIED_ANNOTATION = 'org.opencontainers.referrers.filtersApplied';

export interface ListReferrersOptions {
  /** Only referrers with this artifactType (e.g. MediaType.notarySignature). */
  artifactType?: string;
  /** Stop after this many referrers (the listing says `truncated`). Default 10 000. */
  maxReferrers?: number;
  /** Stop with ERR_INPUT_TOO_LARGE after this many API pages. Default 100. */
  maxPages?: number;
  /** `auto` (default): API first, tag schema when unsupported. Or force one path. */
  via?: 'auto' | 'api' | 'tag-schema';
}

export interface ReferrersListing {
  referrers: Descriptor[];
  via: 'referrers-api' | 'tag-schema';
  /** API pages read (tag schema: 1 when an index exists, else 0). */
  pages: number;
  /** The registry reported applying the artifactType filter on every page (we filter anyway). */
  filteredByRegistry: boolean;
  /** More referrers exist than `maxReferrers`. */
  truncated: boolean;
  /** Tag schema: the descriptor of the index found under the referrers tag. */
  index?: Descriptor;
}

/** The referrers tag of a subject: `<alg>-<hex>`, e.g. `sha256-9f86d0…`. */
export function referrersTag(subjectDigest: string): string {
  const { algorithm, hex } = parseDigest(subjectDigest, 'subject digest');
  return `${algorithm}-${hex}`;
}

/** Referrers of `artifactType` (all when undefined), in order, without duplicate digests. */
export function filterReferrers(referrers: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const d of referrers) {
    if (artifactType !== undefined && d.artifactType !== artifactType) continue;
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}

/**
 * True for both signature manifest shapes (spec digest §2.1): `artifactType` = notary signature
 * with the empty config, or no `artifactType` with config media type = notary signature.
 */
export function isNotarySignatureManifest(manifest: ImageManifest): boolean {
  if (manifest.artifactType !== undefined) {
    return manifest.artifactType === MediaType.notarySignature && manifest.config.mediaType === MediaType.ociEmpty;
  }
  return manifest.config.mediaType === MediaType.notarySignature;
}

type ApiPage =
  | { kind: 'unsupported'; reason: string }
  | { kind: 'page'; referrers: Descriptor[]; filtered: boolean; next: string | undefined };

function referrersUrl(repo: Repository, subjectDigest: string, artifactType: string | undefined): string {
  const base = repo.endpoint(`referrers/${subjectDigest}`);
  return artifactType === undefined ? base : `${base}?artifactType=${encodeURIComponent(artifactType)}`;
}

/** One page of the Referrers API, or "unsupported" (a 404 that is not NAME_UNKNOWN, 405/501, or a non-index answer). */
async function apiPage(repo: Repository, url: string, page: number): Promise<ApiPage> {
  const what = `page ${page} of the referrers listing in ${repo.location}`;
  const response = await repo.client.send(
    { method: 'GET', url, headers: { Accept: MediaType.ociIndex }, maxBytes: MAX_METADATA_BYTES, what },
    repo.pullScopes()
  );
  if (response.status === 200) {
    const served = mediaTypeOf(response.headers.get('content-type'));
    if (served !== MediaType.ociIndex) {
      return { kind: 'unsupported', reason: `the referrers endpoint answered with ${JSON.stringify(served ?? null)}, not an image index` };
    }
    const index = parseImageIndex(response.body, served, what);
    const header = response.headers.get('oci-filters-applied') ?? '';
    const annotation = index.annotations?.[FILTERS_APPLIED_ANNOTATION] ?? '';
    const filtered = [...header.split(','), ...annotation.split(',')].map((s) => s.trim()).includes('artifactType');
    return { kind: 'page', referrers: index.manifests, filtered, next: parseNextLink(response.headers.get('link'), response.url) };
  }
  const error = registryError(response, { operation: 'list referrers', location: repo.location, notFound: 'ERR_REGISTRY_UNSUPPORTED' });
  if (response.status === 404) {
    if (registryErrorCodes(error).includes('NAME_UNKNOWN')) throw error;
    return { kind: 'unsupported', reason: `the referrers endpoint answered HTTP 404` };
  }
  if (response.status === 405 || response.status === 501) {
    return { kind: 'unsupported', reason: `the referrers endpoint answered HTTP ${response.status}` };
  }
  throw error;
}

/**
 * Lists the referrers of `subject`. With `via: 'auto'` this is notation's behaviour: the Referrers
 * API when the registry has it, else the referrers tag index; what was learned is remembered for
 * the repository. Referrers are filtered by `artifactType` here whether or not the registry says
 * it filtered, and de-duplicated by digest.
 */
export async function listReferrers(
  repo: Repository,
  subject: string | Descriptor,
  options: ListReferrersOptions = {}
): Promise<ReferrersListing> {
  const subjectDigest = typeof subject === 'string' ? subject : subject.digest;
  parseDigest(subjectDigest, 'subject digest');
  const via = options.via ?? 'auto';
  const maxReferrers = options.maxReferrers ?? 10_000;
  const maxPages = options.maxPages ?? 100;
  const known = repo.client.referrersCapability(repo);

  if (via === 'tag-schema' || (via === 'auto' && known === 'unsupported')) {
    return listByTagSchema(repo, subjectDigest, options.artifactType, maxReferrers);
  }

  let url: string | undefined = referrersUrl(repo, subjectDigest, options.artifactType);
  const first = await apiPage(repo, url, 1);
  if (first.kind === 'unsupported') {
    if (via === 'api' || known === 'supported') {
      throw new SignetError('ERR_REGISTRY_UNSUPPORTED', `${repo.location} does not serve the Referrers API: ${first.reason}`);
    }
    repo.client.setReferrersCapability(repo, 'unsupported');
    return listByTagSchema(repo, subjectDigest, options.artifactType, maxReferrers);
  }
  repo.client.setReferrersCapability(repo, 'supported');

  const collected: Descriptor[] = [];
  let filteredByRegistry = true;
  let pages = 0;
  let truncated = false;
  const seen = new Set<string>();
  let current: ApiPage = first;
  for (;;) {
    if (current.kind !== 'page') {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${repo.location} stopped serving the Referrers API while paging: ${current.reason}`);
    }
    pages++;
    if (url !== undefined) seen.add(url);
    filteredByRegistry &&= current.filtered;
    collected.push(...current.referrers);
    const distinct = filterReferrers(collected, options.artifactType);
    if (distinct.length > maxReferrers) {
      truncated = true;
      break;
    }
    url = current.next;
    if (url === undefined) break;
    if (seen.has(url)) {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${repo.location} sent a referrers Link that loops back to a page already read`);
    }
    if (pages >= maxPages) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `${repo.location} has more than ${maxPages} pages of referrers; stopped`);
    }
    current = await apiPage(repo, url, pages + 1);
  }
  return {
    referrers: filterReferrers(collected, options.artifactType).slice(0, maxReferrers),
    via: 'referrers-api',
    pages,
    filteredByRegistry: options.artifactType !== undefined && filteredByRegistry,
    truncated
  };
}

/**
 * Reads the referrers tag index (notation 1.x / oras): GET the manifest tagged `<alg>-<hex>`;
 * no such tag means no referrers.
 */
export async function listByTagSchema(
  repo: Repository,
  subjectDigest: string,
  artifactType: string | undefined,
  maxReferrers = 10_000
): Promise<ReferrersListing> {
  const tag = referrersTag(subjectDigest);
  let fetched;
  try {
    fetched = await repo.fetchManifest(tag, { accept: [MediaType.ociIndex] });
  } catch (e) {
    if (e instanceof SignetError && (e.code === 'ERR_REGISTRY_MANIFEST_UNKNOWN' || e.code === 'ERR_REGISTRY_NAME_UNKNOWN')) {
      return { referrers: [], via: 'tag-schema', pages: 0, filteredByRegistry: false, truncated: false };
    }
    throw e;
  }
  const index = parseImageIndex(fetched.bytes, fetched.descriptor.mediaType, `referrers index ${tag} in ${repo.location}`);
  const all = filterReferrers(index.manifests, artifactType);
  return {
    referrers: all.slice(0, maxReferrers),
    via: 'tag-schema',
    pages: 1,
    filteredByRegistry: false,
    truncated: all.length > maxReferrers,
    index: fetched.descriptor
  };
}

/**
 * Whether the repository serves the Referrers API, learned once (oras's probe: the referrers of
 * the all-zero digest; a 200 image index means yes, a 404 that is not NAME_UNKNOWN means no).
 */
export async function probeReferrersApi(repo: Repository): Promise<ReferrersCapability> {
  const known = repo.client.referrersCapability(repo);
  if (known) return known;
  const result = await apiPage(repo, referrersUrl(repo, ZERO_DIGEST, undefined), 1);
  const capability: ReferrersCapability = result.kind === 'page' ? 'supported' : 'unsupported';
  repo.client.setReferrersCapability(repo, capability);
  return capability;
}
