/**
 * Where `checkIntegrity` spends its time, for docs/benchmarks.md:
 *
 *   npx tsx bench/profile-integrity.ts [node|chromium] [cose|jws] [KeySpec] [iterations]
 *   npx tsx bench/profile-integrity.ts e2e [iterations]
 *
 * Records a V8 CPU profile of a loop of checkIntegrity on one envelope — in Node through
 * node:inspector, in Debian's Chromium through the DevTools protocol — or (`e2e`) of whole
 * verifications (resolve + verifyArtifact) of an image with 100 RSA-2048 COSE signatures on a
 * local olareg, and prints self time grouped by where the code lives (Signet modules, npm
 * dependencies, Node internals, engine/native work, idle) plus the top functions. The profile is written to bench/integrity-<where>.cpuprofile (open it
 * in Chrome DevTools). Loopback only; stops by itself.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startStaticServer } from '../scripts/lib/static-server';
import type { KeySpec } from '../src/lib/notary/algorithms';
import { signArtifact } from '../src/lib/notary/sign/sign-artifact';
import { checkIntegrity } from '../src/lib/notary/verify/verify-signature';
import { MediaType } from '../src/lib/oci/media-types';
import { chainSigner } from '../tests/helpers/pki-signer';
import { registrySignatureSource } from '../src/lib/app/signatures';
import { offlineRevocationChecker } from '../src/lib/notary/revocation/offline';
import { verifyArtifact } from '../src/lib/notary/verify/verify-artifact';
import { createRegistryClient } from '../src/lib/registry/client';
import { launchChromium } from './lib/browser-core';
import { createRegistryFixture, createSigners, signetTrustStores, trustPolicy } from './lib/fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
const where = (process.argv[2] ?? 'node') as 'node' | 'chromium' | 'e2e';
const format = (process.argv[3] ?? 'cose') as 'cose' | 'jws';
const keySpec = (process.argv[4] ?? 'RSA-2048') as KeySpec;
const iterations = Number((where === 'e2e' ? process.argv[3] : process.argv[5]) ?? (where === 'e2e' ? 10 : 2000));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
}

/** Self-time groups: a module path for bundled code (esbuild marks each module with a comment). */
function moduleLocator(bundle: string | undefined): (url: string, line: number) => string {
  if (!bundle) return (url) => url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
  const starts: { line: number; module: string }[] = [];
  bundle.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:src|tests|bench|node_modules)\/\S+)$/.exec(text);
    if (m) starts.push({ line: i, module: m[1]! });
  });
  return (_url, line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

function placeOf(name: string, module: string, url: string): string {
  if (['(idle)', '(garbage collector)', '(program)', '(root)'].includes(name)) return name;
  if (url === '') return 'native / engine built-ins (WebCrypto, digests, key import)';
  if (module.includes('undici')) return 'undici (Node fetch)';
  if (module.startsWith('node:')) return 'Node.js JS internals';
  if (module.includes('node_modules')) return `npm: ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module}`;
  if (module.startsWith('src/')) return `Signet ${module.split('/').slice(0, 4).join('/')}`;
  return `other: ${module}`;
}

function report(profile: Profile, elapsedMs: number, bundle?: string): void {
  const locate = moduleLocator(bundle);
  const total = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const module = url === '' ? '' : locate(url, lineNumber);
    byPlace.set(placeOf(functionName, module, url), (byPlace.get(placeOf(functionName, module, url)) ?? 0) + hits);
    const key = `${functionName || '(anonymous)'}${module ? ` ${module}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const what = where === 'e2e' ? 'verifications of 100 signatures' : `${format} ${keySpec} checkIntegrity`;
  console.log(`${where}: ${iterations} ${what} in ${elapsedMs.toFixed(0)} ms = ${((elapsedMs / iterations) * 1000).toFixed(0)} µs each (${total} samples)`);
  console.log('self time by place:');
  for (const [k, v] of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(`${pct(v)}  ${k}`);
  console.log('top functions (self time):');
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(v)}  ${k}`);
}

async function inNode(): Promise<{ profile: Profile; elapsed: number }> {
  const signer = await chainSigner(keySpec);
  const signed = await signArtifact({ mediaType: MediaType.ociManifest, digest: `sha256:${'ab'.repeat(32)}`, size: 527 }, signer, { format });
  for (let i = 0; i < 200; i++) await checkIntegrity(signed.envelope, signed.envelopeMediaType); // JIT warm-up
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = await checkIntegrity(signed.envelope, signed.envelopeMediaType);
    if ('error' in r) throw new Error(r.error);
  }
  const elapsed = performance.now() - started;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return { profile: profile as unknown as Profile, elapsed };
}

async function profileNode(loop: () => Promise<void>): Promise<{ profile: Profile; elapsed: number }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const started = performance.now();
  await loop();
  const elapsed = performance.now() - started;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return { profile: profile as unknown as Profile, elapsed };
}

async function inNodeE2e(): Promise<{ profile: Profile; elapsed: number }> {
  const signers = await createSigners('RSA-2048');
  const fixture = await createRegistryFixture('olareg', [100], signers, () => undefined);
  try {
    const stores = await signetTrustStores(signers);
    const image = fixture.images[0]!;
    const once = async () => {
      const repo = createRegistryClient({ fetch: globalThis.fetch }).repository(image.repository);
      const target = await repo.resolve(image.target.digest);
      const r = await verifyArtifact({
        repository: image.repository,
        target,
        policy: trustPolicy('lastPasses'),
        trustStores: stores,
        source: registrySignatureSource(repo),
        revocation: offlineRevocationChecker
      });
      if (!r.verified || r.signatures.length !== 100) throw new Error(`unexpected verdict: ${r.message}`);
    };
    for (let i = 0; i < 3; i++) await once(); // JIT warm-up
    return await profileNode(async () => {
      for (let i = 0; i < iterations; i++) await once();
    });
  } finally {
    await fixture.close();
  }
}

async function inChromium(): Promise<{ profile: Profile; elapsed: number; bundle: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-bench-profile-'));
  try {
    await build({
      entryPoints: [path.join(here, 'browser', 'profile-page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outfile: path.join(dir, 'profile.js'),
      define: { 'process.env.NODE_ENV': '"production"' },
      keepNames: true,
      logLevel: 'error'
    });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/profile.js"></script>\n');
    const bundle = await readFile(path.join(dir, 'profile.js'), 'utf8');
    const server = await startStaticServer({ root: dir });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => document.title === 'signet-profile-ready', undefined, { timeout: 60_000 });
      await page.evaluate(([f, k]) => window.signetProfile.prepare(f, k), [format, keySpec] as const);
      await page.evaluate(() => window.signetProfile.loop(200));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      const elapsed = await page.evaluate((n) => window.signetProfile.loop(n), iterations);
      const { profile } = await cdp.send('Profiler.stop');
      return { profile: profile as unknown as Profile, elapsed, bundle };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const result: { profile: Profile; elapsed: number; bundle?: string } =
  where === 'chromium' ? await inChromium() : where === 'e2e' ? await inNodeE2e() : await inNode();
report(result.profile, result.elapsed, result.bundle);
const out = path.join(here, `integrity-${where}.cpuprofile`);
await writeFile(out, JSON.stringify(result.profile));
console.log(`profile: ${path.relative(process.cwd(), out)}`);
process.exit(0);
