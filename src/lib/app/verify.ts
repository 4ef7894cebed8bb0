/**
 * Verification as the app runs it: notation's artifact flow (verifyArtifact) over the registry,
 * with the person's (or a share link's) trust material, each step reported as progress, and the
 * result turned into what the page shows — one row per check with the policy's action and a
 * sentence that says how to fix a failure — and into a JSON report to download. Loads the
 * verification core, so pages import it dynamically.
 */
import { selectTrustPolicy } from '../notary/policy/scope';
import type { TrustPolicyStatement } from '../notary/policy/types';
import type { RevocationChecker } from '../notary/revocation/types';
import type { ArtifactResult, CheckResult, SignatureResult } from '../notary/verify/result';
import { verifyArtifact } from '../notary/verify/verify-artifact';
import type { Descriptor } from '../oci/descriptor';
import type { Repository } from '../registry/repository';
import { pinnedReference } from './discover';
import { ACTION_LABELS, artifactAdvice, CHECK_LABELS, checkAdvice, checkStatus, failureAdvice } from './messages';
import type { ProgressTracker } from './progress';
import { registrySignatureSource } from './signatures';
import { applicableStatement, type LoadedTrustMaterial, type TrustSource } from './trust-material';

export interface CheckRow {
  readonly type: CheckResult['type'];
  readonly label: string;
  readonly action: CheckResult['action'];
  readonly actionLabel: string;
  readonly status: 'passed' | 'failed' | 'warning' | 'skipped';
  readonly message?: string;
  readonly advice?: string;
}

export interface SignatureView {
  readonly result: SignatureResult;
  readonly rows: readonly CheckRow[];
  /** The fix for a failure that is not one of the rows (wrong artifact, metadata, plugin). */
  readonly failureAdvice?: string;
}

export interface VerificationView {
  readonly result: ArtifactResult;
  readonly statement: TrustPolicyStatement;
  readonly signatures: readonly SignatureView[];
  readonly advice?: string;
  readonly source: TrustSource;
  readonly verifiedAt: string;
}

export function checkRows(signature: SignatureResult, statement?: TrustPolicyStatement): CheckRow[] {
  return signature.checks.map((c) => {
    const advice = checkAdvice(c, statement ? { trustStores: statement.trustStores } : {});
    return {
      type: c.type,
      label: CHECK_LABELS[c.type],
      action: c.action,
      actionLabel: ACTION_LABELS[c.action],
      status: checkStatus(c),
      ...(c.message !== undefined ? { message: c.message } : {}),
      ...(advice !== undefined ? { advice } : {})
    };
  });
}

export function signatureView(signature: SignatureResult, statement?: TrustPolicyStatement): SignatureView {
  const rows = checkRows(signature, statement);
  // A check failure already has its advice in its row; only other failures need their own.
  const extra = signature.failure && !signature.failure.check ? failureAdvice(signature) : undefined;
  return { result: signature, rows, ...(extra ? { failureAdvice: extra } : {}) };
}

export interface RunVerificationInput {
  repo: Repository;
  /** The manifest verified (a platform manifest or the index itself). */
  target: Descriptor;
  material: LoadedTrustMaterial;
  progress: ProgressTracker;
  revocation: RevocationChecker;
  maxSignatures?: number;
  onSignature?: (view: SignatureView) => void;
}

/** Verifies `target` like `notation verify <repository>@<digest>`. */
export async function runVerification(input: RunVerificationInput): Promise<VerificationView> {
  const repository = input.repo.location;
  const reference = pinnedReference(repository, input.target.digest);
  const statement = await input.progress.run(
    'Select the trust policy statement',
    async () => applicableStatement(input.material, reference),
    (s) => `"${s.name}" (${s.signatureVerification.level})`
  );
  const result = await input.progress.run(
    'Fetch and verify signatures',
    () =>
      verifyArtifact({
        repository,
        target: input.target,
        policy: input.material.policy!,
        trustStores: input.material.trustStores,
        source: registrySignatureSource(input.repo),
        revocation: input.revocation,
        ...(input.maxSignatures !== undefined ? { maxSignatures: input.maxSignatures } : {}),
        onSignature: (s) => input.onSignature?.(signatureView(s, statement))
      }),
    (r) => `${r.verified ? 'verified' : 'not verified'}: ${r.signatures.length} signature${r.signatures.length === 1 ? '' : 's'} examined`
  );
  const advice = artifactAdvice(result.message, result.verified);
  return {
    result,
    statement,
    signatures: result.signatures.map((s) => signatureView(s, statement)),
    ...(advice ? { advice } : {}),
    source: input.material.source,
    verifiedAt: new Date().toISOString()
  };
}

/** The downloadable report: the documented ArtifactResult plus what it was checked against. */
export function verificationReport(view: VerificationView, extra: { tag?: string; appVersion?: string } = {}): string {
  const report = {
    mediaType: 'application/vnd.signet.verification-result.v1+json',
    verifiedAt: view.verifiedAt,
    ...(extra.tag ? { tag: extra.tag } : {}),
    trustMaterial: view.source,
    policyStatement: view.statement,
    result: view.result,
    advice: {
      ...(view.advice ? { artifact: view.advice } : {}),
      signatures: view.signatures.map((s) => ({
        digest: s.result.digest ?? null,
        checks: Object.fromEntries(s.rows.filter((r) => r.advice).map((r) => [r.type, r.advice])),
        ...(s.failureAdvice ? { failure: s.failureAdvice } : {})
      }))
    },
    ...(extra.appVersion ? { generator: `Signet ${extra.appVersion}` } : {})
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The statement that would apply, without verifying (for the page to say which policy is used). */
export function statementFor(material: LoadedTrustMaterial, repository: string, digest: string): TrustPolicyStatement | undefined {
  if (!material.policy) return undefined;
  try {
    return selectTrustPolicy(material.policy, pinnedReference(repository, digest));
  } catch {
    return undefined;
  }
}
