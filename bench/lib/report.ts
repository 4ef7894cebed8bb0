/**
 * The results file's shape and its rendering as Markdown tables (what `npm run bench` prints and
 * what docs/benchmarks.md quotes).
 */
import type { AppFlowSection } from './browser-app';
import type { BundleSection } from './bundle';
import type { CoreRow } from './core-cases';
import type { E2eSection } from './e2e';
import type { MachineInfo, Versions } from './machine';
import type { SigningRow } from './signing';

export interface BenchResults {
  schema: 1;
  mode: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  versions: Versions;
  /** The counts and budgets this run used. */
  config: unknown;
  core: { node: CoreRow[]; chromium: CoreRow[]; chromiumUserAgent: string };
  e2e: E2eSection;
  app: AppFlowSection;
  signing: SigningRow[];
  bundle: BundleSection;
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : String(x));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const x = (ratio: number) => `${ratio}×`;

export function coreTable(rows: readonly CoreRow[]): string {
  return table(
    ['format', 'alg', 'raw verify/s', 'WebCrypto floor/s', 'checkIntegrity/s', 'verifySignature/s', 'raw ÷ integrity', 'raw ÷ full', 'floor ÷ integrity'],
    rows.map((r) => [r.format.toUpperCase(), r.algorithm, n(r.raw), n(r.floor), n(r.integrity), n(r.full), x(r.integrityOverRaw), x(r.fullOverRaw), x(r.integrityOverFloor)])
  );
}

export function browserVsNodeTable(node: readonly CoreRow[], chromium: readonly CoreRow[]): string {
  return table(
    ['format', 'alg', 'raw/s Node', 'raw/s Chromium', 'verifySignature/s Node', 'verifySignature/s Chromium', 'Chromium ÷ Node (full)'],
    node.map((r) => {
      const c = chromium.find((b) => b.format === r.format && b.algorithm === r.algorithm);
      return [r.format.toUpperCase(), r.algorithm, n(r.raw), c ? n(c.raw) : '—', n(r.full), c ? n(c.full) : '—', c ? x(Number((c.full / r.full).toPrecision(3))) : '—'];
    })
  );
}

export function e2eTable(section: E2eSection): string {
  return table(
    ['registry', 'signatures', 'passes', 'examined', 'Signet ms (requests)', 'notation ms (requests)', 'notation ÷ Signet', 'Signet repeat, digest cache: ms (requests + cache hits)'],
    section.rows.map((r) => [
      r.registry,
      r.signatures,
      r.policy === 'lastPasses' ? 'last' : 'first',
      r.examined,
      `${n(r.signetMs)} (${r.signetRequests})`,
      `${n(r.notationMs)} (${r.notationRequests})`,
      x(r.speedup),
      `${n(r.cachedMs)} (${r.cachedRequests} + ${r.cachedHits})`
    ])
  );
}

export function scalingTable(section: E2eSection): string {
  const rows = section.rows.filter((r) => r.policy === 'lastPasses' && r.byConcurrency);
  const concurrencies = Object.keys(rows[0]?.byConcurrency ?? {});
  // The slope between consecutive sizes: the cost of one more signature, fixed costs removed.
  const slope = (r: (typeof rows)[number], pick: (x: (typeof rows)[number]) => number) => {
    const prev = rows.filter((p) => p.registry === r.registry && p.signatures < r.signatures).pop();
    return prev ? ((pick(r) - pick(prev)) / (r.signatures - prev.signatures)).toFixed(2) : '—';
  };
  return table(
    ['registry', 'signatures', ...concurrencies.map((c) => `Signet c=${c} ms`), 'Signet ms per added signature (c=4)', 'notation ms', 'notation ms per added signature'],
    rows.map((r) => [
      r.registry,
      r.signatures,
      ...concurrencies.map((c) => n(r.byConcurrency![c]!)),
      slope(r, (x) => x.signetMs),
      n(r.notationMs),
      slope(r, (x) => x.notationMs)
    ])
  );
}

export function appTable(section: AppFlowSection): string {
  if (!section.available) return `Not measured: ${section.reason}`;
  return table(
    ['registry', 'signatures', 'look up ms', 'verify ms', 'paste → verdict ms', 'registry requests (in look up)', 'page → proxy requests (preflights)', 'repeat in same page ms (registry requests)'],
    section.rows.map((r) => [
      r.registry,
      r.signatures,
      n(r.lookUpMs),
      n(r.verifyMs),
      n(r.totalMs),
      `${r.registryRequests} (${r.lookUpRegistryRequests})`,
      `${r.proxyRequests} (${r.preflights})`,
      `${n(r.repeatTotalMs)} (${r.repeatRegistryRequests})`
    ])
  );
}

export function signingTable(rows: readonly SigningRow[]): string {
  return table(
    ['registry', 'key', 'Signet sign + push ms (requests)', 'notation sign ms (requests)', 'notation ÷ Signet', 'Signet, 60 ms settle window'],
    rows.map((r) => [r.registry, r.keySpec, `${n(r.signetMs)} (${r.signetRequests})`, `${n(r.notationMs)} (${r.notationRequests})`, x(r.speedup), r.signetShortSettleMs !== undefined ? `${n(r.signetShortSettleMs)} ms` : '—'])
  );
}

export function bundleTable(section: BundleSection): string {
  return table(
    ['route', 'first load: files', 'first load: raw', 'first load: gzip', 'total: files', 'total: gzip', 'loaded on demand: gzip'],
    section.routes.map((r) => [r.route, r.firstLoadFiles, kb(r.firstLoadBytes), kb(r.firstLoadGzip), r.totalFiles, kb(r.totalGzip), kb(r.lazyGzip)])
  );
}

export function renderResults(r: BenchResults): string {
  const m = r.machine;
  const v = r.versions;
  const out: string[] = [];
  out.push(`# Signet bench (${r.mode}) — ${r.startedAt}, ${r.durationSeconds.toFixed(0)} s`);
  out.push(
    `Machine: ${m.nproc} cores, ${m.cpuModel}, ${m.os}; other processes used ${((m.othersDuringRun ?? -1) * 100).toFixed(0)} % of the CPUs during the run (${(m.busyBeforeStart * 100).toFixed(0)} % in the 2 s before it, ${((m.busyAfterEnd ?? -1) * 100).toFixed(0)} % after)${m.underLoad ? ' — TAKEN UNDER LOAD from other processes' : ''}; load average ${m.loadAtStart.join(' / ')} at start, ${m.loadAtEnd?.join(' / ') ?? '?'} at end (the bench's own peers included)`
  );
  out.push(`Versions: Node ${v.node}, Chromium ${v.chromium ?? '?'}, notation ${v.notation}, distribution ${v.distribution}, olareg ${v.olareg}; commit ${v.commit}${v.uncommittedSrcFiles > 0 ? ` + ${v.uncommittedSrcFiles} uncommitted file(s) under src/` : ''}`);
  out.push('\n## Core verification in Node (verifications per second, one at a time)\n' + coreTable(r.core.node));
  out.push('\n## Core verification in Chromium\n' + coreTable(r.core.chromium));
  out.push('\n## Chromium vs Node\n' + browserVsNodeTable(r.core.node, r.core.chromium));
  out.push(`\n## End to end in Node vs notation verify (${r.e2e.keySpec} COSE signatures; notation startup ${r.e2e.notationStartupMs} ms)\n` + e2eTable(r.e2e));
  out.push('\n## Scaling (all but the last signature fail trust)\n' + scalingTable(r.e2e));
  out.push('\n## Web app in Chromium, paste to verdict through the cors-proxy\n' + appTable(r.app));
  out.push('\n## Signing (COSE) vs notation sign\n' + signingTable(r.signing));
  out.push(`\n## Bundle (build/ of ${r.bundle.builtAt}; all JS: ${r.bundle.allJsFiles} files, ${kb(r.bundle.allJsBytes)} raw, ${kb(r.bundle.allJsGzip)} gzip)\n` + bundleTable(r.bundle));
  return out.join('\n') + '\n';
}
