/**
 * Node-only harness for the proxy's handler-level tests: a scriptable loopback upstream that
 * records what reaches it, the real proxy server (node:http adapter + Node transport) with an
 * injected resolver and captured log lines, and a raw-socket client for malformed requests.
 */
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { parseProxyConfig } from '../../../cors-proxy/src/config';
import type { ProxyLogLine } from '../../../cors-proxy/src/handler';
import { startProxy, type RunningProxy } from '../../../cors-proxy/src/node';

export const ORIGIN = 'http://127.0.0.1:5173';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  remoteAddress: string | undefined;
}

export interface Upstream {
  readonly port: number;
  readonly origin: string;
  readonly seen: Seen[];
  /** Requests whose headers arrived (even if their body never finished). */
  readonly started: number;
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => unknown;

/**
 * A loopback HTTP server. `route` sees each request after its body was read fully, unless
 * `streaming` is set, in which case it is called at once and must consume the body itself.
 */
export async function startUpstream(route: Route, options: { streaming?: boolean } = {}): Promise<Upstream> {
  const seen: Seen[] = [];
  let started = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer(async (req, res) => {
    started++;
    if (options.streaming) {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.alloc(0), remoteAddress: req.socket.remoteAddress });
      await route(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    try {
      await once(req, 'end');
    } catch {
      return;
    }
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body, remoteAddress: req.socket.remoteAddress });
    await route(req, res, body);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    get started() {
      return started;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })
  };
}

export interface TestProxy extends RunningProxy {
  readonly logs: ProxyLogLine[];
  readonly resolved: string[];
  /** URL through the proxy for an absolute target URL. */
  to(target: string): string;
  readonly port: number;
}

/**
 * Starts the real proxy server on a free loopback port. `hosts` is the injected resolver's table
 * (name -> addresses); names not in it fail to resolve, so nothing ever reaches real DNS.
 */
export async function startTestProxy(raw: Record<string, unknown>, hosts: Record<string, string[]> = {}): Promise<TestProxy> {
  const logs: ProxyLogLine[] = [];
  const resolved: string[] = [];
  const config = parseProxyConfig({ listen: { host: '127.0.0.1', port: 0 }, allowedOrigins: [ORIGIN], ...raw });
  const proxy = await startProxy(config, {
    log: (line) => logs.push(line),
    resolve: async (name) => {
      resolved.push(name);
      const a = hosts[name];
      if (!a) throw new Error(`ENOTFOUND ${name}`);
      return a;
    }
  });
  const port = (proxy.server.address() as AddressInfo).port;
  return {
    ...proxy,
    logs,
    resolved,
    port,
    to: (target: string) => {
      const t = new URL(target);
      return `${proxy.url}/x/${t.protocol.slice(0, -1)}/${t.host}${t.pathname}${t.search}`;
    }
  };
}

/** Sends raw bytes to a loopback port and returns everything read until the peer closes (or `ms`). */
export async function rawExchange(port: number, chunks: Array<string | Buffer | { wait: number }>, ms = 3_000): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  for (const c of chunks) {
    // A pause ends early when the peer closes (that is what the slow-client tests measure).
    if (typeof c === 'object' && !Buffer.isBuffer(c)) await Promise.race([new Promise((r) => setTimeout(r, c.wait)), closed]);
    else if (!socket.destroyed) socket.write(c);
  }
  const timer = setTimeout(() => socket.destroy(), ms);
  await closed;
  clearTimeout(timer);
  return Buffer.concat(received).toString('latin1');
}

/** Waits until `predicate` holds (polling), failing after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function json(res: Response): Promise<{ error: { code: string; message: string } }> {
  return (await res.json()) as { error: { code: string; message: string } };
}
