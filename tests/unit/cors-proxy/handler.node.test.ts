/**
 * The proxy's functional behaviour, through the real node:http server and Node transport, against
 * scriptable loopback upstreams (the registry-specific behaviour is tested against real
 * registries in tests/integration/cors-proxy).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPOSED_HEADERS } from '../../../cors-proxy/src/handler';
import { ORIGIN, json, startTestProxy, startUpstream, waitFor, type TestProxy, type Upstream } from './harness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function upstreamOf(...args: Parameters<typeof startUpstream>): Promise<Upstream> {
  const u = await startUpstream(...args);
  cleanups.push(() => u.close());
  return u;
}

async function proxyFor(raw: Record<string, unknown>, hosts: Record<string, string[]> = {}): Promise<TestProxy> {
  const p = await startTestProxy({ allowAddressRanges: ['127.0.0.0/8'], ...raw }, hosts);
  cleanups.push(() => p.close());
  return p;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('CORS', () => {
  it('answers preflight itself for allowed origins only', async () => {
    const up = await upstreamOf((_q, res) => res.end('x'));
    const proxy = await proxyFor({ registries: [up.origin] });
    const pre = await fetch(proxy.to(`${up.origin}/v2/app/manifests/v1`), {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'authorization, content-type',
        'Access-Control-Request-Private-Network': 'true'
      }
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(pre.headers.get('access-control-allow-private-network')).toBe('true');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    expect(pre.headers.get('vary')).toContain('Origin');
    expect(up.started).toBe(0); // never forwarded

    const denied = await fetch(proxy.to(`${up.origin}/v2/`), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' }
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect((await json(denied)).error.code).toBe('origin_not_allowed');
    expect(proxy.logs.map((l) => l.outcome)).toEqual(['preflight', 'refused']);
  });

  it('exposes the registry headers and replaces the upstream CORS headers', async () => {
    const up = await upstreamOf((_q, res) => {
      res.writeHead(200, {
        'Docker-Content-Digest': 'sha256:' + 'a'.repeat(64),
        'OCI-Subject': 'sha256:' + 'b'.repeat(64),
        'Access-Control-Allow-Origin': '*',
        'Set-Cookie': 'session=upstream-secret',
        'Strict-Transport-Security': 'max-age=1',
        ETag: '"e1"'
      });
      res.end('{}');
    });
    const proxy = await proxyFor({ registries: [up.origin] });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/manifests/v1`), { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = res.headers.get('access-control-expose-headers')?.split(', ') ?? [];
    for (const h of ['WWW-Authenticate', 'Docker-Content-Digest', 'Location', 'Link', 'OCI-Subject', 'OCI-Filters-Applied', 'Content-Range', 'Range', 'ETag', 'Docker-Upload-UUID']) {
      expect(exposed).toContain(h);
    }
    expect(exposed).toEqual([...EXPOSED_HEADERS]);
    expect(res.headers.get('docker-content-digest')).toBe('sha256:' + 'a'.repeat(64));
    expect(res.headers.get('etag')).toBe('"e1"');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('signet-proxy-request-id')).toBe(proxy.logs[0]?.id);
    expect(await res.text()).toBe('{}');
  });

  it('serves requests without Origin unless requireOrigin is set', async () => {
    const up = await upstreamOf((_q, res) => res.end('ok'));
    const open = await proxyFor({ registries: [up.origin] });
    const res = await fetch(open.to(`${up.origin}/v2/`));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.text();
    const strict = await proxyFor({ registries: [up.origin], requireOrigin: true });
    const refused = await fetch(strict.to(`${up.origin}/v2/`));
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('origin_required');
  });
});

describe('forwarding', () => {
  it('forwards only safe request headers and sets Host from the target', async () => {
    const up = await upstreamOf((_q, res) => res.end('ok'));
    const proxy = await proxyFor({ registries: [up.origin] });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/tags/list?n=10`), {
      headers: {
        Origin: ORIGIN,
        Authorization: 'Bearer tok-123',
        Accept: 'application/vnd.oci.image.manifest.v1+json',
        Cookie: 'session=browser-secret',
        Referer: 'https://signet.example/page',
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-For': '10.0.0.1',
        Range: 'bytes=0-9'
      }
    });
    expect(res.status).toBe(200);
    await res.text();
    const seen = up.seen[0]!;
    expect(seen.url).toBe('/v2/app/tags/list?n=10');
    expect(seen.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(seen.headers.authorization).toBe('Bearer tok-123');
    expect(seen.headers.accept).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(seen.headers.range).toBe('bytes=0-9');
    expect(seen.headers['user-agent']).toBe('signet-cors-proxy');
    for (const dropped of ['cookie', 'origin', 'referer', 'x-forwarded-host', 'x-forwarded-for']) {
      expect(seen.headers[dropped], dropped).toBeUndefined();
    }
  });

  it('streams a large response unchanged', async () => {
    const blob = randomBytes(6 * 1024 * 1024);
    const up = await upstreamOf((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length });
      // In pieces, to exercise backpressure on both sides.
      let off = 0;
      const next = () => {
        while (off < blob.length) {
          const piece = blob.subarray(off, off + 64 * 1024);
          off += piece.length;
          if (!res.write(piece)) {
            res.once('drain', next);
            return;
          }
        }
        res.end();
      };
      next();
    });
    const proxy = await proxyFor({ registries: [up.origin] });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/blobs/sha256:${'c'.repeat(64)}`), { headers: { Origin: ORIGIN } });
    expect(res.headers.get('content-length')).toBe(String(blob.length));
    const got = new Uint8Array(await res.arrayBuffer());
    expect(sha(got)).toBe(sha(blob));
    await waitFor(() => proxy.logs.length === 1, 2_000, 'log line');
    expect(proxy.logs[0]).toMatchObject({ status: 200, outcome: 'ok', responseBytes: blob.length, upstreamStatus: 200 });
  });

  it('streams request bodies with and without Content-Length', async () => {
    const up = await upstreamOf((_q, res, body) => {
      res.writeHead(201, { 'Docker-Content-Digest': `sha256:${sha(body)}` });
      res.end();
    });
    const proxy = await proxyFor({ registries: [up.origin] });
    const blob = randomBytes(3 * 1024 * 1024 + 17);
    const put = await fetch(proxy.to(`${up.origin}/v2/app/blobs/uploads/u1?digest=x`), {
      method: 'PUT',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/octet-stream' },
      body: blob
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(`sha256:${sha(blob)}`);
    expect(up.seen[0]?.headers['content-length']).toBe(String(blob.length));

    // A streamed body of unknown length goes out chunked.
    const parts = [randomBytes(1000), randomBytes(70_000), randomBytes(5)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new Uint8Array(p));
        c.close();
      }
    });
    const patch = await fetch(proxy.to(`${up.origin}/v2/app/blobs/uploads/u2`), {
      method: 'PATCH',
      headers: { Origin: ORIGIN },
      body: stream,
      duplex: 'half'
    } as RequestInit);
    expect(patch.status).toBe(201);
    expect(up.seen[1]?.headers['transfer-encoding']).toBe('chunked');
    expect(up.seen[1]?.body.equals(Buffer.concat(parts))).toBe(true);
    await waitFor(() => proxy.logs.length === 2, 2_000, 'log lines');
    expect(proxy.logs[1]?.requestBytes).toBe(71_005);
  });

  it('sends Content-Length: 0 for a bodiless POST (upload start)', async () => {
    const up = await upstreamOf((_q, res) => {
      res.writeHead(202, { Location: '/v2/app/blobs/uploads/abc?_state=s1', 'Docker-Upload-UUID': 'abc', Range: '0-0' });
      res.end();
    });
    const proxy = await proxyFor({ registries: [up.origin] });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/blobs/uploads/`), { method: 'POST', headers: { Origin: ORIGIN } });
    expect(res.status).toBe(202);
    expect(up.seen[0]?.headers['content-length']).toBe('0');
    expect(res.headers.get('location')).toBe(`${proxy.url}/x/http/127.0.0.1:${up.port}/v2/app/blobs/uploads/abc?_state=s1`);
    expect(res.headers.get('docker-upload-uuid')).toBe('abc');
    expect(res.headers.get('range')).toBe('0-0');
  });

  it('rewrites Bearer realms and Link headers, and keeps HEAD bodiless', async () => {
    const up = await upstreamOf((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'Content-Length': '1234', 'Docker-Content-Digest': 'sha256:' + 'd'.repeat(64) });
        res.end();
        return;
      }
      res.writeHead(401, {
        'WWW-Authenticate': 'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:app:pull"',
        Link: '</v2/_catalog?n=1&last=a>; rel="next"'
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    const proxy = await proxyFor({ registries: [up.origin], publicUrl: 'https://proxy.example/signet' });
    // publicUrl has a base path: requests must carry it.
    const base = `http://127.0.0.1:${proxy.port}/signet/x/http/127.0.0.1:${up.port}`;
    const res = await fetch(`${base}/v2/_catalog?n=1`, { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://proxy.example/signet/x/https/auth.example.com/token",service="reg",scope="repository:app:pull"'
    );
    expect(res.headers.get('link')).toBe(`<https://proxy.example/signet/x/http/127.0.0.1:${up.port}/v2/_catalog?n=1&last=a>; rel="next"`);
    expect(await res.text()).toContain('UNAUTHORIZED');

    const head = await fetch(`${base}/v2/app/blobs/sha256:${'d'.repeat(64)}`, { method: 'HEAD', headers: { Origin: ORIGIN } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1234');

    const outside = await fetch(`http://127.0.0.1:${proxy.port}/x/http/127.0.0.1:${up.port}/v2/`);
    expect(outside.status).toBe(404);
  });

  it('answers /healthz and explains unknown routes and methods', async () => {
    const proxy = await proxyFor({});
    const h = await fetch(`${proxy.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });
    const nf = await fetch(`${proxy.url}/v2/`);
    expect(nf.status).toBe(404);
    expect((await json(nf)).error.message).toMatch(/\/x\/<http\|https>\/<host\[:port\]>\/<path>/);
    const bad = await fetch(`${proxy.url}/x/gopher/host/`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('bad_target');
  });
});

describe('redirects', () => {
  it('follows storage redirects server-side and drops Authorization when the origin changes', async () => {
    const storage = await upstreamOf((_q, res) => res.end('blob-bytes'));
    const registry = await upstreamOf((req, res) => {
      if (req.url?.startsWith('/v2/app/blobs/')) {
        res.writeHead(307, { Location: `${storage.origin}/data/blob?X-Amz-Signature=s3cr3t` });
        res.end();
      } else if (req.url === '/v2/same') {
        res.writeHead(302, { Location: '/v2/same-target' });
        res.end();
      } else {
        res.end('same-origin-target');
      }
    });
    const proxy = await proxyFor({ registries: [{ host: registry.origin, storageHosts: [storage.origin] }] });
    const res = await fetch(proxy.to(`${registry.origin}/v2/app/blobs/sha256:${'e'.repeat(64)}`), {
      headers: { Origin: ORIGIN, Authorization: 'Bearer registry-token' }
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('blob-bytes');
    expect(registry.seen[0]?.headers.authorization).toBe('Bearer registry-token');
    expect(storage.seen[0]?.url).toBe('/data/blob?X-Amz-Signature=s3cr3t');
    expect(storage.seen[0]?.headers.authorization).toBeUndefined();
    expect(storage.seen[0]?.headers.host).toBe(`127.0.0.1:${storage.port}`);
    await waitFor(() => proxy.logs.length === 1, 2_000, 'log line');
    expect(proxy.logs[0]?.redirects).toBe(1);
    expect(JSON.stringify(proxy.logs)).not.toContain('s3cr3t');

    // Same origin: the credential stays.
    const same = await fetch(proxy.to(`${registry.origin}/v2/same`), { headers: { Authorization: 'Bearer registry-token' } });
    expect(await same.text()).toBe('same-origin-target');
    expect(registry.seen.at(-1)?.url).toBe('/v2/same-target');
    expect(registry.seen.at(-1)?.headers.authorization).toBe('Bearer registry-token');
  });

  it('refuses redirects to targets that are not allowed, and redirect loops', async () => {
    const other = await upstreamOf((_q, res) => res.end('should not be reached'));
    const registry = await upstreamOf((req, res) => {
      if (req.url === '/v2/loop') res.writeHead(302, { Location: '/v2/loop' });
      else res.writeHead(302, { Location: `${other.origin}/steal` });
      res.end();
    });
    const proxy = await proxyFor({ registries: [registry.origin] });
    const away = await fetch(proxy.to(`${registry.origin}/v2/app/blobs/x`), { headers: { Origin: ORIGIN } });
    expect(away.status).toBe(403);
    const body = await json(away);
    expect(body.error.code).toBe('redirect_not_allowed');
    expect(body.error.message).toContain(`127.0.0.1:${other.port}`);
    expect(body.error.message).toContain('storageHosts');
    expect(other.started).toBe(0);

    const loop = await fetch(proxy.to(`${registry.origin}/v2/loop`));
    expect(loop.status).toBe(502);
    expect((await json(loop)).error.code).toBe('too_many_redirects');
    expect(registry.seen.filter((s) => s.url === '/v2/loop')).toHaveLength(6); // first + 5 redirects
  });

  it('passes redirects of uploads back to the browser, rewritten', async () => {
    const registry = await upstreamOf((_q, res) => {
      res.writeHead(307, { Location: '/v2/app/blobs/uploads/elsewhere' });
      res.end();
    });
    const proxy = await proxyFor({ registries: [registry.origin] });
    const res = await fetch(proxy.to(`${registry.origin}/v2/app/blobs/uploads/abc`), {
      method: 'PUT',
      body: 'x',
      redirect: 'manual',
      headers: { Origin: ORIGIN }
    });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${proxy.url}/x/http/127.0.0.1:${registry.port}/v2/app/blobs/uploads/elsewhere`);
    expect(registry.seen).toHaveLength(1);
  });
});

describe('DNS pinning', () => {
  it('connects to the address it checked, without resolving the name again', async () => {
    const up = await upstreamOf((req, res) => res.end(req.headers.host));
    // "registry.test" exists only in the injected resolver: if the transport resolved the name
    // again through the system resolver, the request would fail.
    const proxy = await proxyFor({ registries: [`http://registry.test:${up.port}`] }, { 'registry.test': ['127.0.0.1'] });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(proxy.to(`http://registry.test:${up.port}/v2/`));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`registry.test:${up.port}`);
    }
    expect(proxy.resolved).toEqual(['registry.test', 'registry.test', 'registry.test']);
    expect(up.seen.every((s) => s.remoteAddress === '127.0.0.1')).toBe(true);
    expect(proxy.logs.map((l) => l.address)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('reports names that do not resolve', async () => {
    const proxy = await proxyFor({ registries: ['http://nowhere.test:5000'] });
    const res = await fetch(proxy.to('http://nowhere.test:5000/v2/'));
    expect(res.status).toBe(502);
    expect((await json(res)).error.code).toBe('dns_failed');
  });

  it('reports upstreams that refuse connections', async () => {
    const up = await startUpstream((_q, res) => res.end());
    await up.close(); // the port is now closed
    const proxy = await proxyFor({ registries: [up.origin] });
    const res = await fetch(proxy.to(`${up.origin}/v2/`));
    expect(res.status).toBe(502);
    expect((await json(res)).error.code).toBe('upstream_unreachable');
  });
});
