/**
 * What people drop (or pick) on the page, sorted into what Signet can do with it: a signature
 * envelope (.sig, COSE or JWS, sniffed), a signature manifest (JSON), a verification bundle, or
 * anything else — which, next to a signature, is the blob that signature is for.
 */
import { SignetError } from '../errors';
import { MediaType } from '../oci/media-types';
import { sniffEnvelopeMediaType, type EnvelopeMediaType } from '../notary/envelope';
import { isVerificationBundle } from './share';

/** Largest file read (a blob to verify is hashed in memory). */
export const MAX_DROPPED_FILE_BYTES = 512 * 1024 * 1024;
const MAX_JSON_SNIFF_BYTES = 4 * 1024 * 1024;

export interface DroppedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type ClassifiedFile =
  | { readonly kind: 'signature'; readonly file: DroppedFile; readonly mediaType: EnvelopeMediaType }
  | { readonly kind: 'manifest'; readonly file: DroppedFile }
  | { readonly kind: 'bundle'; readonly file: DroppedFile }
  | { readonly kind: 'other'; readonly file: DroppedFile };

export type DropIntent =
  | { readonly kind: 'inspect-signature'; readonly signature: DroppedFile; readonly mediaType: EnvelopeMediaType }
  | { readonly kind: 'inspect-manifest'; readonly manifest: DroppedFile }
  | { readonly kind: 'verify-blob'; readonly blob: DroppedFile; readonly signature: DroppedFile; readonly mediaType: EnvelopeMediaType }
  | { readonly kind: 'open-bundle'; readonly bundle: DroppedFile };

function jsonOf(bytes: Uint8Array): unknown {
  if (bytes.length > MAX_JSON_SNIFF_BYTES) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sorts one file by name and content. */
export function classifyFile(file: DroppedFile): ClassifiedFile {
  const name = file.name.toLowerCase();
  const json = file.bytes[0] === 0x7b || file.bytes[0] === 0x20 || file.bytes[0] === 0x0a ? jsonOf(file.bytes) : undefined;
  if (isRecord(json)) {
    if (isVerificationBundle(json)) return { kind: 'bundle', file };
    if (json.schemaVersion === 2 && Array.isArray(json.layers)) {
      const config = isRecord(json.config) ? json.config : {};
      if (json.artifactType === MediaType.notarySignature || config.mediaType === MediaType.notarySignature) return { kind: 'manifest', file };
    }
    // A JWS envelope in JSON serialization.
    if (typeof json.payload === 'string' && typeof json.protected === 'string' && typeof json.signature === 'string') {
      return { kind: 'signature', file, mediaType: MediaType.jws };
    }
  }
  if (name.endsWith('.sig') || file.bytes[0] === 0xd2) {
    const mediaType = sniffEnvelopeMediaType(file.bytes, file.name);
    if (mediaType) return { kind: 'signature', file, mediaType };
  }
  return { kind: 'other', file };
}

/** What to do with a set of dropped files; a typed error that says what is accepted otherwise. */
export function dropIntent(files: readonly DroppedFile[]): DropIntent {
  const classified = files.map(classifyFile);
  const signatures = classified.filter((c) => c.kind === 'signature');
  const others = classified.filter((c) => c.kind === 'other');
  if (files.length === 1) {
    const only = classified[0]!;
    if (only.kind === 'signature') return { kind: 'inspect-signature', signature: only.file, mediaType: only.mediaType };
    if (only.kind === 'manifest') return { kind: 'inspect-manifest', manifest: only.file };
    if (only.kind === 'bundle') return { kind: 'open-bundle', bundle: only.file };
  }
  if (files.length === 2 && signatures.length === 1 && others.length === 1) {
    const sig = signatures[0]!;
    return { kind: 'verify-blob', blob: others[0]!.file, signature: sig.file, mediaType: sig.mediaType };
  }
  if (files.length === 2 && signatures.length === 2) {
    // Two envelopes: the one named <other>.<fmt>.sig is the signature, the other is the blob.
    for (const [a, b] of [
      [signatures[0]!, signatures[1]!],
      [signatures[1]!, signatures[0]!]
    ] as const) {
      if (a.kind === 'signature' && a.file.name.toLowerCase().startsWith(`${b.file.name.toLowerCase()}.`)) {
        return { kind: 'verify-blob', blob: b.file, signature: a.file, mediaType: a.mediaType };
      }
    }
  }
  const names = files.map((f) => f.name).join(', ');
  throw new SignetError(
    'ERR_INPUT_INVALID',
    files.length === 0
      ? 'no file was dropped'
      : `cannot tell what to do with ${names}: drop one signature file (.sig, COSE or JWS), one signature manifest (JSON), one verification bundle, or a file together with its .sig to verify it`
  );
}

/** Reads browser File objects, refusing oversized ones before reading them. */
export async function readDroppedFiles(files: readonly File[]): Promise<DroppedFile[]> {
  if (files.length > 8) throw new SignetError('ERR_INPUT_INVALID', `${files.length} files were dropped; drop at most two (a file and its signature)`);
  const out: DroppedFile[] = [];
  for (const f of files) {
    if (f.size > MAX_DROPPED_FILE_BYTES) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `${f.name} is ${f.size} bytes; Signet reads files up to ${MAX_DROPPED_FILE_BYTES} bytes`);
    }
    out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}
