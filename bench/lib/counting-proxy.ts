/**
 * A tiny reverse proxy on loopback that forwards every request to one registry and counts them,
 * so `notation` (which cannot report its own requests) and Signet are counted the same way.
 * Go ignores HTTP_PROXY for loopback hosts, so this is a reverse proxy: clients are given the
 * proxy's host:port as the registry. Bodies stream through untouched; nothing leaves 127.0.0.1.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** Starts a counting reverse proxy in front of `upstreamHost` (host:port on loopback). */
export async function startCountingProxy(upstreamHost: string): Promise<CountingProxy> {
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
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
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
