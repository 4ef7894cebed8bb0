/**
 * Image manifests and indexes, parsed from bytes with size caps.
 * https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md and image-index.md
 */
import { SignetError } from '../errors';
import { parseJsonObject } from '../json';
import { isMediaType, parseAnnotations, parseDescriptor, type Descriptor } from './descriptor';
import { MediaType } from './media-types';

/** Notation refuses signature and referrer manifests above 4 MiB; so do we, for every manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.ociManifest, MediaType.dockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

function descriptorList(value: unknown, what: string): Descriptor[] {
  if (!Array.isArray(value)) throw new SignetError('ERR_MANIFEST_INVALID', `${what} must be an array of descriptors`);
  return value.map((d, i) => parseDescriptor(d, `${what}[${i}]`));
}

function checkMediaType(
  declared: unknown,
  expected: string | undefined,
  allowed: readonly string[],
  what: string
): string {
  // The mediaType field is optional in JSON; fall back to what the registry said it was.
  const mediaType = declared ?? expected;
  if (typeof mediaType !== 'string' || !allowed.includes(mediaType)) {
    throw new SignetError(
      'ERR_MEDIA_TYPE_UNSUPPORTED',
      `${what} has media type ${JSON.stringify(mediaType)}; expected one of ${allowed.join(', ')}`
    );
  }
  if (expected !== undefined && declared !== undefined && declared !== expected) {
    throw new SignetError(
      'ERR_MANIFEST_INVALID',
      `${what} declares mediaType "${String(declared)}" but was served as "${expected}"`
    );
  }
  return mediaType;
}

/** Parses an image manifest. `servedMediaType` is the descriptor/Content-Type it came with. */
export function parseImageManifest(bytes: Uint8Array, servedMediaType?: string, what = 'manifest'): ImageManifest {
  const json = parseJsonObject(bytes, what, MAX_MANIFEST_BYTES);
  if (json.schemaVersion !== 2) throw new SignetError('ERR_MANIFEST_INVALID', `${what}.schemaVersion must be 2`);
  const mediaType = checkMediaType(json.mediaType, servedMediaType, MANIFEST_MEDIA_TYPES, what);
  const out: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: parseDescriptor(json.config, `${what}.config`),
    layers: descriptorList(json.layers ?? [], `${what}.layers`)
  };
  if (json.artifactType !== undefined) {
    if (!isMediaType(json.artifactType)) throw new SignetError('ERR_MANIFEST_INVALID', `${what}.artifactType must be a media type`);
    out.artifactType = json.artifactType;
  }
  if (json.subject !== undefined) out.subject = parseDescriptor(json.subject, `${what}.subject`);
  const ann = parseAnnotations(json.annotations, `${what}.annotations`);
  if (ann) out.annotations = ann;
  return out;
}

export function parseImageIndex(bytes: Uint8Array, servedMediaType?: string, what = 'index'): ImageIndex {
  const json = parseJsonObject(bytes, what, MAX_MANIFEST_BYTES);
  if (json.schemaVersion !== 2) throw new SignetError('ERR_MANIFEST_INVALID', `${what}.schemaVersion must be 2`);
  const mediaType = checkMediaType(json.mediaType, servedMediaType, INDEX_MEDIA_TYPES, what);
  const out: ImageIndex = { schemaVersion: 2, mediaType, manifests: descriptorList(json.manifests ?? [], `${what}.manifests`) };
  if (json.artifactType !== undefined) {
    if (!isMediaType(json.artifactType)) throw new SignetError('ERR_MANIFEST_INVALID', `${what}.artifactType must be a media type`);
    out.artifactType = json.artifactType;
  }
  if (json.subject !== undefined) out.subject = parseDescriptor(json.subject, `${what}.subject`);
  const ann = parseAnnotations(json.annotations, `${what}.annotations`);
  if (ann) out.annotations = ann;
  return out;
}
