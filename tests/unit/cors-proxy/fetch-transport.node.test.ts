/**
 * The handler with the fetch-based transport (what an edge runtime would use), against loopback
 * upstreams, driven directly as a fetch-style handler (no node:http adapter in between).
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../../cors-proxy/src/config';
import { createFetchTransport } from '../../../cors-proxy/src/fetch-transport';
import { createProxyHandler, type ProxyLogLine } from '../../../cors-proxy/src/handler';
import { ORIGIN, startUpstream, type Upstream } from './harness';

const ups: Upstream[] = [];
afterEach(async () => {
  while (ups.length) await ups.pop()?.close();
});

function edgeHandler(registries: unknown[], logs: ProxyLogLine[] = []) {
  const config = parseProxyConfig({ publicUrl: 'https://proxy.example', allowedOrigins: [ORIGIN], registries, allowAddressRanges: ['127.0.0.0/8'] });
  return createProxyHandler(config, { transport: createFetchTransport(), resolve: async () => ['127.0.0.1'], log: (l) => logs.push(l) });
}

describe('fetch transport', () => {
  it('relays a GET byte for byte, asking for identity encoding', async () => {
    const body = gzipSync(Buffer.from('x'.repeat(10_000)));
    const up = await startUpstream((req, res) => {
      // A server that compresses whenever allowed: identity must win.
      if (/gzip/.test(String(req.headers['accept-encoding']))) {
        res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': body.length }).end(body);
      } else {
        res.writeHead(200, { 'Content-Length': 10_000 }).end('x'.repeat(10_000));
      }
    });
    ups.push(up);
    const handler = edgeHandler([up.origin]);
    const res = await handler(new Request(`https://proxy.example/x/http/127.0.0.1:${up.port}/v2/x`, { headers: { Origin: ORIGIN, 'Accept-Encoding': 'gzip' } }));
    expect(res.status).toBe(200);
    expect(up.seen[0]?.headers['accept-encoding']).toBe('identity');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe('x'.repeat(10_000));
  });

  it('streams an upload and hands redirects to the handler instead of following them', async () => {
    const blob = randomBytes(300_000);
    const storage = await startUpstream((_q, res) => res.end('from storage'));
    ups.push(storage);
    const up = await startUpstream((req, res, got) => {
      if (req.method === 'PUT') res.writeHead(201, { 'Docker-Content-Digest': `sha256:${createHash('sha256').update(got).digest('hex')}` }).end();
      else res.writeHead(307, { Location: `${storage.origin}/blob` }).end();
    });
    ups.push(up);
    const logs: ProxyLogLine[] = [];
    const handler = edgeHandler([{ host: up.origin, storageHosts: [storage.origin] }], logs);
    const put = await handler(
      new Request(`https://proxy.example/x/http/127.0.0.1:${up.port}/v2/a/blobs/uploads/u`, {
        method: 'PUT',
        headers: { Origin: ORIGIN, 'Content-Length': String(blob.length) },
        body: new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(blob));
            c.close();
          }
        }),
        duplex: 'half'
      } as RequestInit)
    );
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(`sha256:${createHash('sha256').update(blob).digest('hex')}`);

    const get = await handler(new Request(`https://proxy.example/x/http/127.0.0.1:${up.port}/v2/a/blobs/sha256:x`, { headers: { Authorization: 'Bearer t' } }));
    expect(await get.text()).toBe('from storage');
    expect(storage.seen[0]?.headers.authorization).toBeUndefined();
    expect(logs.map((l) => l.redirects)).toEqual([0, 1]);
  });

  it('reports unreachable upstreams as 502', async () => {
    const up = await startUpstream((_q, res) => res.end());
    await up.close();
    const res = await edgeHandler([up.origin])(new Request(`https://proxy.example/x/http/127.0.0.1:${up.port}/v2/`));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });
});
