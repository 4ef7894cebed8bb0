/**
 * Everything the proxy must refuse, through the real node:http server and Node transport:
 * allowlist, SSRF (literal addresses in every spelling, names resolving there, redirects going
 * there), body caps, slow bodies, deadlines, header injection and request smuggling, foreign
 * origins and too many requests. Each refusal is checked for its status, its JSON body, and a log
 * line that carries no secret.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyLogLine } from '../../../cors-proxy/src/handler';
import { ORIGIN, json, rawExchange, startTestProxy, startUpstream, waitFor, type TestProxy, type Upstream } from './harness';

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
  const p = await startTestProxy(raw, hosts);
  cleanups.push(() => p.close());
  return p;
}

// Secrets sent with every refused request: none may appear in a log line.
const SECRET_TOKEN = 'tok-5ecret-abc123';
const SECRET_COOKIE = 'cookie-5ecret-xyz';
const SECRET_QUERY = 'q-5ecret-789';
const SECRET_BASIC = Buffer.from('alice:pa55-5ecret').toString('base64');
const secretHeaders = (auth: 'bearer' | 'basic' = 'bearer') => ({
  Origin: ORIGIN,
  Authorization: auth === 'bearer' ? `Bearer ${SECRET_TOKEN}` : `Basic ${SECRET_BASIC}`,
  Cookie: `session=${SECRET_COOKIE}`
});

function expectCleanLogs(logs: ProxyLogLine[]): void {
  const text = JSON.stringify(logs);
  for (const secret of [SECRET_TOKEN, SECRET_COOKIE, SECRET_QUERY, SECRET_BASIC, 'pa55-5ecret', 'Bearer ', 'Basic ']) {
    expect(text, `log contains ${secret}`).not.toContain(secret);
  }
}

async function expectRefusal(res: Response, status: number, code: string, message?: RegExp): Promise<void> {
  expect(res.status, code).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('signet-proxy-error')).toBe(code);
  const body = await json(res);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  if (message) expect(body.error.message).toMatch(message);
}

describe('allowlist and origins', () => {
  it('refuses hosts that are not on the allowlist, before any DNS or connection', async () => {
    const up = await upstreamOf((_q, res) => res.end('no'));
    const proxy = await proxyFor({ registries: ['ghcr.io'], allowAddressRanges: ['127.0.0.0/8'] });
    for (const target of [`${up.origin}/v2/`, 'https://evil.example/v2/', 'https://ghcr.io.evil.example/v2/', 'http://ghcr.io/v2/']) {
      const res = await fetch(`${proxy.to(target)}?token=${SECRET_QUERY}`, { headers: secretHeaders() });
      await expectRefusal(res, 403, 'target_not_allowed');
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN); // the app can read why
    }
    expect(up.started).toBe(0);
    expect(proxy.resolved).toEqual([]);
    expect(proxy.logs).toHaveLength(4);
    expect(proxy.logs.every((l) => l.outcome === 'refused' && l.code === 'target_not_allowed' && l.status === 403)).toBe(true);
    expectCleanLogs(proxy.logs);
  });

  it('refuses paths and methods the entry does not open', async () => {
    const up = await upstreamOf((_q, res) => res.end('no'));
    const proxy = await proxyFor({ registries: [up.origin], timestampAuthorities: [`${up.origin}/tsa`], allowAddressRanges: ['127.0.0.0/8'] });
    await expectRefusal(await fetch(proxy.to(`${up.origin}/debug/pprof`), { headers: secretHeaders() }), 403, 'target_not_allowed', /opens only/);
    await expectRefusal(await fetch(proxy.to(`${up.origin}/tsa`), { headers: secretHeaders() }), 403, 'method_not_allowed', /allowed: POST/);
    const trace = await rawExchange(proxy.port, [`TRACE /x/http/127.0.0.1:${up.port}/v2/ HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n`]);
    expect(trace).toMatch(/^HTTP\/1\.1 405 [^]*"code":"method_not_allowed"/);
    expect(up.started).toBe(0);
    expectCleanLogs(proxy.logs);
  });

  it('refuses foreign origins even for allowed targets', async () => {
    const up = await upstreamOf((_q, res) => res.end('no'));
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'] });
    const res = await fetch(proxy.to(`${up.origin}/v2/`), { headers: { ...secretHeaders(), Origin: 'https://evil.example' } });
    await expectRefusal(res, 403, 'origin_not_allowed', /allowedOrigins/);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(up.started).toBe(0);
    expectCleanLogs(proxy.logs);
  });
});

describe('SSRF', () => {
  it('refuses loopback, private, link-local and metadata addresses given literally, in every spelling', async () => {
    // Everything is on the allowlist here, so only the address policy stands in the way.
    const literals = [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '169.254.10.10',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '[::1]',
      '[fe80::1]',
      '[fc00::1]',
      '[fd00:ec2::254]',
      '[::ffff:127.0.0.1]',
      '[::ffff:a9fe:a9fe]',
      '[64:ff9b::a9fe:a9fe]',
      '[::]'
    ];
    // Spellings the URL parser turns into 127.0.0.1 / 169.254.169.254.
    const numeric = ['2130706433', '0x7f000001', '017700000001', '0x7f.1', '127.1', '2852039166', '0xa9.0xfe.0xa9.0xfe'];
    const up = await upstreamOf((_q, res) => res.end('reached'));
    const proxy = await proxyFor({
      registries: [...literals, '127.0.0.1', '169.254.169.254'].map((h) => `http://${h}:${up.port}`)
    });
    for (const host of [...literals, ...numeric]) {
      const res = await fetch(`${proxy.url}/x/http/${host}:${up.port}/v2/?x=${SECRET_QUERY}`, { headers: secretHeaders() });
      await expectRefusal(res, 403, 'address_not_allowed', /does not connect to/);
    }
    expect(up.started).toBe(0);
    expect(proxy.resolved).toEqual([]); // literals never go to the resolver
    expectCleanLogs(proxy.logs);
  });

  it('names the embedded IPv4 address of mapped IPv6 forms', async () => {
    const proxy = await proxyFor({ registries: ['http://[::ffff:a9fe:a9fe]'] });
    const res = await fetch(`${proxy.url}/x/http/[::ffff:169.254.169.254]/v2/`);
    await expectRefusal(res, 403, 'address_not_allowed', /metadata address \(it embeds IPv4 169\.254\.169\.254\)/);
  });

  it('refuses names that resolve to such addresses, including when only one record does', async () => {
    const up = await upstreamOf((_q, res) => res.end('reached'));
    const hosts: Record<string, string[]> = {
      'internal.test': ['10.1.2.3'],
      'metadata.test': ['169.254.169.254'],
      'loop.test': ['127.0.0.1'],
      'v6loop.test': ['::1'],
      'mapped.test': ['::ffff:192.168.0.1'],
      'mixed.test': ['93.184.216.34', '127.0.0.1'],
      'garbage.test': ['not-an-ip']
    };
    const proxy = await proxyFor({ registries: Object.keys(hosts).map((h) => `http://${h}:${up.port}`) }, hosts);
    for (const name of Object.keys(hosts).filter((n) => n !== 'garbage.test')) {
      const res = await fetch(proxy.to(`http://${name}:${up.port}/v2/`), { headers: secretHeaders('basic') });
      await expectRefusal(res, 403, 'address_not_allowed', new RegExp(`${name.replace('.', '\\.')} resolves to`));
    }
    await expectRefusal(await fetch(proxy.to(`http://garbage.test:${up.port}/v2/`)), 502, 'dns_failed');
    expect(up.started).toBe(0);
    expectCleanLogs(proxy.logs);
  });

  it('lets loopback through only when configured, and then only the configured range', async () => {
    const up = await upstreamOf((_q, res) => res.end('reached'));
    const proxy = await proxyFor(
      { registries: [up.origin, `http://v6.test:${up.port}`], allowAddressRanges: ['127.0.0.0/8'] },
      { 'v6.test': ['::1'] }
    );
    const ok = await fetch(proxy.to(`${up.origin}/v2/`));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('reached');
    await expectRefusal(await fetch(proxy.to(`http://v6.test:${up.port}/v2/`)), 403, 'address_not_allowed');
  });

  it('refuses a redirect that points at a forbidden address (by name or literally)', async () => {
    const inside = await upstreamOf((_q, res) => res.end('internal secrets'));
    const registry = await upstreamOf((req, res) => {
      const to = req.url === '/v2/by-name' ? `http://metadata.test:${inside.port}/latest/meta-data/` : `http://[::ffff:10.0.0.1]:${inside.port}/`;
      res.writeHead(302, { Location: to });
      res.end();
    });
    const proxy = await proxyFor(
      {
        registries: [{ host: registry.origin, storageHosts: [`http://metadata.test:${inside.port}`, `http://[::ffff:a00:1]:${inside.port}`] }],
        allowAddressRanges: ['127.0.0.0/8']
      },
      { 'metadata.test': ['169.254.169.254'] }
    );
    const byName = await fetch(proxy.to(`${registry.origin}/v2/by-name`), { headers: secretHeaders() });
    await expectRefusal(byName, 403, 'address_not_allowed', /redirected to http:\/\/metadata\.test.*metadata address/);
    const literal = await fetch(proxy.to(`${registry.origin}/v2/literal`), { headers: secretHeaders() });
    await expectRefusal(literal, 403, 'address_not_allowed', /embeds IPv4 10\.0\.0\.1/);
    expect(inside.started).toBe(0);
    expect(registry.started).toBe(2);
    expectCleanLogs(proxy.logs);
  });
});

describe('body size caps', () => {
  it('refuses a declared oversized request body with 413 before contacting the upstream', async () => {
    const up = await upstreamOf((_q, res) => res.end('stored'));
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: { maxRequestBodyBytes: 1024 } });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/blobs/uploads/u?digest=x`), {
      method: 'PUT',
      headers: secretHeaders(),
      body: randomBytes(4096)
    });
    await expectRefusal(res, 413, 'request_too_large', /limit of 1024 bytes/);
    expect(up.started).toBe(0);
    expectCleanLogs(proxy.logs);
  });

  it('cuts a streamed request body that grows past the cap, with 413', async () => {
    const up = await upstreamOf(
      async (req, res) => {
        req.on('data', () => undefined);
        req.on('error', () => undefined);
        req.on('end', () => res.end('stored'));
      },
      { streaming: true }
    );
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: { maxRequestBodyBytes: 100_000 } });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 400_000) return c.close();
        sent += 16_384;
        c.enqueue(new Uint8Array(16_384));
      }
    });
    const res = await fetch(proxy.to(`${up.origin}/v2/app/blobs/uploads/u`), {
      method: 'PATCH',
      headers: secretHeaders(),
      body,
      duplex: 'half'
    } as RequestInit);
    await expectRefusal(res, 413, 'request_too_large', /exceeds the limit of 100000 bytes/);
    await waitFor(() => proxy.logs.length === 1, 2_000, 'log');
    expect(proxy.logs[0]?.requestBytes).toBeGreaterThan(100_000);
    expect(proxy.logs[0]?.requestBytes).toBeLessThan(150_000);
    expectCleanLogs(proxy.logs);
  });

  it('refuses a declared oversized response with 502 and cuts an undeclared one', async () => {
    const up = await upstreamOf((req, res) => {
      if (req.url === '/v2/declared') {
        res.writeHead(200, { 'Content-Length': 50_000 });
        res.end(Buffer.alloc(50_000));
      } else {
        res.writeHead(200); // chunked, no length
        res.end(Buffer.alloc(50_000));
      }
    });
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: { maxResponseBodyBytes: 10_000 } });
    await expectRefusal(await fetch(proxy.to(`${up.origin}/v2/declared`), { headers: secretHeaders() }), 502, 'response_too_large');
    // The cut comes with the first chunk, so the client may not even see the status line.
    const cut = fetch(proxy.to(`${up.origin}/v2/undeclared`), { headers: secretHeaders() }).then((r) => r.arrayBuffer());
    await expect(cut).rejects.toThrow();
    await waitFor(() => proxy.logs.length === 2, 2_000, 'logs');
    expect(proxy.logs[1]).toMatchObject({ outcome: 'aborted', code: 'response_too_large' });
    expectCleanLogs(proxy.logs);
  });
});

describe('slow bodies and deadlines', () => {
  const fast = { bodyIdleTimeoutMs: 300, headersTimeoutMs: 400, totalTimeoutMs: 5_000 };

  it('gives up on a client that stops sending its body (408), bounded by the idle timeout', async () => {
    const up = await upstreamOf(
      (req, res) => {
        req.on('data', () => undefined);
        req.on('error', () => undefined);
        req.on('end', () => res.end());
      },
      { streaming: true }
    );
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: fast });
    const started = Date.now();
    const answer = await rawExchange(
      proxy.port,
      [
        `PUT /x/http/127.0.0.1:${up.port}/v2/app/blobs/uploads/u HTTP/1.1\r\nHost: proxy\r\nOrigin: ${ORIGIN}\r\n` +
          `Authorization: Bearer ${SECRET_TOKEN}\r\nContent-Length: 1000\r\n\r\n`,
        'x'.repeat(10),
        { wait: 10_000 }
      ],
      10_000
    );
    const elapsed = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"request_body_timeout"');
    expect(answer.toLowerCase()).toContain('connection: close');
    // Answered and closed after about the 300 ms idle timeout, not when the client gave up.
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2_000);
    expectCleanLogs(proxy.logs);
  });

  it('gives up on an upstream that never answers (504 after the headers timeout)', async () => {
    const up = await upstreamOf(() => undefined /* never answers */);
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: fast });
    const started = Date.now();
    const res = await fetch(proxy.to(`${up.origin}/v2/`), { headers: secretHeaders() });
    await expectRefusal(res, 504, 'upstream_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(Date.now() - started).toBeLessThan(2_000);
    expectCleanLogs(proxy.logs);
  });

  it('cuts an upstream body that stalls, and one that trickles past the total deadline', async () => {
    const up = await upstreamOf((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write('first chunk');
      if (req.url === '/v2/trickle') {
        const t = setInterval(() => res.write('.'), 100);
        res.on('close', () => clearInterval(t));
      }
      // /v2/stall: nothing more, ever
    });
    const proxy = await proxyFor({
      registries: [up.origin],
      allowAddressRanges: ['127.0.0.0/8'],
      limits: { bodyIdleTimeoutMs: 300, headersTimeoutMs: 1_000, totalTimeoutMs: 1_200 }
    });
    let started = Date.now();
    const stall = await fetch(proxy.to(`${up.origin}/v2/stall`), { headers: secretHeaders() });
    expect(stall.status).toBe(200);
    await expect(stall.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_100);

    started = Date.now();
    const trickle = await fetch(proxy.to(`${up.origin}/v2/trickle`), { headers: secretHeaders() });
    await expect(trickle.text()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => proxy.logs.length === 2, 2_000, 'logs');
    expect(proxy.logs.map((l) => l.code)).toEqual(['response_body_timeout', 'total_timeout']);
    expect(proxy.inFlight()).toBe(0);
    expectCleanLogs(proxy.logs);
  });
});

describe('header injection and request smuggling', () => {
  it('keeps percent-encoded CR/LF in the path encoded and sends exactly one Host', async () => {
    const up = await upstreamOf((_q, res) => res.end('ok'));
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'] });
    const res = await fetch(`${proxy.to(`${up.origin}/v2/`)}a%0d%0aHost:%20evil.example%0d%0a/tags/list`);
    expect(res.status).toBe(200);
    expect(up.seen[0]?.url).toBe('/v2/a%0d%0aHost:%20evil.example%0d%0a/tags/list');
    expect(up.seen[0]?.rawHeaders.filter((h) => h.toLowerCase() === 'host')).toHaveLength(1);
    expect(up.seen[0]?.headers.host).toBe(`127.0.0.1:${up.port}`);
  });

  it('refuses CR/LF in the host segment', async () => {
    const proxy = await proxyFor({ registries: ['ghcr.io'] });
    await expectRefusal(await fetch(`${proxy.url}/x/https/ghcr.io%0d%0aX-Injected:%201/v2/`), 400, 'bad_target');
  });

  it('rejects malformed or smuggling requests at the HTTP layer; nothing reaches the upstream', async () => {
    const up = await upstreamOf((_q, res) => res.end('reached'));
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.1/32'] });
    const path = `/x/http/127.0.0.1:${up.port}/v2/`;
    const cases: Array<[string, string, RegExp]> = [
      ['bare CR in a header value', `GET ${path} HTTP/1.1\r\nHost: p\r\nX-A: a\rInjected: 1\r\n\r\n`, /^HTTP\/1\.1 400 /],
      ['LF-only header line smuggling', `GET ${path} HTTP/1.1\r\nHost: p\r\nX-A: a\nTransfer-Encoding: chunked\r\n\r\n`, /^HTTP\/1\.1 400 /],
      ['obsolete line folding', `GET ${path} HTTP/1.1\r\nHost: p\r\nAuthorization: Bearer x\r\n  folded\r\n\r\n`, /^HTTP\/1\.1 400 /],
      ['Content-Length with Transfer-Encoding', `POST ${path} HTTP/1.1\r\nHost: p\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 /],
      ['two Content-Length values', `POST ${path} HTTP/1.1\r\nHost: p\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`, /^HTTP\/1\.1 400 /],
      ['absolute-form target (forward proxy use)', `GET http://127.0.0.1:${up.port}/v2/ HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\n\r\n`, /^HTTP\/1\.1 400 [^]*not a forward proxy/],
      ['CONNECT tunnel', `CONNECT 127.0.0.1:${up.port} HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\n\r\n`, /^HTTP\/1\.1 405 /],
      ['protocol upgrade', `GET ${path} HTTP/1.1\r\nHost: p\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`, /^HTTP\/1\.1 400 /]
    ];
    for (const [what, request, expected] of cases) {
      const answer = await rawExchange(proxy.port, [request], 2_000);
      expect(answer, what).toMatch(expected);
    }
    expect(up.started).toBe(0);
  });

  it('ignores a smuggled Host header: the target comes from the path only', async () => {
    const up = await upstreamOf((req, res) => res.end(`host=${req.headers.host}`));
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'] });
    const answer = await rawExchange(proxy.port, [
      `GET /x/http/127.0.0.1:${up.port}/v2/ HTTP/1.1\r\nHost: 169.254.169.254\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n`
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain(`host=127.0.0.1:${up.port}`);
  });
});

describe('concurrency', () => {
  it('limits requests in flight per client with 429, and frees slots when bodies finish', async () => {
    const waiting: Array<() => void> = [];
    const up = await upstreamOf((_q, res) => {
      res.writeHead(200);
      res.write('partial');
      waiting.push(() => res.end('-done'));
    });
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: { maxConcurrentPerClient: 2 } });
    const a = await fetch(proxy.to(`${up.origin}/v2/a`), { headers: secretHeaders() });
    const b = await fetch(proxy.to(`${up.origin}/v2/b`), { headers: secretHeaders() });
    expect(proxy.inFlight('127.0.0.1')).toBe(2);
    const c = await fetch(proxy.to(`${up.origin}/v2/c`), { headers: secretHeaders() });
    expect(c.headers.get('retry-after')).toBe('1');
    await expectRefusal(c, 429, 'too_many_requests', /at most 2 per client/);
    expect(up.started).toBe(2);
    for (const done of waiting.splice(0)) done();
    expect(await a.text()).toBe('partial-done');
    expect(await b.text()).toBe('partial-done');
    await waitFor(() => proxy.inFlight() === 0, 2_000, 'slots released');
    const d = fetch(proxy.to(`${up.origin}/v2/d`));
    await waitFor(() => waiting.length === 1, 2_000, 'upstream d');
    waiting.pop()?.();
    expect((await d).status).toBe(200);
    expectCleanLogs(proxy.logs);
  });

  it('frees the slot when the client goes away mid-body', async () => {
    const up = await upstreamOf((_q, res) => {
      res.writeHead(200);
      res.write('partial'); // and never finishes
    });
    const proxy = await proxyFor({ registries: [up.origin], allowAddressRanges: ['127.0.0.0/8'], limits: { maxConcurrentPerClient: 1 } });
    const controller = new AbortController();
    const res = await fetch(proxy.to(`${up.origin}/v2/a`), { signal: controller.signal });
    expect(proxy.inFlight()).toBe(1);
    controller.abort();
    await res.text().catch(() => undefined);
    await waitFor(() => proxy.inFlight() === 0, 3_000, 'slot released');
    await waitFor(() => proxy.logs.length === 1, 2_000, 'log');
    expect(proxy.logs[0]).toMatchObject({ outcome: 'aborted', code: 'client_cancelled' });
  });
});
