/**
 * An artifact against a trust policy document: notation-go's outer loop (spec digest §12.6). The
 * one place in verification that needs signatures from somewhere, through the `SignatureSource`
 * port; fetching runs ahead in parallel (bounded), evaluation stays in listing order so the
 * verdict is the one notation reaches: the first signature that passes wins, at most
 * `maxSignatures` are examined, and a signature that cannot be fetched aborts everything.
 */
import { isSignetError, SignetError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { resolveVerificationLevel } from '../policy/levels';
import { selectTrustPolicy } from '../policy/scope';
import type { TrustPolicyDocument } from '../policy/types';
import type { Clock } from '../ports';
import type { RevocationChecker } from '../revocation/types';
import type { ArtifactResult, SignatureResult } from './result';
import type { TrustStoreSet } from './trust-stores';
import { verifySignature } from './verify-signature';

export interface FetchedSignature {
  envelope: Uint8Array;
  /** The envelope layer's media type from the signature manifest. */
  mediaType: string;
}

/** Where signatures come from: a registry (Referrers API / tag index) or anything else. */
export interface SignatureSource {
  /** Signature manifest descriptors for the target, in the registry's order. */
  listSignatures(target: Descriptor, signal: AbortSignal): AsyncIterable<Descriptor>;
  /** The envelope a signature manifest carries (manifest ≤ 4 MiB, envelope ≤ 32 MiB, digests checked). */
  fetchSignature(manifest: Descriptor, signal: AbortSignal): Promise<FetchedSignature>;
}

export interface VerifyArtifactInput {
  /** `<registry>/<repository>` of the artifact (the trust policy scope). */
  repository: string;
  /** The artifact's descriptor as resolved from the registry (by digest). */
  target: Descriptor;
  policy: TrustPolicyDocument;
  trustStores: TrustStoreSet;
  source: SignatureSource;
  clock?: Clock;
  revocation?: RevocationChecker;
  userMetadata?: Record<string, string>;
  /** notation's --max-signatures (default 100, must be > 0). */
  maxSignatures?: number;
  /** Signatures fetched ahead of evaluation (default 4). */
  concurrency?: number;
  /** Called as each signature is decided, for progress display. */
  onSignature?: (result: SignatureResult) => void;
}

export async function verifyArtifact(input: VerifyArtifactInput): Promise<ArtifactResult> {
  const reference = `${input.repository}@${input.target.digest}`;
  const max = input.maxSignatures ?? 100;
  if (!Number.isInteger(max) || max <= 0) {
    throw new SignetError('ERR_INPUT_INVALID', `max signatures expects a positive number, got ${max}`);
  }
  const statement = selectTrustPolicy(input.policy, reference);
  const level = resolveVerificationLevel(statement.signatureVerification);
  const base: Omit<ArtifactResult, 'verified' | 'message' | 'signatures'> = { reference, policy: statement.name, level: level.name };
  if (level.name === 'skip') {
    return { ...base, verified: true, signatures: [], message: `Trust policy is configured to skip signature verification for ${reference}` };
  }

  const controller = new AbortController();
  const signatures: SignatureResult[] = [];
  const pending: { descriptor: Descriptor; fetched: Promise<FetchedSignature> }[] = [];
  const concurrency = Math.max(1, input.concurrency ?? 4);
  const listing = input.source.listSignatures(input.target, controller.signal)[Symbol.asyncIterator]();
  let listed = 0;
  let exhausted = false;

  const fill = async () => {
    while (!exhausted && pending.length < concurrency && listed < max) {
      const next = await listing.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      listed++;
      const fetched = input.source.fetchSignature(next.value, controller.signal);
      fetched.catch(() => undefined); // handled when its turn comes; avoid unhandled rejections
      pending.push({ descriptor: next.value, fetched });
    }
  };

  try {
    await fill();
    while (pending.length > 0) {
      const { descriptor, fetched } = pending.shift()!;
      let signature: FetchedSignature;
      try {
        signature = await fetched;
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e);
        throw new SignetError(
          isSignetError(e) ? e.code : 'ERR_REGISTRY_HTTP',
          `unable to retrieve digital signature with digest "${descriptor.digest}" associated with "${reference}" from the Repository, error : ${detail}`,
          { cause: e }
        );
      }
      const result = await verifySignature({
        envelope: signature.envelope,
        envelopeMediaType: signature.mediaType,
        policy: statement,
        trustStores: input.trustStores,
        target: input.target,
        userMetadata: input.userMetadata,
        clock: input.clock,
        revocation: input.revocation,
        digest: descriptor.digest
      });
      signatures.push(result);
      input.onSignature?.(result);
      if (result.verified) {
        return { ...base, verified: true, signatures, message: `Successfully verified signature for ${reference}` };
      }
      await fill();
    }
  } finally {
    controller.abort();
  }

  if (signatures.length === 0) {
    return { ...base, verified: false, signatures, message: `no signature is associated with "${reference}", make sure the artifact was signed successfully` };
  }
  if (listed >= max) {
    return {
      ...base,
      verified: false,
      signatures,
      message: `signature evaluation stopped. The configured limit of ${max} signatures to verify per artifact exceeded`
    };
  }
  return {
    ...base,
    verified: false,
    signatures,
    // notation's CLI words it this way; each signature's own reason is in `signatures`.
    message: `signature verification failed for all the signatures associated with ${reference}`
  };
}
