/**
 * End to end in Node: Signet (resolve + registrySignatureSource + verifyArtifact) and
 * `notation verify` on the same images, the same trust policy and through the same counting
 * proxy. Signet's requests are also counted by the registry client's `onExchange` observer
 * (which sees cache hits too); notation's only at the proxy.
 */
import { registrySignatureSource } from '../../src/lib/app/signatures';
import { offlineRevocationChecker } from '../../src/lib/notary/revocation/offline';
import type { ArtifactResult } from '../../src/lib/notary/verify/result';
import type { TrustStoreSet } from '../../src/lib/notary/verify/trust-stores';
import { verifyArtifact } from '../../src/lib/notary/verify/verify-artifact';
import { createRegistryClient } from '../../src/lib/registry/client';
import type { HttpExchange } from '../../src/lib/registry/http';
import type { NotationHome } from '../../tests/helpers/notation';
import { notationHomeFor, signetTrustStores, trustPolicy, type PolicyCase, type RegistryFixture, type RegistryKind, type SignedImage, type Signers } from './fixtures';
import { median, sig, timed } from './measure';

export interface E2eConfig {
  sizes: readonly number[];
  reps: number;
  concurrencies: readonly number[];
  /** The concurrency of the headline Signet figure (verifyArtifact's default). */
  defaultConcurrency: number;
}

export interface SignetRun {
  ms: number;
  /** Requests that reached the network (onExchange, fromCache false). */
  requests: number;
  cacheHits: number;
  /**
   * Requests the counting proxy saw: `requests` plus prefetches that were sent and then aborted
   * once the verdict was reached (onExchange reports only completed exchanges).
   */
  proxied: number;
  examined: number;
}

export interface E2eRow {
  registry: RegistryKind;
  signatures: number;
  policy: PolicyCase;
  /** Signatures each verifier had to examine to reach the verdict. */
  examined: number;
  signetMs: number;
  /** Requests that reached the registry (counted at the proxy, like notation's). */
  signetRequests: number;
  /** Completed exchanges reported by onExchange (excludes aborted prefetches). */
  signetExchanges: number;
  notationMs: number;
  notationRequests: number;
  /** notation time / Signet time (> 1: Signet is faster). */
  speedup: number;
  /** Repeat with the digest cache: a second verification on the same client. */
  cachedMs: number;
  /** Network requests of the repeat (onExchange; the proxy agrees) and digest-cache hits. */
  cachedRequests: number;
  cachedHits: number;
  /** Signet ms by verifyArtifact concurrency (lastPasses only). */
  byConcurrency?: Record<string, number>;
  notationRequestKinds: Record<string, number>;
  signetRequestKinds: Record<string, number>;
}

export interface E2eSection {
  rows: E2eRow[];
  /** `notation version` wall time: the fixed cost of starting the CLI. */
  notationStartupMs: number;
  keySpec: string;
}

function kindOf(e: HttpExchange): string {
  const path = new URL(e.url).pathname;
  if (/\/referrers\//.test(path)) return 'referrers';
  if (/\/manifests\//.test(path)) return `manifest ${e.method}`;
  if (/\/blobs\//.test(path)) return `blob ${e.method}`;
  return `other ${e.method}`;
}

/** One Signet verification: resolve the digest, list, fetch and verify (as the app and CLI do). */
async function signetVerify(
  client: ReturnType<typeof createRegistryClient>,
  image: SignedImage,
  stores: TrustStoreSet,
  policyCase: PolicyCase,
  concurrency: number
): Promise<ArtifactResult> {
  const repo = client.repository(image.repository);
  const target = await repo.resolve(image.target.digest);
  return verifyArtifact({
    repository: image.repository,
    target,
    policy: trustPolicy(policyCase),
    trustStores: stores,
    source: registrySignatureSource(repo),
    revocation: offlineRevocationChecker,
    concurrency
  });
}

function expectVerdict(result: ArtifactResult, image: SignedImage, policyCase: PolicyCase): number {
  const examined = result.signatures.length;
  const want = policyCase === 'lastPasses' ? image.signatures : 1;
  if (!result.verified || examined !== want) {
    throw new Error(`Signet on ${image.reference} (${policyCase}): verified=${result.verified} after ${examined} signature(s), expected a pass after ${want}: ${result.message}`);
  }
  return examined;
}

/** Runs Signet once on a fresh client (or `client`), counting at both ends. */
async function signetRun(
  fixture: RegistryFixture,
  image: SignedImage,
  stores: TrustStoreSet,
  policyCase: PolicyCase,
  concurrency: number,
  client?: { client: ReturnType<typeof createRegistryClient>; exchanges: HttpExchange[] }
): Promise<SignetRun & { kinds: Record<string, number> }> {
  const exchanges: HttpExchange[] = client?.exchanges ?? [];
  const c = client?.client ?? createRegistryClient({ fetch: globalThis.fetch, onExchange: (e) => exchanges.push(e) });
  exchanges.length = 0;
  await fixture.proxy.reset();
  const { ms, value } = await timed(() => signetVerify(c, image, stores, policyCase, concurrency));
  const examined = expectVerdict(value, image, policyCase);
  const network = exchanges.filter((e) => !e.fromCache);
  const kinds: Record<string, number> = {};
  for (const e of network) kinds[kindOf(e)] = (kinds[kindOf(e)] ?? 0) + 1;
  // Prefetches still in flight when the verdict is reached are aborted; give those that were
  // already sent a moment to show up at the proxy, which counts what reached the registry.
  await new Promise((r) => setTimeout(r, 30));
  const proxied = (await fixture.proxy.counts()).total;
  return { ms, requests: network.length, cacheHits: exchanges.length - network.length, proxied, examined, kinds };
}

async function notationRun(home: NotationHome, fixture: RegistryFixture, image: SignedImage, policyCase: PolicyCase): Promise<{ ms: number; requests: number; kinds: Record<string, number> }> {
  await fixture.proxy.reset();
  const r = await home.run(['verify', '--insecure-registry', image.reference], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`notation verify ${image.reference} (${policyCase}) failed (exit ${r.code}):\n${r.output}`);
  const counts = await fixture.proxy.counts();
  return { ms: r.durationMs, requests: counts.total, kinds: counts.byKind };
}

async function measureImage(fixture: RegistryFixture, image: SignedImage, policyCase: PolicyCase, home: NotationHome, stores: TrustStoreSet, config: E2eConfig): Promise<E2eRow> {
  await home.writeTrustPolicy(trustPolicy(policyCase));
  const concurrencies = policyCase === 'lastPasses' ? config.concurrencies : [config.defaultConcurrency];
  const signetMs = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
  const notationMs: number[] = [];
  const cachedMs: number[] = [];
  let signetCounts: Awaited<ReturnType<typeof signetRun>> | undefined;
  let notationCounts: Awaited<ReturnType<typeof notationRun>> | undefined;
  let cachedCounts: Awaited<ReturnType<typeof signetRun>> | undefined;
  for (let rep = 0; rep < config.reps; rep++) {
    // Interleaved, so load from elsewhere on the machine hits both tools alike.
    for (const c of concurrencies) {
      const run = await signetRun(fixture, image, stores, policyCase, c);
      signetMs.get(c)!.push(run.ms);
      if (c === config.defaultConcurrency) signetCounts = run;
    }
    const n = await notationRun(home, fixture, image, policyCase);
    notationMs.push(n.ms);
    notationCounts = n;
    // Digest cache: verify once to fill it, then time the repeat on the same client.
    const exchanges: HttpExchange[] = [];
    const client = createRegistryClient({ fetch: globalThis.fetch, cache: true, onExchange: (e) => exchanges.push(e) });
    await signetRun(fixture, image, stores, policyCase, config.defaultConcurrency, { client, exchanges });
    const repeat = await signetRun(fixture, image, stores, policyCase, config.defaultConcurrency, { client, exchanges });
    cachedMs.push(repeat.ms);
    cachedCounts = repeat;
  }
  const headline = median(signetMs.get(config.defaultConcurrency)!);
  const notation = median(notationMs);
  const row: E2eRow = {
    registry: fixture.kind,
    signatures: image.signatures,
    policy: policyCase,
    examined: signetCounts!.examined,
    signetMs: sig(headline),
    signetRequests: signetCounts!.proxied,
    signetExchanges: signetCounts!.requests,
    notationMs: sig(notation),
    notationRequests: notationCounts!.requests,
    speedup: sig(notation / headline),
    cachedMs: sig(median(cachedMs)),
    cachedRequests: Math.max(cachedCounts!.requests, cachedCounts!.proxied),
    cachedHits: cachedCounts!.cacheHits,
    notationRequestKinds: notationCounts!.kinds,
    signetRequestKinds: signetCounts!.kinds
  };
  if (policyCase === 'lastPasses') {
    row.byConcurrency = Object.fromEntries([...signetMs].map(([c, v]) => [String(c), sig(median(v))]));
  }
  return row;
}

/** The whole section over already running fixtures (one per registry kind). */
export async function measureE2e(fixtures: readonly RegistryFixture[], signers: Signers, config: E2eConfig, log: (s: string) => void): Promise<E2eSection> {
  const stores = await signetTrustStores(signers);
  const home = await notationHomeFor(signers);
  const rows: E2eRow[] = [];
  try {
    const startup: number[] = [];
    for (let i = 0; i < Math.max(3, config.reps); i++) startup.push((await home.run(['version'])).durationMs);
    for (const fixture of fixtures) {
      for (const image of fixture.images) {
        for (const policyCase of ['lastPasses', 'firstPasses'] as const) {
          const row = await measureImage(fixture, image, policyCase, home, stores, config);
          rows.push(row);
          log(
            `${fixture.kind} ${image.signatures} sig ${policyCase}: Signet ${row.signetMs} ms / ${row.signetRequests} req, notation ${row.notationMs} ms / ${row.notationRequests} req, cached ${row.cachedMs} ms / ${row.cachedRequests} req + ${row.cachedHits} hits`
          );
        }
      }
    }
    return { rows, notationStartupMs: sig(median(startup)), keySpec: signers.trusted.algorithm.keySpec };
  } finally {
    await home.dispose();
  }
}
