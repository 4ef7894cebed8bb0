/**
 * Peers for the CORS proxy's integration tests and load test (registries themselves come from
 * registries.ts):
 *  - startProxyProcess: the REAL proxy CLI (`node --import tsx cors-proxy/src/node.ts --config …`)
 *    as a child process, with its JSON log lines and its memory use;
 *  - startRedirectingDistribution: the REAL distribution registry configured with its `redirect`
 *    storage middleware, so blob GET/HEAD answer 307 to a separate storage origin (as registries on
 *    S3 or a CDN do), plus that storage origin: a loopback file server over the registry's own
 *    storage directory that records what reaches it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProxyLogLine } from '../../cors-proxy/src/handler';
import { freePort, TEST_USERS, track } from './registries';
import { repoRoot, toolPath } from './tools';


async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------

export interface ProxyProcess {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  pid: number;
  /** Request log lines printed so far (parsed). */
  logs(): ProxyLogLine[];
  /** Everything printed so far, raw (stdout + stderr). */
  output(): string;
  /** Resident set size now and at its peak (kB), from /proc. */
  memory(): Promise<{ rssKb: number; peakRssKb: number }>;
  /** URL through this proxy for an absolute target URL. */
  to(target: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the proxy CLI with `config` (written to a temporary file; `listen.port` 0 picks a free
 * port) and waits for its "listening" line. `env` is added to the child's environment.
 */
export async function startProxyProcess(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-proxy-'));
  const file = path.join(dir, 'cors-proxy.json');
  await writeFile(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...config }, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cors-proxy/src/node.ts'), '--config', file], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  track(child);
  const lines: string[] = [];
  const raw: string[] = [];
  let partial = '';
  let resolveUrl: (url: string) => void = () => undefined;
  const listening = new Promise<string>((r) => (resolveUrl = r));
  child.stdout!.on('data', (b: Buffer) => {
    const text = b.toString('utf8');
    raw.push(text);
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line.includes('"msg":"listening"')) resolveUrl((JSON.parse(line) as { url: string }).url);
    }
  });
  child.stderr!.on('data', (b: Buffer) => raw.push(b.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the proxy exited (code ${String(code)}) before listening:\n${raw.join('')}`);
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the proxy did not start within 20 s:\n${raw.join('')}`)), 20_000).unref()
  );
  let url: string;
  try {
    url = await Promise.race([listening, exited, timeout]);
  } catch (e) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  exited.catch(() => undefined);
  const proc = async (): Promise<string> => readFile(`/proc/${child.pid}/status`, 'utf8');
  return {
    url,
    pid: child.pid ?? 0,
    logs: () =>
      lines
        .filter((l) => l.startsWith('{') && l.includes('"outcome"'))
        .map((l) => JSON.parse(l) as ProxyLogLine),
    output: () => raw.join(''),
    memory: async () => {
      const status = await proc();
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssKb: kb('VmRSS'), peakRssKb: kb('VmHWM') };
    },
    to: (target: string) => {
      const t = new URL(target);
      return `${url}/x/${t.protocol.slice(0, -1)}/${t.host}${t.pathname}${t.search}`;
    },
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    }
  };
}

// ---------------------------------------------------------------------------------------------

export interface StorageHit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface RedirectingDistribution {
  /** host:port of the registry */
  host: string;
  /** http://host:port of the registry */
  url: string;
  /** Origin blob GET/HEAD are redirected to. */
  storageOrigin: string;
  /** Requests that reached the storage origin. */
  storageHits: StorageHit[];
  logs(): string;
  stop(): Promise<void>;
}

async function waitForRegistry(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`registry exited (code ${child.exitCode}):\n${output()}`);
    try {
      const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await r.arrayBuffer();
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry at ${url} did not become ready:\n${output()}`);
}

/**
 * The distribution registry with htpasswd auth (user `alice` of TEST_USERS) whose blob reads
 * redirect to a separate storage origin serving its storage directory.
 */
export async function startRedirectingDistribution(): Promise<RedirectingDistribution> {
  const bin = toolPath('registry');
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-redirect-registry-'));
  const data = path.join(dir, 'data');
  const storageHits: StorageHit[] = [];

  const storage: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://storage');
      const file = path.join(data, path.normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, ''));
      let status = 404;
      try {
        if (!file.startsWith(data + path.sep)) throw new Error('outside');
        const s = await stat(file);
        status = 200;
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': s.size });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      } catch {
        res.writeHead(404).end();
      }
      storageHits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, status });
    })();
  });
  storage.listen(0, '127.0.0.1');
  await once(storage, 'listening');
  const storageOrigin = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
  const stopStorage = () =>
    new Promise<void>((resolve) => {
      storage.close(() => resolve());
      storage.closeAllConnections();
    });

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const q = (s: string) => JSON.stringify(s);
    const htpasswd = path.join(dir, 'htpasswd');
    await writeFile(htpasswd, `alice:${TEST_USERS.alice.bcrypt}\n`);
    const config = path.join(dir, 'config.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${q(data)}`,
        'middleware:',
        '  storage:',
        '    - name: redirect',
        '      options:',
        `        baseurl: ${q(storageOrigin + '/')}`,
        'http:',
        `  addr: ${q(`127.0.0.1:${port}`)}`,
        `  secret: ${q(`signet-redirect-${port}`)}`,
        'auth:',
        '  htpasswd:',
        `    realm: ${q('signet-test')}`,
        `    path: ${q(htpasswd)}`
      ].join('\n') + '\n'
    );
    const output: string[] = [];
    const child = spawn(bin, ['serve', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } });
    track(child);
    child.stdout!.on('data', (b: Buffer) => output.push(b.toString('utf8')));
    child.stderr!.on('data', (b: Buffer) => output.push(b.toString('utf8')));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForRegistry(url, child, () => output.join(''));
    } catch (e) {
      lastError = e;
      child.kill('SIGKILL');
      continue;
    }
    return {
      host: `127.0.0.1:${port}`,
      url,
      storageOrigin,
      storageHits,
      logs: () => output.join(''),
      stop: async () => {
        await stopChild(child);
        await stopStorage();
        await rm(dir, { recursive: true, force: true });
      }
    };
  }
  await stopStorage();
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
