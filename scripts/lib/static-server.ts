/**
 * A small static file server for the built app (build/, adapter-static with an index.html
 * fallback), as a real deployment would serve it: the Content-Security-Policy that SvelteKit
 * writes into index.html's <meta> tag is also sent as a response header (plus frame-ancestors,
 * which a <meta> policy cannot carry), unknown page paths fall back to index.html, missing assets
 * are 404s, and nothing outside the root is ever served. Node only (e2e tests).
 *
 *   const server = await startStaticServer({ root: 'build' });
 *   await page.goto(`${server.url}/keys`);
 *   await server.close();
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticServerOptions {
  /** Directory to serve. */
  root: string;
  /** Loopback address to bind (default 127.0.0.1; never a public interface). */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** Port (default 0: a free one). */
  port?: number;
  /** File served for unknown extension-less paths (default index.html); null disables the fallback. */
  fallback?: string | null;
  /** Extra headers for every response. */
  headers?: Readonly<Record<string, string>>;
}

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The CSP header sent with HTML responses, or undefined when index.html has none. */
  readonly contentSecurityPolicy: string | undefined;
  /** Requests served so far (method, path, status), for assertions and debugging. */
  readonly log: readonly { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json'
};

/** The policy of a `<meta http-equiv="content-security-policy">` tag in `html`, if any. */
export function cspFromHtml(html: string): string | undefined {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag)) continue;
    const content = /content\s*=\s*"([^"]*)"|content\s*=\s*'([^']*)'/i.exec(tag);
    const value = content?.[1] ?? content?.[2];
    if (value) return value.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
  return undefined;
}

/** Adds the directives a <meta> policy cannot express (CSP3 §3.3: frame-ancestors is ignored there). */
function headerPolicy(metaPolicy: string): string {
  return /(^|;)\s*frame-ancestors\b/.test(metaPolicy) ? metaPolicy : `${metaPolicy.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = path.resolve(options.root);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new Error(`static server: ${root} is not a directory (build the app first: npx vite build)`);
  const fallback = options.fallback === undefined ? 'index.html' : options.fallback;
  const indexHtml = await readFile(path.join(root, 'index.html'), 'utf8').catch(() => undefined);
  const metaPolicy = indexHtml === undefined ? undefined : cspFromHtml(indexHtml);
  const contentSecurityPolicy = metaPolicy === undefined ? undefined : headerPolicy(metaPolicy);
  const log: { method: string; path: string; status: number }[] = [];

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...options.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** The file for a URL path, or undefined; never anything outside root. */
  const resolveFile = async (urlPath: string): Promise<string | undefined> => {
    const candidate = path.resolve(root, `.${urlPath}`);
    if (candidate !== root && !candidate.startsWith(root + path.sep)) return undefined;
    const s = await stat(candidate).catch(() => undefined);
    if (s?.isFile()) return candidate;
    if (s?.isDirectory()) {
      const index = path.join(candidate, 'index.html');
      if ((await stat(index).catch(() => undefined))?.isFile()) return index;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    void (async () => {
      let pathname = '/';
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        send(req, res, 400, 'bad request path');
        log.push({ method: req.method ?? '', path: req.url ?? '', status: 400 });
        return;
      }
      const record = (status: number) => log.push({ method: req.method ?? '', path: pathname, status });
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        send(req, res, 405, 'method not allowed');
        record(405);
        return;
      }
      if (pathname.includes('\0') || pathname.split('/').includes('..')) {
        send(req, res, 400, 'bad request path');
        record(400);
        return;
      }
      let file = await resolveFile(pathname);
      // SPA fallback for page paths only: a missing script or image must stay a 404.
      if (!file && fallback && !path.posix.basename(pathname).includes('.')) file = await resolveFile(`/${fallback}`);
      if (!file) {
        send(req, res, 404, 'not found');
        record(404);
        return;
      }
      const ext = path.extname(file).toLowerCase();
      const type = CONTENT_TYPES[ext] ?? 'application/octet-stream';
      const size = (await stat(file)).size;
      const headers: Record<string, string> = {
        'content-type': type,
        'content-length': String(size),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': pathname.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...options.headers
      };
      if (ext === '.html' && contentSecurityPolicy) headers['content-security-policy'] = contentSecurityPolicy;
      res.writeHead(200, headers);
      record(200);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    })().catch(() => {
      if (!res.headersSent) send(req, res, 500, 'internal error');
      else res.destroy();
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    contentSecurityPolicy,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
