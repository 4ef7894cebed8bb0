/**
 * `signet verify` and `signet sign` against a registry, on the same core the app runs.
 * Output follows notation's wording; `--output json` prints the documented ArtifactResult.
 */
import { readFile } from 'node:fs/promises';
import { SignetError } from '../lib/errors';
import { registrySignatureSource, signAndPush } from '../lib/app/signatures';
import { importPrivateKeyPem } from '../lib/keys/import';
import { createWebCryptoSigner } from '../lib/keys/webcrypto-signer';
import { parseTrustPolicy } from '../lib/notary/policy/trust-policy';
import { offlineRevocationChecker } from '../lib/notary/revocation/offline';
import { parseExpiryDuration, signingAgentFor } from '../lib/notary/sign/sign-artifact';
import { requestTimestamp } from '../lib/notary/timestamp/request';
import { verifyArtifact } from '../lib/notary/verify/verify-artifact';
import { parseCertificates } from '../lib/notary/x509/certificate';
import { parseReference, type Reference } from '../lib/oci/reference';
import { createRegistryClient } from '../lib/registry/client';
import { flag, parseArgs, type ParsedArgs } from './args';
import type { Io } from './main';
import { loadTrustStoreDir } from './trust-store-dir';

function metadata(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of args.flags.get('user-metadata') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SignetError('ERR_INPUT_INVALID', `could not parse flag user-metadata: expected key=value, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function client(args: ParsedArgs) {
  return createRegistryClient({ fetch: globalThis.fetch, insecure: flag(args, 'insecure-registry') === 'true' });
}

function repositoryOf(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Resolves the reference to a descriptor, warning (as notation) when a tag was given. */
async function resolve(args: ParsedArgs, io: Io, verb: 'verify' | 'sign') {
  const [input] = args.positionals;
  if (!input || args.positionals.length > 1) throw new SignetError('ERR_INPUT_INVALID', `${verb} takes exactly one reference`);
  const ref = parseReference(input);
  const repo = client(args).repository(ref);
  const reference = ref.digest ?? ref.tag;
  if (!reference) throw new SignetError('ERR_REFERENCE_INVALID', 'reference is missing digest or tag');
  const target = await repo.resolve(reference);
  if (!ref.digest) {
    io.err(`Warning: Always ${verb} the artifact using digest(@sha256:...) rather than a tag(:${ref.tag}) because resolved digest may not point to the same signed artifact, as tags are mutable.`);
  }
  return { ref, repo, target };
}

export const VERIFY_FLAGS = [
  { name: 'trust-policy' },
  { name: 'trust-store' },
  { name: 'insecure-registry', boolean: true },
  { name: 'output', short: 'o' },
  { name: 'user-metadata', short: 'm', repeatable: true },
  { name: 'max-signatures' }
] as const;

export async function verifyCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, VERIFY_FLAGS);
  const policyPath = flag(args, 'trust-policy');
  const storePath = flag(args, 'trust-store');
  if (!policyPath || !storePath) {
    io.err('Error: verify needs --trust-policy <trustpolicy.json> and --trust-store <notation truststore folder>');
    return 2;
  }
  const output = flag(args, 'output') ?? 'text';
  const policy = parseTrustPolicy(new Uint8Array(await readFile(policyPath)));
  const trustStores = await loadTrustStoreDir(storePath);
  const { ref, repo, target } = await resolve(args, io, 'verify');
  const max = flag(args, 'max-signatures');
  const result = await verifyArtifact({
    repository: repositoryOf(ref),
    target,
    policy,
    trustStores,
    source: registrySignatureSource(repo),
    revocation: offlineRevocationChecker,
    userMetadata: metadata(args),
    ...(max !== undefined ? { maxSignatures: Number(max) } : {})
  });
  if (output === 'json') {
    io.out(JSON.stringify(result, null, 2));
    return result.verified ? 0 : 1;
  }
  const passed = result.signatures.find((s) => s.verified);
  for (const check of passed?.checks ?? []) {
    if (check.outcome === 'failed' && check.action === 'log') {
      io.err(`Warning: ${check.type} was set to "log" and failed with error: ${check.message}`);
    }
  }
  if (!result.verified) {
    io.err(`Error: signature verification failed: ${result.message}`);
    return 1;
  }
  io.out(result.message);
  const annotations = passed?.signedArtifact?.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    io.out('\nThe artifact was signed with the following user metadata.\n');
    io.out(['KEY\tVALUE', ...Object.entries(annotations).map(([k, v]) => `${k}\t${v}`)].join('\n'));
  }
  return 0;
}

export const SIGN_FLAGS = [
  { name: 'key' },
  { name: 'cert' },
  { name: 'signature-format' },
  { name: 'expiry', short: 'e' },
  { name: 'user-metadata', short: 'm', repeatable: true },
  { name: 'insecure-registry', boolean: true },
  { name: 'timestamp-url' },
  { name: 'timestamp-root-cert' },
  { name: 'force-referrers-tag', boolean: true }
] as const;

export async function signCommand(argv: readonly string[], io: Io, version: string): Promise<number> {
  const args = parseArgs(argv, SIGN_FLAGS);
  const keyPath = flag(args, 'key');
  const certPath = flag(args, 'cert');
  if (!keyPath || !certPath) {
    io.err('Error: sign needs --key <PKCS#8 PEM private key> and --cert <PEM certificate chain, leaf first>');
    return 2;
  }
  const format = flag(args, 'signature-format') ?? 'cose';
  if (format !== 'cose' && format !== 'jws') {
    io.err(`Error: signature format "${format}" is not supported; use cose or jws`);
    return 2;
  }
  const tsaUrl = flag(args, 'timestamp-url');
  const tsaRootPath = flag(args, 'timestamp-root-cert');
  if (!!tsaUrl !== !!tsaRootPath) {
    io.err('Error: --timestamp-url and --timestamp-root-cert must be given together');
    return 2;
  }
  const keys = await importPrivateKeyPem(await readFile(keyPath, 'utf8'));
  const chain = await parseCertificates(new Uint8Array(await readFile(certPath)), certPath);
  const signer = createWebCryptoSigner({ name: keyPath, keySpec: keys.keySpec, privateKey: keys.privateKey, certificateChain: chain.map((c) => c.der) });
  let timestamp;
  if (tsaUrl && tsaRootPath) {
    const tsaRoots = await parseCertificates(new Uint8Array(await readFile(tsaRootPath)), tsaRootPath);
    timestamp = (signature: Uint8Array, algorithm: typeof signer.algorithm) =>
      requestTimestamp(
        signature,
        algorithm,
        async (request) => {
          const response = await fetch(tsaUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/timestamp-query' },
            body: request as BodyInit,
            signal: AbortSignal.timeout(15_000)
          });
          if (!response.ok) throw new SignetError('ERR_SIGN_FAILED', `timestamp authority ${tsaUrl} answered HTTP ${response.status}`);
          return new Uint8Array(await response.arrayBuffer());
        },
        { tsaRoots, now: new Date() }
      );
  }
  const { ref, repo, target } = await resolve(args, io, 'sign');
  const expiry = flag(args, 'expiry');
  const { pushed } = await signAndPush(repo, target, signer, {
    format,
    ...(expiry ? { expirySeconds: parseExpiryDuration(expiry) } : {}),
    userMetadata: metadata(args),
    signingAgent: signingAgentFor(version),
    ...(timestamp ? { timestamp } : {}),
    push: { tagIndex: flag(args, 'force-referrers-tag') === 'true' ? 'always' : 'auto' }
  });
  for (const w of pushed.warnings) io.err(`Warning: ${w}`);
  io.out(`Successfully signed ${repositoryOf(ref)}@${target.digest}`);
  return 0;
}
