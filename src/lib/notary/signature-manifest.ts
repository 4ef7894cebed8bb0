/**
 * Signature manifests: the OCI image manifest that carries one envelope layer and points at the
 * signed manifest through `subject` (spec digest §2.1, §2.2). Pure: building and checking, no I/O.
 */
import { utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { computeDigest } from '../oci/digest';
import { parseImageManifest, type ImageManifest } from '../oci/manifest';
import { Annotation, EMPTY_JSON, MediaType } from '../oci/media-types';
import { isEnvelopeMediaType } from './envelope';
import { marshalGoJson, sortedRecord } from './go-json';
import { formatRfc3339 } from './time';

/**
 * Shape B is what notation v1.0–v1.3.2 writes (config media type = the notary artifact type, no
 * `artifactType`); shape A is the newer spec default (`artifactType` + empty config). Verifiers
 * accept both; Signet writes B by default so every notation 1.x reads what it signs.
 */
export type SignatureManifestShape = 'legacy-config' | 'artifact-type';

export interface BuiltSignatureManifest {
  manifest: Uint8Array;
  descriptor: Descriptor;
  /** The envelope blob descriptor (the single layer). */
  envelope: Descriptor;
  /** The 2-byte config blob every shape references. */
  config: Descriptor;
}

/** `io.cncf.notary.x509chain.thumbprint#S256`: a JSON array string of lowercase SHA-256 hex, leaf first. */
export async function chainThumbprints(chain: readonly Uint8Array[]): Promise<string> {
  const hexes = await Promise.all(chain.map(async (der) => (await computeDigest(der)).slice('sha256:'.length)));
  return JSON.stringify(hexes);
}

/**
 * Builds the signature manifest notation would push for an envelope, with Go's key order, the
 * thumbprint annotation and `org.opencontainers.image.created` = the signing time in UTC.
 */
export async function buildSignatureManifest(options: {
  envelope: Uint8Array;
  envelopeMediaType: string;
  subject: Descriptor;
  signingTime: Date;
  certificateChain: readonly Uint8Array[];
  shape?: SignatureManifestShape;
}): Promise<BuiltSignatureManifest> {
  if (!isEnvelopeMediaType(options.envelopeMediaType)) {
    throw new SignetError('ERR_ENVELOPE_UNSUPPORTED', `"${options.envelopeMediaType}" is not a signature envelope media type`);
  }
  const shape = options.shape ?? 'legacy-config';
  const envelope: Descriptor = { mediaType: options.envelopeMediaType, digest: await computeDigest(options.envelope), size: options.envelope.length };
  const config: Descriptor = {
    mediaType: shape === 'legacy-config' ? MediaType.notarySignature : MediaType.ociEmpty,
    digest: EMPTY_JSON.digest,
    size: EMPTY_JSON.size
  };
  const manifest: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.ociManifest };
  if (shape === 'artifact-type') manifest.artifactType = MediaType.notarySignature;
  manifest.config = config;
  manifest.layers = [envelope];
  manifest.subject = { mediaType: options.subject.mediaType, digest: options.subject.digest, size: options.subject.size };
  manifest.annotations = sortedRecord({
    [Annotation.thumbprintS256]: await chainThumbprints(options.certificateChain),
    [Annotation.created]: formatRfc3339(options.signingTime)
  });
  const bytes = utf8Encode(marshalGoJson(manifest, false));
  return {
    manifest: bytes,
    descriptor: { mediaType: MediaType.ociManifest, digest: await computeDigest(bytes), size: bytes.length },
    envelope,
    config
  };
}

/**
 * Reads a signature manifest and returns its envelope layer, applying notation's rules: an image
 * manifest (or the legacy artifact manifest) with exactly one layer whose media type is an
 * envelope type.
 */
export function parseSignatureManifest(bytes: Uint8Array, servedMediaType?: string): { manifest: ImageManifest; envelope: Descriptor } {
  const manifest = parseImageManifest(bytes, servedMediaType, 'signature manifest');
  if (manifest.layers.length !== 1) {
    throw new SignetError(
      'ERR_MANIFEST_INVALID',
      `signature manifest must have exactly one layer (the signature envelope), found ${manifest.layers.length}`
    );
  }
  const envelope = manifest.layers[0]!;
  if (!isEnvelopeMediaType(envelope.mediaType)) {
    throw new SignetError(
      'ERR_ENVELOPE_UNSUPPORTED',
      `signature manifest layer has media type "${envelope.mediaType}"; expected ${MediaType.jws} or ${MediaType.cose}`
    );
  }
  return { manifest, envelope };
}

/** Whether a manifest has one of the two signature shapes (used to filter OCI layouts and listings). */
export function isSignatureManifestShape(manifest: ImageManifest): boolean {
  return manifest.artifactType === MediaType.notarySignature
    ? manifest.config.mediaType === MediaType.ociEmpty
    : manifest.artifactType === undefined && manifest.config.mediaType === MediaType.notarySignature;
}
