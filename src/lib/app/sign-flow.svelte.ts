/**
 * The Keys & Sign page's signing flows as state (Svelte 5 runes): an artifact — reference →
 * the digest that will be signed → sign with a stored key (format, expiry, user metadata,
 * optional RFC 3161 timestamp through the proxy) → push (signAndPush) with a step per stage and
 * the failing step named → the referrer tree with the new signature; and a file — signBlob →
 * download `<file>.<format>.sig`. Heavy modules (envelopes, certificates) load when a run needs them.
 */
import { isSignetError, SignetError } from '../errors';
import { parseReference, registryApiHost } from '../oci/reference';
import type { Descriptor } from '../oci/descriptor';
import type { Signer } from '../notary/ports';
import type { StoredKey } from '../keys/store';
import { appState } from './app-state.svelte';
import { downloadFile } from './browser';
import type { ReferrerTree, ResolvedArtifact } from './discover';
import { describeError, type DescribedError } from './messages';
import { ProgressTracker, type ProgressStep } from './progress';
import { describeIndexing, metadataFromRows, SigningSteps, WEB_SIGNING_AGENT, createTimestamper, type MetadataRow } from './signing';

export type SignatureFormat = 'cose' | 'jws';

export interface SignSettings {
  readonly key: StoredKey;
  readonly format: SignatureFormat;
  /** Go-style duration ("24h", "7d"), or '' for none. */
  readonly expiry: string;
  readonly metadata: readonly MetadataRow[];
  /** RFC 3161 timestamp: the TSA URL and its root certificate(s) as PEM (notation's --timestamp-url / --timestamp-root-cert). */
  readonly timestamp?: { readonly url: string; readonly rootPem: string };
}

export interface SignedResult {
  readonly reference: string;
  readonly manifestDigest: string;
  readonly format: SignatureFormat;
  readonly keyName: string;
  readonly signingTime: string;
  readonly expiry?: string;
  readonly indexedBy: string;
  readonly warnings: readonly string[];
  readonly timestamped: boolean;
}

/** `<registry>/<repository>@<digest>` (discover.ts pinnedReference, without loading that module). */
function pinnedReference(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

const FORMAT_LABEL: Record<SignatureFormat, string> = { cose: 'COSE', jws: 'JWS' };

function fail(e: unknown, steps: SigningSteps): string {
  const message = e instanceof Error ? e.message : String(e);
  if (!steps.currentLabel) steps.begin('other', 'Sign and push');
  steps.fail(message);
  return steps.currentLabel ?? 'Sign and push';
}

/** The Signer and timestamp hook for a run, with step markers around signing and timestamping. */
async function prepareSigner(settings: SignSettings, steps: SigningSteps): Promise<{ signer: Signer; timestamp?: (sig: Uint8Array, alg: Signer['algorithm']) => Promise<Uint8Array> }> {
  const { createWebCryptoSigner } = await import('../keys/webcrypto-signer');
  const base = createWebCryptoSigner(settings.key);
  const signer: Signer = {
    algorithm: base.algorithm,
    certificateChain: base.certificateChain,
    sign: async (data) => {
      steps.begin('sign', `Sign with key "${settings.key.name}" (${FORMAT_LABEL[settings.format]}, ${base.algorithm.keySpec})`);
      return base.sign(data);
    }
  };
  if (!settings.timestamp) return { signer };
  const { url, rootPem } = settings.timestamp;
  if (!url.trim() || !rootPem.trim()) {
    throw new SignetError('ERR_INPUT_INVALID', 'timestamp: give both the timestamp authority URL and its root certificate (like notation --timestamp-url with --timestamp-root-cert)');
  }
  const [{ parseCertificates }, { requestTimestamp }, { utf8Encode }] = await Promise.all([
    import('../notary/x509/certificate'),
    import('../notary/timestamp/request'),
    import('../bytes')
  ]);
  const tsaRoots = await parseCertificates(utf8Encode(rootPem), 'the timestamp authority root certificate');
  const timestamper = createTimestamper(url, appState.proxy.proxy);
  const host = new URL(url.trim()).host;
  return {
    signer,
    timestamp: async (sig, alg) => {
      steps.begin('timestamp', `Get an RFC 3161 timestamp from ${host}${appState.proxy.proxy ? ' (through the proxy)' : ''}`);
      const token = await requestTimestamp(sig, alg, timestamper, { tsaRoots, now: new Date() });
      steps.describe('timestamp', 'token verified against the TSA root');
      return token;
    }
  };
}

export class SignFlow {
  busy = $state(false);
  /** What is happening now (announced). */
  phase = $state('');
  resolveSteps = $state.raw<readonly ProgressStep[]>([]);
  steps = $state.raw<readonly ProgressStep[]>([]);
  error = $state.raw<DescribedError | null>(null);
  /** The step that failed, when signing failed. */
  failedStep = $state<string | null>(null);
  signInHost = $state<string | null>(null);
  artifact = $state.raw<ResolvedArtifact | null>(null);
  result = $state.raw<SignedResult | null>(null);
  tree = $state.raw<ReferrerTree | null>(null);
  treeError = $state.raw<DescribedError | null>(null);

  private lastAction: (() => Promise<void>) | null = null;
  private run = 0;

  get pinned(): string | null {
    return this.artifact ? pinnedReference(this.artifact.repository, this.artifact.descriptor.digest) : null;
  }

  /** Forgets a resolution (the reference changed). */
  reset(): void {
    this.run++;
    this.artifact = null;
    this.result = null;
    this.tree = null;
    this.error = null;
    this.failedStep = null;
    this.signInHost = null;
    this.steps = [];
    this.resolveSteps = [];
  }

  private failed(e: unknown, input: string): void {
    this.error = describeError(e);
    if (isSignetError(e, 'ERR_REGISTRY_AUTH') || isSignetError(e, 'ERR_REGISTRY_DENIED')) {
      try {
        this.signInHost = registryApiHost(parseReference(input).registry);
      } catch {
        this.signInHost = null;
      }
    }
  }

  /** Resolves the reference to the digest that will be signed (a tag is resolved once, here). */
  async resolve(input: string): Promise<void> {
    this.reset();
    const run = this.run;
    const text = input.trim();
    this.lastAction = () => this.resolve(text);
    this.busy = true;
    this.phase = 'Resolving the reference…';
    const progress = new ProgressTracker((s) => (this.resolveSteps = s));
    try {
      const [{ client }, { resolveArtifact }] = await Promise.all([appState.registryClient(), import('./discover')]);
      const { artifact } = await appState.observe(
        (e) => progress.exchange(e),
        () => resolveArtifact(client, text, progress)
      );
      if (run === this.run) this.artifact = artifact;
    } catch (e) {
      if (run === this.run) this.failed(e, text);
    } finally {
      if (run === this.run) {
        this.busy = false;
        this.phase = '';
      }
    }
  }

  /** Signs the resolved digest and pushes the signature, then lists the referrers again. */
  async sign(settings: SignSettings): Promise<void> {
    const artifact = this.artifact;
    if (!artifact) return;
    const run = ++this.run;
    this.lastAction = () => this.sign(settings);
    this.busy = true;
    this.phase = 'Signing and pushing…';
    this.error = null;
    this.failedStep = null;
    this.signInHost = null;
    this.result = null;
    this.tree = null;
    this.treeError = null;
    const steps = new SigningSteps((s) => (this.steps = s));
    this.steps = [];
    try {
      const userMetadata = metadataFromRows(settings.metadata);
      const [{ signAndPush }, { parseExpiryDuration }] = await Promise.all([import('./signatures'), import('../notary/sign/sign-artifact')]);
      const expirySeconds = settings.expiry.trim() ? parseExpiryDuration(settings.expiry.trim()) : undefined;
      const { signer, timestamp } = await prepareSigner(settings, steps);
      const { client } = await appState.registryClient();
      const repo = client.repository(artifact.reference);
      const subject: Descriptor = artifact.descriptor;
      const out = await appState.observe(
        (e) => steps.exchange(e),
        () =>
          signAndPush(repo, subject, signer, {
            format: settings.format,
            ...(expirySeconds !== undefined ? { expirySeconds } : {}),
            userMetadata,
            signingAgent: WEB_SIGNING_AGENT,
            ...(timestamp ? { timestamp } : {})
          })
      );
      const indexing = describeIndexing(out.pushed.indexedBy);
      // A registry with the Referrers API indexes the manifest as it is pushed: no separate step.
      if (steps.has('index')) {
        steps.describe('manifest', out.pushed.descriptor.digest);
        steps.describe('index', indexing);
      } else {
        steps.describe('manifest', `${out.pushed.descriptor.digest}; ${indexing}`);
      }
      steps.finish();
      if (run !== this.run) return;
      this.result = {
        reference: pinnedReference(artifact.repository, subject.digest),
        manifestDigest: out.pushed.descriptor.digest,
        format: settings.format,
        keyName: settings.key.name,
        signingTime: out.signed.signingTime.toISOString(),
        ...(out.signed.expiry ? { expiry: out.signed.expiry.toISOString() } : {}),
        indexedBy: describeIndexing(out.pushed.indexedBy),
        warnings: out.pushed.warnings,
        timestamped: !!timestamp
      };
      this.phase = 'Listing the referrers…';
      await this.loadTree(run);
    } catch (e) {
      if (run === this.run) {
        this.failedStep = fail(e, steps);
        this.failed(e, artifact.input);
      }
    } finally {
      if (run === this.run) {
        this.busy = false;
        this.phase = '';
      }
    }
  }

  /** The referrer tree of the signed artifact, read again from the registry. */
  async loadTree(run = this.run): Promise<void> {
    const artifact = this.artifact;
    if (!artifact) return;
    try {
      const [{ client }, { discoverReferrers }, { summarizeRegistrySignature }] = await Promise.all([appState.registryClient(), import('./discover'), import('./inspect-view')]);
      const repo = client.repository(artifact.reference);
      const tree = await discoverReferrers(repo, artifact.descriptor, { progress: new ProgressTracker(), describeSignature: summarizeRegistrySignature });
      if (run === this.run) this.tree = tree;
    } catch (e) {
      if (run === this.run) this.treeError = describeError(e);
    }
  }

  /** Runs the last action again (after signing in). */
  async retry(): Promise<void> {
    await this.lastAction?.();
  }
}

export interface SignedFile {
  readonly fileName: string;
  readonly signatureFileName: string;
  readonly digest: string;
  readonly size: number;
  readonly format: SignatureFormat;
}

/** The largest file signed (it is hashed in memory). */
export const MAX_SIGNED_FILE_BYTES = 512 * 1024 * 1024;

/** Signs a local file like `notation blob sign` and downloads `<file>.<format>.sig`. */
export class FileSignFlow {
  busy = $state(false);
  steps = $state.raw<readonly ProgressStep[]>([]);
  error = $state.raw<DescribedError | null>(null);
  result = $state.raw<SignedFile | null>(null);

  async sign(file: File, settings: SignSettings): Promise<void> {
    this.busy = true;
    this.error = null;
    this.result = null;
    const steps = new SigningSteps((s) => (this.steps = s));
    try {
      if (file.size > MAX_SIGNED_FILE_BYTES) throw new SignetError('ERR_INPUT_TOO_LARGE', `${file.name} is ${file.size} bytes; Signet signs files up to ${MAX_SIGNED_FILE_BYTES} bytes`);
      const userMetadata = metadataFromRows(settings.metadata);
      const [{ signBlob, blobSignatureFileName }, { parseExpiryDuration }] = await Promise.all([import('../notary/sign/sign-blob'), import('../notary/sign/sign-artifact')]);
      const expirySeconds = settings.expiry.trim() ? parseExpiryDuration(settings.expiry.trim()) : undefined;
      steps.begin('read', `Read ${file.name}`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      steps.describe('read', `${bytes.length} bytes`);
      const { signer, timestamp } = await prepareSigner(settings, steps);
      const signed = await signBlob(bytes, signer, {
        format: settings.format,
        ...(expirySeconds !== undefined ? { expirySeconds } : {}),
        userMetadata,
        signingAgent: WEB_SIGNING_AGENT,
        ...(timestamp ? { timestamp } : {})
      });
      const signatureFileName = blobSignatureFileName(file.name, settings.format);
      steps.begin('download', `Save ${signatureFileName}`);
      downloadFile(signatureFileName, signed.envelope, 'application/octet-stream');
      steps.finish();
      this.result = { fileName: file.name, signatureFileName, digest: signed.descriptor.digest, size: bytes.length, format: settings.format };
    } catch (e) {
      fail(e, steps);
      this.error = describeError(e);
    } finally {
      this.busy = false;
    }
  }
}
