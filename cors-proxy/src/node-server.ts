/**
 * node:http adapter for the fetch-style handler: IncomingMessage -> Request and Response ->
 * ServerResponse, streaming both bodies with backpressure. It only accepts origin-form request
 * targets ("/x/..."): absolute-form ("GET http://host/ HTTP/1.1"), CONNECT and upgrades are
 * refused, so the server can never act as a forward proxy.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ProxyConfig } from './config';
import type { ProxyHandler } from './handler';

export interface NodeServerOptions {
  readonly config: ProxyConfig;
  readonly handler: ProxyHandler;
}

const NODE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Signet-Proxy-Error': code,
    Connection: 'close'
  });
  res.end(body);
}

/** The base URL the adapter puts in front of request paths (also what rewritten URLs start with). */
export function requestBase(config: ProxyConfig, port: number): string {
  if (config.publicUrl) return new URL(config.publicUrl).origin;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const shown = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return `http://${shown}:${port}`;
}

async function writeResponse(req: http.IncomingMessage, res: http.ServerResponse, response: Response): Promise<void> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  // The client is still sending a body the handler has refused: close after answering instead of
  // reading the rest.
  if (!req.complete) headers.push(['connection', 'close']);
  res.writeHead(response.status, headers.flat());
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let clientGone = false;
  const onClose = () => {
    if (!res.writableFinished) {
      clientGone = true;
      reader.cancel(new Error('client went away')).catch(() => undefined);
    }
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (clientGone) return;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
        if (clientGone) return;
      }
    }
    res.end();
  } catch {
    // The body failed mid-stream (limit, timeout, upstream reset): the status line is gone, so
    // the only honest signal left is to cut the connection.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

/** Creates (but does not start) the HTTP server. */
export function createProxyServer(options: NodeServerOptions): http.Server {
  const { config, handler } = options;
  const limits = config.limits;
  let base = requestBase(config, config.listen.port);

  const requestTimeout = limits.totalTimeoutMs + 5_000;
  const server = http.createServer(
    {
      headersTimeout: Math.min(limits.clientHeadersTimeoutMs, requestTimeout),
      requestTimeout,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024
    },
    (req, res) => {
      void (async () => {
        const target = req.url ?? '';
        if (!target.startsWith('/') || target.startsWith('//')) {
          refuse(res, 400, 'bad_request', 'this is not a forward proxy: request paths must start with /');
          return;
        }
        const method = (req.method ?? 'GET').toUpperCase();
        if (!NODE_METHODS.has(method)) {
          // TRACE and friends: the fetch Request class would not even represent them.
          refuse(res, 405, 'method_not_allowed', `method ${method} is not supported`);
          return;
        }
        const hasBody =
          method !== 'GET' &&
          method !== 'HEAD' &&
          (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headersDistinct)) {
          if (!value) continue;
          for (const v of value) {
            try {
              headers.append(name, v);
            } catch {
              // Values the fetch Headers class rejects are dropped.
            }
          }
        }
        const init: RequestInit & { duplex?: 'half' } = { method, headers };
        if (hasBody) {
          init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
          init.duplex = 'half';
        }
        let request: Request;
        try {
          request = new Request(base + target, init);
        } catch {
          refuse(res, 400, 'bad_request', 'the request could not be parsed');
          return;
        }
        let response: Response;
        try {
          response = await handler(request, { clientAddress: req.socket.remoteAddress ?? 'unknown' });
        } catch {
          refuse(res, 500, 'internal_error', 'the proxy failed unexpectedly');
          return;
        }
        await writeResponse(req, res, response);
        if (!req.complete) req.destroy();
      })();
    }
  );

  // A stalled client (not reading a response, not sending its body) is dropped after a while of
  // silence; the handler's own deadlines cover the upstream side.
  server.timeout = Math.max(limits.headersTimeoutMs, limits.bodyIdleTimeoutMs) + 5_000;
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('upgrade', (_req: http.IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('listening', () => {
    base = requestBase(config, (server.address() as AddressInfo).port);
  });
  return server;
}

/** Starts the server; resolves with the bound URL once it listens. */
export async function listen(server: http.Server, config: ProxyConfig): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return requestBase(config, (server.address() as AddressInfo).port);
}
