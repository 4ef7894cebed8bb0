/**
 * The Inspect page's flow as state: a registry signature (?ref=<repo>@<digest>&signature=<digest>),
 * every signature of an artifact (?ref= alone, like `notation inspect <ref>`), or files a person
 * dropped or picked — an envelope, a signature manifest, or a blob with its signature, which is
 * then verified against the stored trust material (spec digest §13).
 */
import { SignetError } from '../errors';
import { parseReference } from '../oci/reference';
import { appState } from './app-state.svelte';
import type { BlobVerification } from './blob';
import type { DropIntent } from './files';
import type { InspectedSignature, ManifestView } from './inspect-view';
import { describeError, type DescribedError } from './messages';
import { ProgressTracker, type ProgressStep } from './progress';
import type { LoadedTrustMaterial } from './trust-material';

export interface InspectEntry {
  readonly title: string;
  readonly signature?: InspectedSignature;
  readonly manifest?: ManifestView;
  readonly error?: DescribedError;
}

export class InspectFlow {
  busy = $state(false);
  steps = $state.raw<readonly ProgressStep[]>([]);
  error = $state.raw<DescribedError | null>(null);
  /** What is being inspected, e.g. the reference or the file name. */
  subject = $state('');
  entries = $state.raw<readonly InspectEntry[]>([]);
  blob = $state.raw<BlobVerification | null>(null);
  blobError = $state.raw<DescribedError | null>(null);
  material = $state.raw<LoadedTrustMaterial | null>(null);
  /** Statement names a blob may be verified with, and the one chosen. */
  statements = $state.raw<readonly string[]>([]);
  statementName = $state<string | null>(null);

  private pendingBlob: Extract<DropIntent, { kind: 'verify-blob' }> | null = null;
  private run = 0;

  private reset(subject: string): number {
    this.subject = subject;
    this.error = null;
    this.entries = [];
    this.blob = null;
    this.blobError = null;
    this.steps = [];
    this.pendingBlob = null;
    return ++this.run;
  }

  /** Inspects one registry signature, or every signature of `reference` when none is named. */
  async fromRegistry(reference: string, signatureDigest: string | null): Promise<void> {
    const run = this.reset(reference);
    this.busy = true;
    const progress = new ProgressTracker((s) => (this.steps = s));
    try {
      const ref = parseReference(reference);
      const [{ client }, view, { listSignatures }] = await Promise.all([appState.registryClient(), import('./inspect-view'), import('./signatures')]);
      const repo = client.repository(ref);
      await appState.observe(
        (e) => progress.exchange(e),
        async () => {
          const subject = await progress.run(`Resolve ${ref.digest ?? ref.tag ?? 'latest'}`, () => repo.resolve(ref.digest ?? ref.tag ?? 'latest'));
          let manifests;
          if (signatureDigest) {
            const fetched = await progress.run('Fetch the signature manifest', () => repo.fetchManifest(signatureDigest));
            manifests = [fetched.descriptor];
          } else {
            const listing = await progress.run('List signatures', () => listSignatures(repo, subject), (l) => `${l.referrers.length} signature(s)`);
            manifests = listing.referrers;
          }
          const entries: InspectEntry[] = [];
          for (const m of manifests) {
            try {
              const inspected = await progress.run(`Fetch and decode signature ${m.digest.slice(0, 19)}…`, () => view.inspectRegistrySignature(repo, m, subject.mediaType));
              entries.push({ title: `Signature ${m.digest}`, signature: inspected, manifest: inspected.manifest });
            } catch (e) {
              entries.push({ title: `Signature ${m.digest}`, error: describeError(e) });
            }
            if (run === this.run) this.entries = [...entries];
          }
          if (entries.length === 0 && run === this.run) {
            this.error = describeError(new SignetError('ERR_INPUT_INVALID', `${repo.location}@${subject.digest} has no associated signature`));
          }
        }
      );
    } catch (e) {
      if (run === this.run) this.error = describeError(e);
    } finally {
      if (run === this.run) this.busy = false;
    }
  }

  /** Handles dropped or picked files. */
  async fromFiles(intent: DropIntent): Promise<void> {
    const view = await import('./inspect-view');
    if (intent.kind === 'inspect-signature') {
      const run = this.reset(intent.signature.name);
      this.busy = true;
      try {
        const signature = await view.inspectSignature(intent.signature.bytes, intent.mediaType);
        if (run === this.run) this.entries = [{ title: `Signature file ${intent.signature.name}`, signature }];
      } catch (e) {
        if (run === this.run) this.error = describeError(e);
      } finally {
        if (run === this.run) this.busy = false;
      }
    } else if (intent.kind === 'inspect-manifest') {
      this.reset(intent.manifest.name);
      try {
        this.entries = [{ title: `Signature manifest ${intent.manifest.name}`, manifest: view.describeSignatureManifest(intent.manifest.bytes) }];
      } catch (e) {
        this.error = describeError(e);
      }
    } else if (intent.kind === 'verify-blob') {
      const run = this.reset(`${intent.blob.name} with ${intent.signature.name}`);
      this.pendingBlob = intent;
      this.busy = true;
      try {
        const signature = await view.inspectSignature(intent.signature.bytes, intent.mediaType);
        if (run === this.run) this.entries = [{ title: `Signature file ${intent.signature.name}`, signature }];
      } catch (e) {
        if (run === this.run) this.entries = [{ title: `Signature file ${intent.signature.name}`, error: describeError(e) }];
      } finally {
        if (run === this.run) this.busy = false;
      }
      await this.verifyBlob(run);
    }
  }

  /** (Re)verifies the blob with the chosen statement. */
  async verifyBlob(run = this.run): Promise<void> {
    const intent = this.pendingBlob;
    if (!intent) return;
    this.busy = true;
    this.blobError = null;
    try {
      const [{ verifyBlob, blobStatement }, { loadTrustMaterial, storedSource }, { appRevocationChecker }] = await Promise.all([
        import('./blob'),
        import('./trust-material'),
        import('./revocation')
      ]);
      if (!this.material) {
        const data = await appState.storedTrustMaterial();
        if (!data) {
          throw new SignetError(
            'ERR_TRUST_POLICY_INVALID',
            'no trust policy or trust store is stored in this browser yet: import your notation trust policy and certificates on the Trust page to verify files'
          );
        }
        this.material = await loadTrustMaterial(data, storedSource(data));
      }
      const material = this.material;
      this.statements = material.policy?.trustPolicies.map((s) => s.name) ?? [];
      const statement = blobStatement(material, this.statementName ?? undefined);
      this.statementName = statement.name;
      await appState.loadDeployment();
      const result = await verifyBlob({
        blob: intent.blob.bytes,
        blobName: intent.blob.name,
        signature: intent.signature.bytes,
        signatureName: intent.signature.name,
        material,
        statementName: statement.name,
        revocation: appRevocationChecker(appState.proxy.proxy).checker
      });
      if (run === this.run) this.blob = result;
    } catch (e) {
      if (run === this.run) this.blobError = describeError(e);
    } finally {
      if (run === this.run) this.busy = false;
    }
  }
}
