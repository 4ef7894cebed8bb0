/**
 * The home page's flow as state (Svelte 5 runes), so the page only renders it: paste a reference
 * (or open a share link / verification bundle) → resolve → choose a platform → referrer tree →
 * verify against the stored or shared trust material → report, share. Heavy modules (envelopes,
 * certificates, verification) are imported when a step needs them.
 */
import { isSignetError, SignetError } from '../errors';
import { parseReference, registryApiHost } from '../oci/reference';
import type { Repository } from '../registry/repository';
import type { Descriptor } from '../oci/descriptor';
import { appState } from './app-state.svelte';
import { discoverReferrers, pinnedReference, resolveArtifact, type ReferrerTree, type ResolvedArtifact } from './discover';
import { describeError, type DescribedError } from './messages';
import { ProgressTracker, type ProgressStep } from './progress';
import { createShare, type SharePayload, type ShareOutcome } from './share';
import type { LoadedTrustMaterial, TrustSource } from './trust-material';
import type { VerificationView } from './verify';

export type SharedOrigin = { readonly kind: 'share' } | { readonly kind: 'bundle'; readonly fileName: string };

export class VerifyFlow {
  input = $state('');
  busy = $state(false);
  /** What is happening now, for the busy indicator and screen readers. */
  phase = $state('');
  steps = $state.raw<readonly ProgressStep[]>([]);
  error = $state.raw<DescribedError | null>(null);
  /** Registry host to sign in to, after a sign-in error. */
  signInHost = $state<string | null>(null);
  artifact = $state.raw<ResolvedArtifact | null>(null);
  /** The manifest whose referrers are shown and verified (a platform of an index, or the artifact). */
  subjectDigest = $state<string | null>(null);
  tree = $state.raw<ReferrerTree | null>(null);
  verification = $state.raw<VerificationView | null>(null);
  verificationError = $state.raw<DescribedError | null>(null);
  material = $state.raw<LoadedTrustMaterial | null>(null);
  revocationDescription = $state('');
  /** Set when the flow was opened from a share link or bundle: its trust material is used. */
  shared = $state.raw<(SharePayload & { origin: SharedOrigin }) | null>(null);
  shareOutcome = $state.raw<ShareOutcome | null>(null);
  shareError = $state.raw<DescribedError | null>(null);

  private repo: Repository | null = null;
  private run = 0;
  private progress: ProgressTracker | null = null;

  get subject(): Descriptor | null {
    const a = this.artifact;
    if (!a || !this.subjectDigest) return null;
    if (this.subjectDigest === a.descriptor.digest) return a.descriptor;
    return a.platforms?.find((p) => p.descriptor.digest === this.subjectDigest)?.descriptor ?? null;
  }

  get pinned(): string | null {
    const a = this.artifact;
    return a && this.subjectDigest ? pinnedReference(a.repository, this.subjectDigest) : null;
  }

  /** A new list of steps for a new lookup; later steps of the same artifact are appended. */
  private tracker(fresh: boolean): ProgressTracker {
    if (fresh || !this.progress) this.progress = new ProgressTracker((steps) => (this.steps = steps));
    return this.progress;
  }

  /** Resolves `input` and lists its referrers. */
  async discover(input: string, options: { keepShared?: boolean } = {}): Promise<boolean> {
    const run = ++this.run;
    this.input = input.trim();
    this.busy = true;
    this.phase = 'Looking up the artifact…';
    this.error = null;
    this.signInHost = null;
    this.artifact = null;
    this.subjectDigest = null;
    this.tree = null;
    this.verification = null;
    this.verificationError = null;
    this.shareOutcome = null;
    this.shareError = null;
    if (!options.keepShared) {
      this.shared = null;
      this.material = null;
    }
    const progress = this.tracker(true);
    try {
      const { client } = await appState.registryClient();
      const { artifact, repo } = await appState.observe(
        (e) => progress.exchange(e),
        () => resolveArtifact(client, this.input, progress)
      );
      if (run !== this.run) return false;
      this.repo = repo;
      this.artifact = artifact;
      // An index is verified as itself unless a platform is chosen (as notation does).
      this.subjectDigest = artifact.descriptor.digest;
      await this.loadTree(progress, run);
      return run === this.run && this.error === null;
    } catch (e) {
      if (run !== this.run) return false;
      this.error = describeError(e);
      if (isSignetError(e, 'ERR_REGISTRY_AUTH') || isSignetError(e, 'ERR_REGISTRY_DENIED')) {
        try {
          this.signInHost = registryApiHost(parseReference(this.input).registry);
        } catch {
          this.signInHost = null;
        }
      }
      return false;
    } finally {
      if (run === this.run) {
        this.busy = false;
        this.phase = '';
      }
    }
  }

  private async loadTree(progress: ProgressTracker, run: number): Promise<void> {
    const subject = this.subject;
    if (!subject || !this.repo) return;
    this.phase = 'Listing signatures and other referrers…';
    const { summarizeRegistrySignature } = await import('./inspect-view');
    const tree = await appState.observe(
      (e) => progress.exchange(e),
      () => discoverReferrers(this.repo!, subject, { progress, describeSignature: summarizeRegistrySignature })
    );
    if (run === this.run) this.tree = tree;
  }

  /** Shows (and later verifies) one platform manifest of an index, or the index itself. */
  async selectSubject(digest: string): Promise<void> {
    if (!this.artifact || digest === this.subjectDigest) return;
    const run = ++this.run;
    this.subjectDigest = digest;
    this.tree = null;
    this.verification = null;
    this.verificationError = null;
    this.shareOutcome = null;
    this.busy = true;
    this.error = null;
    const progress = this.tracker(false);
    try {
      await this.loadTree(progress, run);
    } catch (e) {
      if (run === this.run) this.error = describeError(e);
    } finally {
      if (run === this.run) {
        this.busy = false;
        this.phase = '';
      }
    }
  }

  /** The trust material to verify with: the share link's, else the stored one. */
  private async trustMaterial(): Promise<LoadedTrustMaterial> {
    const { loadTrustMaterial, shareToTrustMaterial } = await import('./trust-material');
    if (this.shared) {
      const source: TrustSource =
        this.shared.origin.kind === 'bundle'
          ? { kind: 'bundle', fileName: this.shared.origin.fileName, createdAt: this.shared.createdAt, ...(this.shared.createdBy ? { createdBy: this.shared.createdBy } : {}) }
          : { kind: 'share', createdAt: this.shared.createdAt, ...(this.shared.createdBy ? { createdBy: this.shared.createdBy } : {}) };
      return loadTrustMaterial(shareToTrustMaterial(this.shared), source);
    }
    const { storedSource } = await import('./trust-material');
    const data = await appState.storedTrustMaterial();
    if (!data) {
      throw new SignetError(
        'ERR_TRUST_POLICY_INVALID',
        'no trust policy or trust store is stored in this browser yet: open a share link or verification bundle that carries trust material, or import your notation trust policy and certificates on the Trust page'
      );
    }
    return loadTrustMaterial(data, storedSource(data));
  }

  /** Verifies the current subject like `notation verify <repository>@<digest>`. */
  async verify(): Promise<void> {
    const subject = this.subject;
    if (!subject || !this.repo || !this.artifact) return;
    const run = ++this.run;
    this.busy = true;
    this.phase = 'Verifying signatures…';
    this.verification = null;
    this.verificationError = null;
    this.shareOutcome = null;
    this.shareError = null;
    const progress = this.tracker(false);
    try {
      const material = await progress.run(
        this.shared ? 'Load the trust material from the share link' : 'Load your trust material',
        () => this.trustMaterial(),
        (m) => `${m.policy ? `policy with ${m.policy.trustPolicies.length} statement(s)` : 'no valid policy'}, ${m.stores.length} trust store(s)${m.storeErrors.length ? `, ${m.storeErrors.length} invalid` : ''}`
      );
      if (run !== this.run) return;
      this.material = material;
      const [{ runVerification }, { appRevocationChecker }] = await Promise.all([import('./verify'), import('./revocation')]);
      const revocation = appRevocationChecker(appState.proxy.proxy);
      this.revocationDescription = revocation.description;
      const view = await appState.observe(
        (e) => progress.exchange(e),
        () => runVerification({ repo: this.repo!, target: subject, material, progress, revocation: revocation.checker })
      );
      if (run === this.run) this.verification = view;
    } catch (e) {
      if (run === this.run) this.verificationError = describeError(e);
    } finally {
      if (run === this.run) {
        this.busy = false;
        this.phase = '';
      }
    }
  }

  /** Opens a share link or bundle: resolve its pinned reference, then verify with its material. */
  async openShared(payload: SharePayload, origin: SharedOrigin): Promise<void> {
    this.shared = { ...payload, origin };
    this.material = null;
    if (await this.discover(payload.reference, { keepShared: true })) await this.verify();
  }

  /** Runs the last lookup again (after signing in), continuing a shared verification. */
  async retry(): Promise<void> {
    if (this.shared) {
      const { origin, ...payload } = this.shared;
      await this.openShared(payload, origin);
    } else {
      await this.discover(this.input);
    }
  }

  /** A share link for the current verification (or a bundle when it would be too long). */
  async createShareLink(pageUrl: string): Promise<void> {
    const pinned = this.pinned;
    if (!pinned || !this.material) return;
    this.shareError = null;
    try {
      const { sharePayloadFor } = await import('./trust-material');
      const tag = this.shared?.tag ?? (this.artifact?.byTag ? this.artifact.reference.tag : undefined);
      const payload = sharePayloadFor(this.material, pinned, { ...(tag ? { tag } : {}), createdBy: location.origin });
      this.shareOutcome = await createShare(payload, pageUrl);
    } catch (e) {
      this.shareError = describeError(e);
    }
  }
}
