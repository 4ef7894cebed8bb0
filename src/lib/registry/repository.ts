/**
 * One repository on one registry, over the OCI Distribution API: resolve tags, fetch manifests and
 * blobs (size-capped, checked against their digests), push blobs and manifests, list tags, delete
 * manifests. https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 */
import { SignetError } from '../errors';
import { parseJsonBytes } from '../json';
import type { Descriptor } from '../oci/descriptor';
import { computeDigest, isDigest, parseDigest, verifyDigest } from '../oci/digest';
import { MAX_MANIFEST_BYTES } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import { isValidTag } from '../oci/reference';
import { repositoryScope } from './auth/scope';
import type { RegistryClient } from './client';
import { registryError, registryErrorCodes } from './errors';
import { mediaTypeOf, parseNextLink, type HttpMethod, type HttpResponse } from './http';

/** Accept for manifests, OCI first: 82 bytes, under the 128-byte CORS-safelisted limit. */
export const MANIFEST_ACCEPT_OCI = `${MediaType.ociManifest},${MediaType.ociIndex}`;
/** Accept for Docker manifests, used on a retry: 110 bytes. */
export const MANIFEST_ACCEPT_DOCKER = `${MediaType.dockerManifest},${MediaType.dockerManifestList}`;
/** All four in one header (193 bytes: forces a CORS preflight, fine outside browsers). */
export const MANIFEST_ACCEPT_ALL = `${MANIFEST_ACCEPT_OCI},${MANIFEST_ACCEPT_DOCKER}`;
const KNOWN_MANIFEST_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
  MediaType.ociArtifactManifest
];

/** Notation refuses signature envelopes above 32 MiB (spec digest §2.4); the default blob cap. */
export const DEFAULT_MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** Cap for one page of tags/list or referrers (oras MaxMetadataBytes). */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

export interface FetchedContent {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface PushedManifest {
  descriptor: Descriptor;
  /** The `OCI-Subject` response header: the registry indexed the subject itself (Referrers API). */
  ociSubject?: string;
}

export interface PushBlobOptions {
  /** Media type for the returned descriptor; default application/octet-stream. */
  mediaType?: string;
  /** Upload in PATCH chunks of this many bytes instead of one PUT. */
  chunkSize?: number;
  /** HEAD the blob first and skip the upload when it exists (default true). */
  skipExisting?: boolean;
}

export interface ListTagsOptions {
  /** `n` per page; the registry's default when absent. */
  pageSize?: number;
  /** Stop with ERR_INPUT_TOO_LARGE beyond this many tags (default 100 000). */
  maxTags?: number;
  /** Stop with ERR_INPUT_TOO_LARGE beyond this many pages (default 1000). */
  maxPages?: number;
}

export class Repository {
  readonly client: RegistryClient;
  /** Registry as named in references (docker.io, localhost:5000). */
  readonly registry: string;
  /** Repository path (library/alpine). */
  readonly repository: string;

  constructor(client: RegistryClient, registry: string, repository: string) {
    this.client = client;
    this.registry = registry;
    this.repository = repository;
  }

  /** `registry/repository`, for messages. */
  get location(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** Absolute URL of `/v2/<name>/<path>`. */
  endpoint(path: string): string {
    return `${this.client.baseUrl(this.registry)}/v2/${this.repository}/${path}`;
  }

  readonly pullScopes = (): string[] => [repositoryScope(this.repository, ['pull'])];
  readonly pushScopes = (): string[] => [repositoryScope(this.repository, ['pull', 'push'])];

  /**
   * Resolves a tag (or digest) to the descriptor of the manifest it names: HEAD first (cheap, and
   * not counted by Docker Hub's pull limit), GET when HEAD does not give a usable answer. The
   * digest from HEAD is the registry's claim; it is checked when the content is fetched by it.
   */
  async resolve(reference: string): Promise<Descriptor> {
    checkReference(reference);
    const accepts = this.accepts();
    const head = await this.client.send(
      {
        method: 'HEAD',
        url: this.endpoint(`manifests/${reference}`),
        headers: { Accept: accepts[0]! },
        maxBytes: 0,
        what: `manifest ${reference} of ${this.location}`
      },
      this.pullScopes()
    );
    if (head.status >= 200 && head.status < 300) {
      const digest = head.headers.get('docker-content-digest');
      const mediaType = mediaTypeOf(head.headers.get('content-type'));
      const length = head.headers.get('content-length');
      if (digest !== null && isDigest(digest) && mediaType && KNOWN_MANIFEST_TYPES.includes(mediaType) && length && /^\d+$/.test(length)) {
        if (isDigest(reference) && digest !== reference) {
          throw new SignetError(
            'ERR_DIGEST_MISMATCH',
            `${this.location} answered for manifest ${reference} with a different digest (${digest}); the registry is not trustworthy`
          );
        }
        return { mediaType, digest, size: Number(length) };
      }
    }
    return (await this.fetchManifest(reference)).descriptor;
  }

  /**
   * Fetches a manifest or index by tag, digest, or descriptor. Bytes are capped at 4 MiB, checked
   * against the digest they were addressed by (or, by tag, against Docker-Content-Digest when the
   * registry sends it), and only then returned or cached. `accept` replaces the Accept values
   * tried in turn (default: OCI types, then Docker types; or the descriptor's media type).
   */
  async fetchManifest(target: string | Descriptor, options: { maxBytes?: number; accept?: readonly string[] } = {}): Promise<FetchedContent> {
    const reference = typeof target === 'string' ? target : target.digest;
    checkReference(reference);
    const expected = isDigest(reference) ? reference : undefined;
    const given = typeof target === 'string' ? undefined : target;
    const maxBytes = Math.min(options.maxBytes ?? MAX_MANIFEST_BYTES, MAX_MANIFEST_BYTES);
    if (given && given.size > maxBytes) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `manifest ${reference} of ${this.location} is ${given.size} bytes; the limit is ${maxBytes} bytes`);
    }
    const what = `manifest ${reference} of ${this.location}`;
    const url = this.endpoint(`manifests/${reference}`);

    if (expected && this.client.cache) {
      const hit = this.client.cache.get(expected);
      const mediaType = hit && (given?.mediaType ?? declaredMediaType(hit));
      if (hit && mediaType) {
        this.client.transport.reportCacheHit('GET', url, hit.length);
        return { descriptor: { mediaType, digest: expected, size: hit.length }, bytes: hit };
      }
    }

    const accepts = options.accept ? [...options.accept] : given ? [given.mediaType] : this.accepts();
    const response = await this.manifestRequest('GET', reference, accepts, maxBytes, what);
    const bytes = response.body;
    if (given && bytes.length !== given.size) {
      throw new SignetError(
        'ERR_DIGEST_MISMATCH',
        `${what} is ${bytes.length} bytes but its descriptor says ${given.size}; the registry served other content`
      );
    }
    let digest: string;
    if (expected) {
      await verifyDigest(bytes, expected, what);
      digest = expected;
    } else {
      digest = await checkServedDigest(bytes, response.headers.get('docker-content-digest'), what);
    }
    const served = mediaTypeOf(response.headers.get('content-type'));
    const mediaType = given?.mediaType ?? (served && KNOWN_MANIFEST_TYPES.includes(served) ? served : declaredMediaType(bytes));
    if (!mediaType) {
      throw new SignetError(
        'ERR_MEDIA_TYPE_UNSUPPORTED',
        `${what} was served as ${JSON.stringify(served ?? null)} and declares no known mediaType; expected an OCI or Docker manifest or index`
      );
    }
    this.client.cache?.set(digest, bytes);
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  /**
   * Fetches a blob: refused before download when larger than `maxBytes` (default 32 MiB), read
   * up to its declared size, then checked against its digest. A registry that serves other bytes
   * gets ERR_DIGEST_MISMATCH and nothing is cached.
   */
  async fetchBlob(descriptor: Descriptor, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    parseDigest(descriptor.digest, 'blob descriptor digest');
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    const what = `blob ${descriptor.digest} of ${this.location}`;
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
      throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what} has an invalid size ${String(descriptor.size)}`);
    }
    if (descriptor.size > maxBytes) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `${what} is ${descriptor.size} bytes; the limit is ${maxBytes} bytes, so it was not downloaded`);
    }
    const url = this.endpoint(`blobs/${descriptor.digest}`);
    const hit = this.client.cache?.get(descriptor.digest);
    if (hit && hit.length === descriptor.size) {
      this.client.transport.reportCacheHit('GET', url, hit.length);
      return hit;
    }
    let response: HttpResponse;
    try {
      response = await this.client.send({ method: 'GET', url, maxBytes: descriptor.size, what }, this.pullScopes());
    } catch (e) {
      if (e instanceof SignetError && e.code === 'ERR_INPUT_TOO_LARGE') {
        throw new SignetError('ERR_DIGEST_MISMATCH', `${what}: the registry served more than the ${descriptor.size} bytes the descriptor declares`, { cause: e });
      }
      throw e;
    }
    if (response.status < 200 || response.status >= 300) {
      throw registryError(response, { operation: `fetch blob ${descriptor.digest}`, location: this.location, notFound: 'ERR_REGISTRY_BLOB_UNKNOWN' });
    }
    if (response.body.length !== descriptor.size) {
      throw new SignetError('ERR_DIGEST_MISMATCH', `${what}: the registry served ${response.body.length} bytes; the descriptor declares ${descriptor.size}`);
    }
    await verifyDigest(response.body, descriptor.digest, what);
    this.client.cache?.set(descriptor.digest, response.body);
    return response.body;
  }

  /** HEAD on a blob: true when the registry has it. */
  async blobExists(digest: string, scopes: string[] = this.pullScopes()): Promise<boolean> {
    parseDigest(digest, 'blob digest');
    const response = await this.client.send(
      { method: 'HEAD', url: this.endpoint(`blobs/${digest}`), maxBytes: 0, what: `blob ${digest} of ${this.location}` },
      scopes
    );
    if (response.status >= 200 && response.status < 300) return true;
    if (response.status === 404) return false;
    throw registryError(response, { operation: `check blob ${digest}`, location: this.location });
  }

  /**
   * Uploads a blob: POST to open an upload, then one PUT with the bytes (monolithic), or PATCH
   * chunks and a closing PUT when `chunkSize` is set. Returns its descriptor.
   */
  async pushBlob(bytes: Uint8Array, options: PushBlobOptions = {}): Promise<Descriptor> {
    const digest = await computeDigest(bytes);
    const descriptor: Descriptor = { mediaType: options.mediaType ?? MediaType.octetStream, digest, size: bytes.length };
    const scopes = this.pushScopes();
    if ((options.skipExisting ?? true) && (await this.blobExists(digest, scopes))) return descriptor;
    const what = `blob ${digest} to ${this.location}`;
    const operation = `push blob ${digest}`;

    const start = await this.client.send(
      { method: 'POST', url: this.endpoint('blobs/uploads/'), body: new Uint8Array(0), maxBytes: MAX_METADATA_BYTES, what: `an upload for ${what}` },
      scopes
    );
    if (start.status !== 202 && start.status !== 201) throw registryError(start, { operation, location: this.location });
    let location = uploadLocation(start, this.location);

    const chunkSize = options.chunkSize;
    let finish: HttpResponse;
    if (chunkSize === undefined || bytes.length <= chunkSize) {
      finish = await this.client.send(
        {
          method: 'PUT',
          url: withDigest(location, digest),
          headers: { 'Content-Type': MediaType.octetStream },
          body: bytes,
          maxBytes: MAX_METADATA_BYTES,
          what
        },
        scopes
      );
    } else {
      if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
        throw new SignetError('ERR_INPUT_INVALID', `chunkSize must be a positive integer, got ${chunkSize}`);
      }
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        const part = bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize));
        const patch = await this.client.send(
          {
            method: 'PATCH',
            url: location,
            headers: { 'Content-Type': MediaType.octetStream, 'Content-Range': `${offset}-${offset + part.length - 1}` },
            body: part,
            maxBytes: MAX_METADATA_BYTES,
            what: `bytes ${offset}-${offset + part.length - 1} of ${what}`
          },
          scopes
        );
        if (patch.status !== 202 && patch.status !== 204) throw registryError(patch, { operation, location: this.location });
        location = uploadLocation(patch, this.location);
      }
      finish = await this.client.send(
        { method: 'PUT', url: withDigest(location, digest), body: new Uint8Array(0), maxBytes: MAX_METADATA_BYTES, what },
        scopes
      );
    }
    if (finish.status !== 201 && finish.status !== 204 && finish.status !== 200) {
      throw registryError(finish, { operation, location: this.location });
    }
    const stored = finish.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest) {
      throw new SignetError('ERR_DIGEST_MISMATCH', `${this.location} stored ${what} under ${stored}; the upload was corrupted`);
    }
    return descriptor;
  }

  /**
   * Pushes a manifest under a tag, or under its own digest when no reference is given (how
   * signatures are pushed). Returns its descriptor and the `OCI-Subject` header if any.
   */
  async pushManifest(bytes: Uint8Array, options: { mediaType: string; reference?: string }): Promise<PushedManifest> {
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `manifest is ${bytes.length} bytes; registries and Notation accept at most ${MAX_MANIFEST_BYTES}`);
    }
    const digest = await computeDigest(bytes);
    const reference = options.reference ?? digest;
    checkReference(reference);
    if (isDigest(reference) && reference !== digest) {
      throw new SignetError('ERR_DIGEST_MISMATCH', `manifest bytes hash to ${digest}, not to the reference ${reference} it was to be pushed under`);
    }
    const what = `manifest ${reference} to ${this.location}`;
    const response = await this.client.send(
      {
        method: 'PUT',
        url: this.endpoint(`manifests/${reference}`),
        headers: { 'Content-Type': options.mediaType },
        body: bytes,
        maxBytes: MAX_METADATA_BYTES,
        what
      },
      this.pushScopes()
    );
    if (response.status < 200 || response.status >= 300) {
      throw registryError(response, { operation: `push manifest ${reference}`, location: this.location });
    }
    const stored = response.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest) {
      throw new SignetError('ERR_DIGEST_MISMATCH', `${this.location} stored ${what} under ${stored}, not ${digest}`);
    }
    const out: PushedManifest = { descriptor: { mediaType: options.mediaType, digest, size: bytes.length } };
    const subject = response.headers.get('oci-subject');
    if (subject !== null && subject !== '') out.ociSubject = subject;
    return out;
  }

  /** Lists every tag, following `Link` pages. */
  async listTags(options: ListTagsOptions = {}): Promise<string[]> {
    const maxTags = options.maxTags ?? 100_000;
    const maxPages = options.maxPages ?? 1000;
    let url: string | undefined = this.endpoint('tags/list');
    if (options.pageSize !== undefined) url += `?n=${encodeURIComponent(String(options.pageSize))}`;
    const tags: string[] = [];
    const seen = new Set<string>();
    for (let page = 1; url !== undefined; page++) {
      if (page > maxPages) throw new SignetError('ERR_INPUT_TOO_LARGE', `${this.location} has more than ${maxPages} pages of tags; stopped`);
      seen.add(url);
      const what = `page ${page} of the tags of ${this.location}`;
      const response = await this.client.send({ method: 'GET', url, headers: { Accept: 'application/json' }, maxBytes: MAX_METADATA_BYTES, what }, this.pullScopes());
      if (response.status < 200 || response.status >= 300) {
        throw registryError(response, { operation: 'list tags', location: this.location, notFound: 'ERR_REGISTRY_NAME_UNKNOWN' });
      }
      const json = parseJsonBytes(response.body, what, MAX_METADATA_BYTES);
      const list = (json as { tags?: unknown } | null)?.tags;
      if (typeof json !== 'object' || json === null || (list !== null && list !== undefined && !Array.isArray(list))) {
        throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${what} is not {"name":…,"tags":[…]}`);
      }
      for (const t of (list ?? []) as unknown[]) {
        if (typeof t !== 'string') throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${what} lists a tag that is not a string`);
        tags.push(t);
      }
      if (tags.length > maxTags) throw new SignetError('ERR_INPUT_TOO_LARGE', `${this.location} has more than ${maxTags} tags; stopped`);
      url = parseNextLink(response.headers.get('link'), response.url);
      if (url !== undefined && seen.has(url)) {
        throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${this.location} sent a tag page Link that loops back to ${url}`);
      }
    }
    return tags;
  }

  /** Deletes a manifest by digest (registries refuse deleting by tag here on purpose). */
  async deleteManifest(digest: string): Promise<void> {
    parseDigest(digest, 'manifest digest');
    const response = await this.client.send(
      { method: 'DELETE', url: this.endpoint(`manifests/${digest}`), maxBytes: MAX_METADATA_BYTES, what: `manifest ${digest} of ${this.location}` },
      [repositoryScope(this.repository, ['delete'])]
    );
    if (response.status < 200 || response.status >= 300) {
      throw registryError(response, { operation: `delete manifest ${digest}`, location: this.location, notFound: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
    }
  }

  private accepts(): string[] {
    return this.client.manifestAccept === 'full' ? [MANIFEST_ACCEPT_ALL] : [MANIFEST_ACCEPT_OCI, MANIFEST_ACCEPT_DOCKER];
  }

  /**
   * GET/HEAD a manifest trying each Accept value in turn. A later value is tried when the registry
   * says the manifest is unknown or invalid for this Accept (distribution answers that way when
   * the stored type is not accepted), but not for a repository that does not exist.
   */
  private async manifestRequest(method: HttpMethod, reference: string, accepts: string[], maxBytes: number, what: string): Promise<HttpResponse> {
    let firstError: SignetError | undefined;
    for (let i = 0; i < accepts.length; i++) {
      const accept = accepts[i]!;
      const last = i === accepts.length - 1;
      const response = await this.client.send(
        { method, url: this.endpoint(`manifests/${reference}`), headers: { Accept: accept }, maxBytes, what },
        this.pullScopes()
      );
      if (response.status >= 200 && response.status < 300) {
        const served = mediaTypeOf(response.headers.get('content-type'));
        if (last || (served !== undefined && accept.split(',').includes(served))) return response;
        continue; // e.g. a schema1 conversion: ask again with the next Accept
      }
      const error = registryError(response, { operation: `fetch manifest ${reference}`, location: this.location, notFound: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
      firstError ??= error;
      const retry = !last && [400, 404, 406].includes(response.status) && !registryErrorCodes(error).includes('NAME_UNKNOWN');
      if (!retry) throw firstError;
    }
    throw firstError ?? new SignetError('ERR_REGISTRY_HTTP', `Could not fetch ${what}`);
  }
}

function checkReference(reference: string): void {
  if (typeof reference !== 'string' || reference === '') {
    throw new SignetError('ERR_REFERENCE_INVALID', 'a tag or digest is required');
  }
  if (reference.includes(':')) {
    parseDigest(reference, 'digest');
    return;
  }
  if (!isValidTag(reference)) {
    throw new SignetError(
      'ERR_REFERENCE_INVALID',
      `"${reference.slice(0, 140)}" is neither a tag (letters, digits, "_", ".", "-"; at most 128) nor a digest (sha256:<64 hex>)`
    );
  }
}

/** The manifest's own "mediaType" field, if it is a known manifest type. */
function declaredMediaType(bytes: Uint8Array): string | undefined {
  try {
    const json = parseJsonBytes(bytes, 'manifest', MAX_MANIFEST_BYTES) as { mediaType?: unknown } | null;
    const mt = json?.mediaType;
    return typeof mt === 'string' && KNOWN_MANIFEST_TYPES.includes(mt) ? mt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Digest of content fetched by tag. When the registry states one (Docker-Content-Digest), the
 * bytes must hash to it (with the algorithm it names); otherwise the sha256 of the bytes is used.
 */
async function checkServedDigest(bytes: Uint8Array, header: string | null, what: string): Promise<string> {
  if (header !== null && header !== '') {
    let algorithm;
    try {
      algorithm = parseDigest(header, 'Docker-Content-Digest').algorithm;
    } catch (cause) {
      throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${what} came with a malformed Docker-Content-Digest header`, { cause });
    }
    const actual = await computeDigest(bytes, algorithm);
    if (actual !== header) {
      throw new SignetError(
        'ERR_DIGEST_MISMATCH',
        `${what} does not match its digest: the registry says ${header}, the received bytes hash to ${actual}`
      );
    }
    return header;
  }
  return computeDigest(bytes);
}

function uploadLocation(response: HttpResponse, location: string): string {
  const value = response.headers.get('location');
  if (value === null || value === '') {
    throw new SignetError(
      'ERR_REGISTRY_RESPONSE_INVALID',
      `${location} opened an upload without a Location header (in a browser the registry must expose Location through CORS; otherwise use the Signet proxy)`
    );
  }
  try {
    return new URL(value, response.url).toString();
  } catch (cause) {
    throw new SignetError('ERR_REGISTRY_RESPONSE_INVALID', `${location} sent an upload Location that is not a URL`, { cause });
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.append('digest', digest);
  return url.toString();
}
