/**
 * Bounded load test of the proxy on loopback: the REAL distribution registry, and the REAL proxy
 * CLI as a child process in front of it. A fixed number of GETs per phase (manifest and blob,
 * directly and through the proxy) from a few concurrent keep-alive clients; it then stops
 * everything by itself and reports throughput, p50/p90/p99 latency, the latency the proxy adds,
 * and the proxy process's memory (RSS now and peak).
 *
 *   npx tsx cors-proxy/bench/load.ts [--requests 2000] [--concurrency 8] [--blob-bytes 65536] [--json]
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { startProxyProcess } from '../../tests/helpers/proxy-peers';
import { startDistribution } from '../../tests/helpers/registries';

export interface LoadOptions {
  /** Requests per phase. */
  requests: number;
  /** Concurrent clients. */
  concurrency: number;
  /** Size of the blob fetched in the blob phases. */
  blobBytes: number;
  /** Warm-up requests per phase (not measured). */
  warmup?: number;
}

export interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  throughputRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadResult {
  options: LoadOptions;
  phases: PhaseResult[];
  /** Proxied minus direct, per object kind. */
  added: Array<{ what: string; p50Ms: number; p99Ms: number }>;
  proxyMemory: { startRssKb: number; endRssKb: number; peakRssKb: number };
  proxyLogLines: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function get(agent: http.Agent, url: string, expectBytes: number, headers: Record<string, string>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} for ${url}`));
        else if (n !== expectBytes) reject(new Error(`got ${n} bytes, expected ${expectBytes}, for ${url}`));
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function phase(name: string, url: string, bytes: number, options: LoadOptions, headers: Record<string, string>): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    for (let i = 0; i < (options.warmup ?? 20); i++) await get(agent, url, bytes, headers);
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = process.hrtime.bigint();
    const worker = async () => {
      while (next < options.requests) {
        next++;
        const t0 = process.hrtime.bigint();
        try {
          await get(agent, url, bytes, headers);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    return {
      name,
      requests: latencies.length + errors,
      errors,
      seconds: round(seconds),
      throughputRps: Math.round(latencies.length / seconds),
      p50Ms: round(percentile(latencies, 50)),
      p90Ms: round(percentile(latencies, 90)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1) ?? NaN)
    };
  } finally {
    agent.destroy();
  }
}

async function pushBlob(registry: string, repo: string, blob: Uint8Array): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const start = await fetch(`${registry}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location') ?? '', registry);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: new Uint8Array(blob), headers: { 'Content-Type': 'application/octet-stream' } });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`blob push failed: HTTP ${put.status}`);
  return digest;
}

async function push(registry: string, repo: string, blob: Uint8Array): Promise<{ manifest: Uint8Array; blobDigest: string }> {
  const blobDigest = await pushBlob(registry, repo, blob);
  const config = new TextEncoder().encode('{}');
  const configDigest = await pushBlob(registry, repo, config);
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blobDigest, size: blob.length }]
    })
  );
  const m = await fetch(`${registry}/v2/${repo}/manifests/v1`, {
    method: 'PUT',
    body: manifest,
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }
  });
  await m.arrayBuffer();
  if (m.status !== 201) throw new Error(`manifest push failed: HTTP ${m.status}`);
  return { manifest, blobDigest };
}

/** Runs the load test and stops every process it started. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const registry = await startDistribution();
  let proxy: Awaited<ReturnType<typeof startProxyProcess>> | undefined;
  try {
    const { manifest, blobDigest } = await push(registry.url, 'bench/app', new Uint8Array(randomBytes(options.blobBytes)));
    proxy = await startProxyProcess({
      allowedOrigins: ['https://signet.example'],
      registries: [registry.url],
      allowAddressRanges: ['127.0.0.0/8'],
      limits: { maxConcurrentPerClient: Math.max(16, options.concurrency * 2) }
    });
    const startMem = await proxy.memory();
    const origin = { Origin: 'https://signet.example' };
    const accept = { Accept: 'application/vnd.oci.image.manifest.v1+json' };
    const manifestUrl = `${registry.url}/v2/bench/app/manifests/v1`;
    const blobUrl = `${registry.url}/v2/bench/app/blobs/${blobDigest}`;
    const phases: PhaseResult[] = [];
    phases.push(await phase('manifest direct', manifestUrl, manifest.length, options, { ...accept }));
    phases.push(await phase('manifest via proxy', proxy.to(manifestUrl), manifest.length, options, { ...accept, ...origin }));
    phases.push(await phase('blob direct', blobUrl, options.blobBytes, options, {}));
    phases.push(await phase('blob via proxy', proxy.to(blobUrl), options.blobBytes, options, origin));
    const endMem = await proxy.memory();
    // Log lines arrive through a pipe: give the last ones a moment before counting.
    const expectedLines = 2 * (options.requests + (options.warmup ?? 20));
    for (let i = 0; i < 100 && proxy.logs().length < expectedLines; i++) await new Promise((r) => setTimeout(r, 20));
    const byName = (n: string) => phases.find((p) => p.name === n)!;
    const added = ['manifest', 'blob'].map((what) => ({
      what,
      p50Ms: round(byName(`${what} via proxy`).p50Ms - byName(`${what} direct`).p50Ms),
      p99Ms: round(byName(`${what} via proxy`).p99Ms - byName(`${what} direct`).p99Ms)
    }));
    return {
      options,
      phases,
      added,
      proxyMemory: { startRssKb: startMem.rssKb, endRssKb: endMem.rssKb, peakRssKb: endMem.peakRssKb },
      proxyLogLines: proxy.logs().length
    };
  } finally {
    await proxy?.stop();
    await registry.stop();
  }
}

function formatReport(r: LoadResult): string {
  const rows = r.phases.map(
    (p) =>
      `${p.name.padEnd(20)} ${String(p.requests).padStart(6)} ${String(p.errors).padStart(6)} ${String(p.throughputRps).padStart(8)} ` +
      `${p.p50Ms.toFixed(3).padStart(8)} ${p.p90Ms.toFixed(3).padStart(8)} ${p.p99Ms.toFixed(3).padStart(8)} ${p.maxMs.toFixed(3).padStart(8)}`
  );
  return [
    `requests/phase=${r.options.requests} concurrency=${r.options.concurrency} blob=${r.options.blobBytes} bytes (loopback, distribution v3, proxy CLI in a child process)`,
    `${'phase'.padEnd(20)} ${'reqs'.padStart(6)} ${'errors'.padStart(6)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
    ...rows,
    ...r.added.map((a) => `added by the proxy, ${a.what}: p50 +${a.p50Ms.toFixed(3)} ms, p99 +${a.p99Ms.toFixed(3)} ms`),
    `proxy RSS: ${Math.round(r.proxyMemory.startRssKb / 1024)} MiB at start, ${Math.round(r.proxyMemory.endRssKb / 1024)} MiB at end, peak ${Math.round(r.proxyMemory.peakRssKb / 1024)} MiB; ${r.proxyLogLines} log lines`
  ].join('\n');
}

function parseArgs(argv: string[]): { options: LoadOptions; json: boolean } {
  const options: LoadOptions = { requests: 2000, concurrency: 8, blobBytes: 64 * 1024 };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new Error(`${a} expects an integer from 1 to 1000000`);
      return v;
    };
    if (a === '--requests') options.requests = num();
    else if (a === '--concurrency') options.concurrency = Math.min(num(), 64);
    else if (a === '--blob-bytes') options.blobBytes = Math.min(num(), 32 * 1024 * 1024);
    else if (a === '--json') json = true;
    else throw new Error(`unknown argument ${a}; usage: load.ts [--requests N] [--concurrency C] [--blob-bytes B] [--json]`);
  }
  return { options, json };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { options, json } = parseArgs(process.argv.slice(2));
  runLoad(options).then(
    (r) => {
      process.stdout.write(json ? `${JSON.stringify(r, null, 2)}\n` : `${formatReport(r)}\n`);
      process.exit(r.phases.some((p) => p.errors > 0) ? 1 : 0);
    },
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(1);
    }
  );
}
