/**
 * A tiny reverse proxy on loopback that forwards every request to one registry and counts them,
 * so `notation` (which cannot report its own requests) and Signet are counted the same way.
 * Go ignores HTTP_PROXY for loopback hosts, so this is a reverse proxy: clients are given the
 * proxy's host:port as the registry. Bodies stream through untouched; nothing leaves 127.0.0.1.
 *
 * It runs in its own process (bench/lib/counting-proxy-process.ts), so forwarding never competes
 * with Signet for the bench's JavaScript thread; counts are read over IPC.
 */
import { fork } from 'node:child_process';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RequestCounts {
  total: number;
  /** By kind: manifest GET/HEAD/PUT, blob GET/HEAD/…, referrers, tags, other. */
  byKind: Record<string, number>;
  bytesOut: number;
}

export interface CountingProxy {
  /** host:port to use as the registry name. */
  readonly host: string;
  readonly url: string;
  counts(): Promise<RequestCounts>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The in-process server (what the child process runs). */
export interface CountingProxyServer {
  readonly port: number;
  counts(): RequestCounts;
  reset(): void;
  close(): Promise<void>;
}

function kindOf(method: string, path: string): string {
  if (path === '/v2/' || path === '/v2') return 'ping';
  if (/\/referrers\//.test(path)) return 'referrers';
  if (/\/manifests\//.test(path)) return `manifest ${method}`;
  if (/\/blobs\/uploads/.test(path)) return `upload ${method}`;
  if (/\/blobs\//.test(path)) return `blob ${method}`;
  if (/\/tags\/list/.test(path)) return 'tags';
  return `other ${method}`;
}

/** Starts the proxy server in this process, in front of `upstreamHost` (host:port on loopback). */
export async function startCountingProxyServer(upstreamHost: string): Promise<CountingProxyServer> {
  const [upHost, upPort] = upstreamHost.split(':') as [string, string];
  if (upHost !== '127.0.0.1' && upHost !== 'localhost') throw new Error(`the counting proxy only forwards to loopback, not ${upstreamHost}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let counts: RequestCounts = { total: 0, byKind: {}, bytesOut: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const kind = kindOf(method, path);
    counts.total++;
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    const headers = { ...req.headers, host: upstreamHost };
    const upstream = httpRequest({ host: upHost, port: Number(upPort), method, path: req.url, headers, agent }, (up) => {
      // Location/Link headers are relative or name the upstream; rewrite absolute ones to the proxy.
      const out = { ...up.headers };
      const self = req.headers.host ?? '';
      for (const h of ['location', 'link'] as const) {
        const v = out[h];
        if (typeof v === 'string') out[h] = v.split(`//${upstreamHost}`).join(`//${self}`);
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.on('data', (chunk: Buffer) => (counts.bytesOut += chunk.length));
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${e.message}`);
    });
    req.pipe(upstream);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    counts: () => ({ total: counts.total, byKind: { ...counts.byKind }, bytesOut: counts.bytesOut }),
    reset: () => {
      counts = { total: 0, byKind: {}, bytesOut: 0 };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    }
  };
}

type Reply = { id: number; counts?: RequestCounts; error?: string };

/** Starts a counting reverse proxy in a child process, in front of `upstreamHost`. */
export async function startCountingProxy(upstreamHost: string): Promise<CountingProxy> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'counting-proxy-process.ts');
  const child = fork(script, [upstreamHost], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (r: Reply) => void>();
  let nextId = 1;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the counting proxy did not start within 30 s')), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the counting proxy exited (code ${code}) before it was ready`)));
    child.on('message', (m: { ready?: number } & Reply) => {
      if (m.ready !== undefined) {
        clearTimeout(timer);
        resolve(m.ready);
      } else pending.get(m.id)?.(m);
    });
  });
  const ask = (cmd: 'counts' | 'reset') =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`the counting proxy did not answer "${cmd}"`)), 10_000);
      pending.set(id, (r) => {
        clearTimeout(timer);
        pending.delete(id);
        if (r.error) reject(new Error(r.error));
        else resolve(r);
      });
      child.send({ id, cmd });
    });
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    counts: async () => (await ask('counts')).counts!,
    reset: async () => void (await ask('reset')),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
}
