/**
 * `npm run bench` (tsx bench/run.ts): how fast Signet reaches a verdict, side by side with
 * notation, on this machine. Everything runs on loopback against real peers the project installs
 * (scripts/install-tools): olareg and distribution, the notation CLI, Debian's Chromium.
 *
 * Prints Markdown tables and writes bench/results.json (or $SIGNET_BENCH_OUT).
 * SIGNET_BENCH_SMOKE=1 runs every section with tiny counts (for tests/integration/bench.test.ts).
 * Every count is bounded and a watchdog ends the run if it ever takes far longer than expected.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAppBuilt } from '../scripts/lib/build-app';
import type { KeySpec } from '../src/lib/notary/algorithms';
import { measureAppFlow, type AppFlowSection } from './lib/browser-app';
import { launchChromium, measureCoreInChromium } from './lib/browser-core';
import { measureBundle, type BundleSection } from './lib/bundle';
import { CORE_FORMATS, CORE_KEY_SPECS, measureCoreCase, type CoreBudget, type CoreRow } from './lib/core-cases';
import { measureE2e, type E2eConfig } from './lib/e2e';
import { createRegistryFixture, createSigners, trustPolicy, type RegistryFixture } from './lib/fixtures';
import { finishMachineInfo, machineInfo, startLoadMonitor, versions, type LoadMonitor, type MachineInfo, type Versions } from './lib/machine';
import { renderResults, type BenchResults } from './lib/report';
import { measureSigning, type SigningConfig } from './lib/signing';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.env.SIGNET_BENCH_SMOKE === '1';
const outFile = process.env.SIGNET_BENCH_OUT ?? path.join(repoRoot, 'bench', 'results.json');

interface Config {
  core: CoreBudget & { keySpecs: readonly KeySpec[] };
  e2e: E2eConfig;
  e2eKeySpec: KeySpec;
  app: { reps: number; timeoutMs: number };
  signing: SigningConfig;
  watchdogMs: number;
}

const CONFIG: Config = smoke
  ? {
      core: { rounds: 1, minMs: 2, minIterations: 2, maxIterations: 50, warmupIterations: 1, keySpecs: ['EC-256', 'RSA-2048'] },
      e2e: { sizes: [1, 3], reps: 1, concurrencies: [1, 4], defaultConcurrency: 4 },
      e2eKeySpec: 'EC-256',
      app: { reps: 1, timeoutMs: 30_000 },
      signing: { reps: 1, keySpecs: ['EC-256'] },
      watchdogMs: 5 * 60_000
    }
  : {
      core: { rounds: 3, minMs: 150, minIterations: 5, maxIterations: 20_000, warmupIterations: 5, keySpecs: CORE_KEY_SPECS },
      e2e: { sizes: [1, 10, 100], reps: 5, concurrencies: [1, 4, 8], defaultConcurrency: 4 },
      e2eKeySpec: 'RSA-2048',
      app: { reps: 2, timeoutMs: 120_000 },
      signing: { reps: 3, keySpecs: CORE_KEY_SPECS },
      watchdogMs: 20 * 60_000
    };

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<void> {
  const started = new Date();
  const machine = await machineInfo();
  const v = versions(repoRoot);
  log(`${smoke ? 'smoke' : 'full'} run on ${machine.nproc} cores (${machine.cpuModel}); CPUs ${(machine.busyBeforeStart * 100).toFixed(0)} % busy with other work just before, load ${machine.loadAtStart.join(' / ')}`);

  // The bundle first: if build/ is stale it is rebuilt now, not while something is being timed.
  // The build is copied to a snapshot that the bundle and web-app sections use, so another
  // `vite build` in the same checkout (an e2e run, npm start) cannot change it mid-run.
  log('bundle: building the app if build/ is stale…');
  const snapshot = await mkdtemp(path.join(tmpdir(), 'signet-bench-build-'));
  const monitor = startLoadMonitor();
  try {
    await measureAll(started, machine, monitor, v, path.join(snapshot, 'build'));
  } finally {
    await rm(snapshot, { recursive: true, force: true });
  }
}

async function measureAll(started: Date, machine: MachineInfo, monitor: LoadMonitor, v: Versions, buildDir: string): Promise<void> {
  let bundle: BundleSection | undefined;
  for (let attempt = 1; !bundle; attempt++) {
    try {
      ensureAppBuilt(log);
      await rm(buildDir, { recursive: true, force: true });
      await cp(path.join(repoRoot, 'build'), buildDir, { recursive: true, preserveTimestamps: true });
      bundle = { ...(await measureBundle(buildDir)), buildDir: path.join(repoRoot, 'build') };
    } catch (e) {
      // Two builds in one checkout share .svelte-kit/output and build/ and can trip over each other.
      if (attempt >= 3) throw e;
      log(`the build or its copy failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); retrying in 10 s`);
      await new Promise((r) => setTimeout(r, 10_000));
    }
  }

  log('core in Node…');
  const node: CoreRow[] = [];
  for (const format of CORE_FORMATS) {
    for (const keySpec of CONFIG.core.keySpecs) {
      const row = await measureCoreCase(format, keySpec, CONFIG.core);
      node.push(row);
      log(`  ${format} ${row.algorithm}: raw ${row.raw}/s, checkIntegrity ${row.integrity}/s, verifySignature ${row.full}/s`);
    }
  }

  log('core in Chromium…');
  const chromium = await measureCoreInChromium({ ...CONFIG.core }, log, CONFIG.core.keySpecs);
  v.chromium = chromium.chromiumVersion;

  log('registries: pushing signed images…');
  const signers = await createSigners(CONFIG.e2eKeySpec);
  const fixtures: RegistryFixture[] = [];
  let e2e;
  let app: AppFlowSection;
  try {
    for (const kind of ['olareg', 'distribution'] as const) fixtures.push(await createRegistryFixture(kind, CONFIG.e2e.sizes, signers, log));
    log('end to end in Node vs notation…');
    e2e = await measureE2e(fixtures, signers, CONFIG.e2e, log);
    log('web app in Chromium through the cors-proxy…');
    const browser = await launchChromium();
    try {
      app = await measureAppFlow(browser, fixtures, signers, JSON.stringify(trustPolicy('lastPasses')), { buildDir, ...CONFIG.app }, log);
      if (!app.available) log(`web app: not measured — ${app.reason}`);
    } finally {
      await browser.close();
    }
  } finally {
    for (const f of fixtures) await f.close();
  }

  log('signing vs notation sign…');
  const signing = await measureSigning(CONFIG.signing, log);

  const finishedMachine = await finishMachineInfo(machine, monitor);
  const finished = new Date();
  const results: BenchResults = {
    schema: 1,
    mode: smoke ? 'smoke' : 'full',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    machine: finishedMachine,
    versions: v,
    config: CONFIG,
    core: { node, chromium: chromium.rows, chromiumUserAgent: chromium.userAgent },
    e2e,
    app,
    signing,
    bundle
  };
  await writeFile(outFile, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderResults(results));
  log(`results written to ${path.relative(process.cwd(), outFile) || outFile}`);
}

const watchdog = setTimeout(() => {
  log(`the run exceeded ${CONFIG.watchdogMs / 60_000} minutes; stopping (registries are killed on exit)`);
  process.exit(2);
}, CONFIG.watchdogMs);
watchdog.unref();

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  }
);
