/**
 * A registry that lies: a tiny HTTP proxy in front of a REAL registry that forwards every request
 * unchanged and, for the responses a test picks, flips one byte of the body while keeping every
 * header (Content-Length, Content-Type, Docker-Content-Digest) as the real registry sent them.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

export interface LieTarget {
  method: string;
  /** Path and query, e.g. /v2/app/blobs/sha256:… */
  path: string;
  status: number;
}

export interface LyingProxy {
  /** host:port of the proxy — use it in references instead of the real registry's. */
  host: string;
  url: string;
  /** How many responses were tampered with so far. */
  lies(): number;
  /** Change which responses get a flipped byte. */
  setLie(predicate: (t: LieTarget) => boolean): void;
  stop(): Promise<void>;
}

export async function startLyingProxy(targetHost: string, lie: (t: LieTarget) => boolean = () => false): Promise<LyingProxy> {
  let predicate = lie;
  let count = 0;
  const [targetName, targetPort] = targetHost.split(':');
  const server: Server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = { ...req.headers };
    // Keep the proxy's Host so the registry builds Location headers that point back here.
    const upstream = request(
      { host: targetName, port: Number(targetPort), method: req.method, path: req.url, headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const target = { method: req.method ?? 'GET', path: req.url ?? '/', status: up.statusCode ?? 0 };
          if (body.length > 0 && predicate(target)) {
            const i = Math.floor(body.length / 2);
            body[i] = body[i]! ^ 0x01;
            count++;
          }
          const out = { ...up.headers };
          delete out['transfer-encoding'];
          if (req.method !== 'HEAD') out['content-length'] = String(body.length);
          res.writeHead(up.statusCode ?? 502, out);
          res.end(body);
        });
        up.on('error', () => res.destroy());
      }
    );
    upstream.on('error', (e) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`proxy: ${e.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    lies: () => count,
    setLie: (p) => {
      predicate = p;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
