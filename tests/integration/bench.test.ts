// The benchmark runs: `npm run bench` (tsx bench/run.ts) in smoke mode — tiny counts, every
// section — against the real peers (olareg, distribution, notation, Debian's Chromium, the built
// app behind the real cors-proxy), and its results file has every section with positive numbers.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/lib/report';
import { repoRoot, toolPath } from '../helpers/tools';

let dir: string;
let run: { code: number | null; stdout: string; stderr: string; ms: number };
let results: BenchResults;

beforeAll(async () => {
  // Fail (never skip) with install advice when a peer is missing.
  toolPath('notation');
  toolPath('registry');
  toolPath('olareg');
  dir = await mkdtemp(path.join(tmpdir(), 'signet-bench-smoke-'));
  const out = path.join(dir, 'results.json');
  const started = Date.now();
  run = await new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['bench/run.ts'], {
      cwd: repoRoot,
      env: { ...process.env, SIGNET_BENCH_SMOKE: '1', SIGNET_BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), ms: Date.now() - started });
    });
  });
  if (run.code === 0) results = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const positive = (value: unknown, what: string) => expect(value, what).toBeGreaterThan(0);

describe('npm run bench (smoke mode)', () => {
  it('exits 0, prints every table and writes the results file', () => {
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    for (const heading of ['Core verification in Node', 'Core verification in Chromium', 'End to end in Node vs notation verify', 'Scaling', 'Web app in Chromium', 'Signing (COSE) vs notation sign', 'Bundle']) {
      expect(run.stdout).toContain(`## ${heading}`);
    }
    expect(results.schema).toBe(1);
    expect(results.mode).toBe('smoke');
    expect(results.versions.notation).toMatch(/^v1\.3\.2/);
    expect(results.versions.chromium).toMatch(/^\d+\./);
    positive(results.machine.nproc, 'nproc');
    expect(results.machine.loadAtEnd).toHaveLength(3);
    expect(results.machine.busyBeforeStart).toBeGreaterThanOrEqual(0);
    expect(results.machine.busyBeforeStart).toBeLessThanOrEqual(1);
    expect(results.machine.othersDuringRun).toBeGreaterThanOrEqual(0);
    expect(results.machine.othersDuringRun).toBeLessThanOrEqual(1);
  });

  it('core: both formats, every measured algorithm, four positive rates in Node and in Chromium', () => {
    for (const where of ['node', 'chromium'] as const) {
      const rows = results.core[where];
      expect(new Set(rows.map((r) => r.format))).toEqual(new Set(['cose', 'jws']));
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const r of rows) {
        for (const k of ['raw', 'floor', 'integrity', 'full', 'integrityOverRaw', 'fullOverRaw', 'integrityOverFloor'] as const) positive(r[k], `${where} ${r.format} ${r.algorithm} ${k}`);
        positive(r.envelopeBytes, 'envelope bytes');
      }
    }
  });

  it('end to end: both registries, every size, both policies, with request counts and the digest cache', () => {
    const rows = results.e2e.rows;
    const sizes = [...new Set(rows.map((r) => r.signatures))];
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const registry of ['olareg', 'distribution']) {
      for (const n of sizes) {
        for (const policy of ['lastPasses', 'firstPasses'] as const) {
          const r = rows.find((x) => x.registry === registry && x.signatures === n && x.policy === policy);
          expect(r, `${registry} ${n} ${policy}`).toBeDefined();
          const what = `${registry} ${n} ${policy}`;
          for (const k of ['signetMs', 'notationMs', 'signetRequests', 'notationRequests', 'speedup', 'cachedMs', 'cachedRequests', 'cachedHits'] as const) positive(r![k], `${what} ${k}`);
          expect(r!.examined, what).toBe(policy === 'lastPasses' ? n : 1);
          // The repeat refetches no manifest or envelope: fewer requests, and the cache served them.
          expect(r!.cachedRequests, what).toBeLessThan(r!.signetRequests);
          if (policy === 'lastPasses') {
            expect(r!.cachedHits, what).toBe(2 * n);
            for (const ms of Object.values(r!.byConcurrency ?? {})) positive(ms, `${what} by concurrency`);
            expect(Object.keys(r!.byConcurrency ?? {}).length).toBeGreaterThanOrEqual(2);
          }
        }
      }
    }
    positive(results.e2e.notationStartupMs, 'notation startup');
  });

  it('web app: paste to verdict through the cors-proxy on both registries', () => {
    expect(results.app.available, results.app.available ? '' : results.app.reason).toBe(true);
    if (!results.app.available) return;
    expect(new Set(results.app.rows.map((r) => r.registry))).toEqual(new Set(['olareg', 'distribution']));
    for (const r of results.app.rows) {
      for (const k of ['lookUpMs', 'verifyMs', 'totalMs', 'registryRequests', 'proxyRequests', 'repeatTotalMs'] as const) positive(r[k], `app ${r.registry} ${r.signatures} ${k}`);
    }
  });

  it('signing: Signet and notation on both registries', () => {
    expect(new Set(results.signing.map((r) => r.registry))).toEqual(new Set(['olareg', 'distribution']));
    for (const r of results.signing) {
      for (const k of ['signetMs', 'notationMs', 'signetRequests', 'notationRequests', 'speedup'] as const) positive(r[k], `sign ${r.registry} ${r.keySpec} ${k}`);
    }
  });

  it('bundle: first-load and total gzip per route of the built app', () => {
    const routes = results.bundle.routes;
    expect(routes.map((r) => r.route)).toContain('/');
    for (const r of routes) {
      positive(r.firstLoadGzip, `${r.route} first load`);
      expect(r.totalGzip, r.route).toBeGreaterThanOrEqual(r.firstLoadGzip);
      expect(r.firstLoadGzip, r.route).toBeLessThan(r.firstLoadBytes);
    }
    positive(results.bundle.allJsGzip, 'all JS');
  });

  it('finishes well inside a minute once the app is built', () => {
    // The run's own clock starts after tsx has loaded it; building a stale app is excluded by
    // building first (bench/run.ts logs "built in …" when it had to).
    const built = /built in ([\d.]+) s/.exec(run.stderr);
    const buildMs = built ? Number(built[1]) * 1000 : 0;
    expect(run.ms - buildMs).toBeLessThan(60_000);
  });
});
