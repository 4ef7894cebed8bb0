/**
 * Where the registry layer meets the Notary core: signatures listed and fetched from a repository
 * (a `SignatureSource` for verification) and signatures pushed after signing. Used by the web app
 * and by the `signet` CLI alike.
 */
import { SignetError } from '../errors';
import { MediaType } from '../oci/media-types';
import type { Descriptor } from '../oci/descriptor';
import { MAX_ENVELOPE_BYTES } from '../notary/envelope';
import type { Signer } from '../notary/ports';
import { parseSignatureManifest } from '../notary/signature-manifest';
import { signArtifact, type SignArtifactOptions, type SignedArtifact } from '../notary/sign/sign-artifact';
import type { SignatureSource } from '../notary/verify/verify-artifact';
import { listReferrers, type ListReferrersOptions, type ReferrersListing } from '../registry/referrers';
import { pushReferrer, type PushReferrerOptions, type PushReferrerResult } from '../registry/referrers-index';
import type { Repository } from '../registry/repository';
import { EMPTY_JSON } from '../oci/media-types';

/** Notation's limit for signature manifests. */
export const MAX_SIGNATURE_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Lists notary signatures of `subject`: Referrers API, else the tag index (as notation 1.x). */
export async function listSignatures(repo: Repository, subject: Descriptor, options: Omit<ListReferrersOptions, 'artifactType'> = {}): Promise<ReferrersListing> {
  return listReferrers(repo, subject, { ...options, artifactType: MediaType.notarySignature });
}

/** Fetches the envelope a signature manifest carries, every byte size-capped and digest-checked. */
export async function fetchSignatureEnvelope(repo: Repository, manifest: Descriptor): Promise<{ envelope: Uint8Array; mediaType: string; manifestBytes: Uint8Array }> {
  if (manifest.size > MAX_SIGNATURE_MANIFEST_BYTES) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `signature manifest ${manifest.digest} is ${manifest.size} bytes; the limit is ${MAX_SIGNATURE_MANIFEST_BYTES} bytes`);
  }
  const fetched = await repo.fetchManifest(manifest, { maxBytes: MAX_SIGNATURE_MANIFEST_BYTES });
  const { envelope } = parseSignatureManifest(fetched.bytes, fetched.descriptor.mediaType);
  if (envelope.size > MAX_ENVELOPE_BYTES) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `signature envelope ${envelope.digest} is ${envelope.size} bytes; the limit is ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const bytes = await repo.fetchBlob(envelope, { maxBytes: MAX_ENVELOPE_BYTES });
  return { envelope: bytes, mediaType: envelope.mediaType, manifestBytes: fetched.bytes };
}

/** A SignatureSource over a registry repository, for verifyArtifact. */
export function registrySignatureSource(repo: Repository, options: { maxReferrers?: number } = {}): SignatureSource {
  return {
    async *listSignatures(target) {
      const listing = await listSignatures(repo, target, { maxReferrers: options.maxReferrers ?? 10_000 });
      yield* listing.referrers;
    },
    async fetchSignature(manifest) {
      const { envelope, mediaType } = await fetchSignatureEnvelope(repo, manifest);
      return { envelope, mediaType };
    }
  };
}

export interface SignAndPushResult {
  signed: SignedArtifact;
  pushed: PushReferrerResult;
}

/**
 * Signs the manifest `target` (already resolved to a descriptor by digest) and pushes envelope,
 * config and signature manifest, then the referrers tag index when the registry needs it. Nothing
 * is indexed before the manifest exists, so a failure never leaves an index entry pointing at a
 * missing manifest.
 */
export async function signAndPush(
  repo: Repository,
  target: Descriptor,
  signer: Signer,
  options: SignArtifactOptions & { push?: PushReferrerOptions } = {}
): Promise<SignAndPushResult> {
  const signed = await signArtifact(target, signer, options);
  const pushed = await pushReferrer(
    repo,
    { manifest: signed.signatureManifest.manifest, mediaType: MediaType.ociManifest, blobs: [signed.envelope, EMPTY_JSON.bytes] },
    options.push ?? {}
  );
  return { signed, pushed };
}
