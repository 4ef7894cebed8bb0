/**
 * OCI content descriptors, validated at the boundary.
 * https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md
 */
import { SignetError } from '../errors';
import { parseDigest } from './digest';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  data?: string;
  platform?: Platform;
}

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

// RFC 6838 type/subtype, with optional parameters (Notation accepts e.g. "text/plain; charset=utf-8").
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;

export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_TYPE.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an annotations map (string → string). */
export function parseAnnotations(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what} must be an object of string values`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}["${k}"] must be a string, got ${typeof v}`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * Parses a descriptor object: mediaType, digest and size are required; size must be a
 * non-negative safe integer (Go rejects 1.0e3 for an int64, and so do we).
 */
export function parseDescriptor(value: unknown, what = 'descriptor'): Descriptor {
  if (!isRecord(value)) throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what} must be a JSON object`);
  const { mediaType, digest, size, artifactType, annotations, urls, data, platform } = value;
  if (!isMediaType(mediaType)) {
    throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.mediaType must be a media type like "type/subtype"`);
  }
  parseDigest(digest, `${what}.digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.size must be a non-negative integer`);
  }
  const out: Descriptor = { mediaType, digest: digest as string, size };
  if (artifactType !== undefined) {
    if (!isMediaType(artifactType)) {
      throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.artifactType must be a media type`);
    }
    out.artifactType = artifactType;
  }
  const ann = parseAnnotations(annotations, `${what}.annotations`);
  if (ann) out.annotations = ann;
  if (urls !== undefined) {
    if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) {
      throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.urls must be an array of strings`);
    }
    out.urls = urls as string[];
  }
  if (data !== undefined) {
    if (typeof data !== 'string') throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.data must be a base64 string`);
    out.data = data;
  }
  if (platform !== undefined) {
    if (!isRecord(platform) || typeof platform.architecture !== 'string' || typeof platform.os !== 'string') {
      throw new SignetError('ERR_DESCRIPTOR_INVALID', `${what}.platform must have string "architecture" and "os"`);
    }
    out.platform = platform as unknown as Platform;
  }
  return out;
}
