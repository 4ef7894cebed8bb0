import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProxyUrlError, createProxiedFetch, proxiedUrl, targetFromProxiedUrl, targetFromProxyPath } from '../../../cors-proxy/src/client-url';

function roundTrip(proxied: string, base = ''): string | undefined {
  const u = new URL(proxied);
  return targetFromProxyPath(u.pathname.slice(base.length), u.search)?.href;
}

describe('proxiedUrl', () => {
  it('puts scheme, authority, path and query below /x/', () => {
    expect(proxiedUrl('https://proxy.example', 'https://ghcr.io/v2/org/app/manifests/v1')).toBe(
      'https://proxy.example/x/https/ghcr.io/v2/org/app/manifests/v1'
    );
    expect(proxiedUrl('http://127.0.0.1:8787/', 'http://127.0.0.1:5000/v2/a/blobs/uploads/?digest=sha256:ab')).toBe(
      'http://127.0.0.1:8787/x/http/127.0.0.1:5000/v2/a/blobs/uploads/?digest=sha256:ab'
    );
    expect(proxiedUrl('http://[::1]:8787', 'http://[::1]:5000/v2/')).toBe('http://[::1]:8787/x/http/[::1]:5000/v2/');
  });

  it('keeps a base path and drops fragments and default ports', () => {
    expect(proxiedUrl('https://signet.example/proxy/', 'https://auth.docker.io:443/token?scope=a#frag')).toBe(
      'https://signet.example/proxy/x/https/auth.docker.io/token?scope=a'
    );
  });

  it('is idempotent: URLs already on the proxy stay as they are', () => {
    const once = proxiedUrl('https://signet.example/proxy', 'http://127.0.0.1:5000/v2/a/blobs/uploads/x?_state=s');
    expect(proxiedUrl('https://signet.example/proxy', once)).toBe(once);
    expect(proxiedUrl('https://signet.example/proxy/', `${once}#f`)).toBe(once);
    // Same host but outside the proxy route, or another proxy: proxied like any target.
    expect(proxiedUrl('https://signet.example/proxy', 'https://signet.example/app/x')).toBe(
      'https://signet.example/proxy/x/https/signet.example/app/x'
    );
    expect(proxiedUrl('https://other.example', once)).toBe(`https://other.example/x/https/signet.example/proxy/x/http/127.0.0.1:5000/v2/a/blobs/uploads/x?_state=s`);
  });

  it('refuses what the proxy could never serve, with a typed error', () => {
    const bad: Array<[string, string]> = [
      ['https://p.example', 'ftp://host/file'],
      ['https://p.example', 'https://user:pw@ghcr.io/v2/'],
      ['https://p.example', 'not a url'],
      ['ftp://p.example', 'https://ghcr.io/v2/'],
      ['https://p.example?x=1', 'https://ghcr.io/v2/'],
      ['relative/base', 'https://ghcr.io/v2/']
    ];
    for (const [base, target] of bad) {
      let err: unknown;
      try {
        proxiedUrl(base, target);
      } catch (e) {
        err = e;
      }
      expect(err, `${base} ${target}`).toBeInstanceOf(ProxyUrlError);
      expect((err as ProxyUrlError).code).toBe('ERR_PROXY_URL_INVALID');
    }
  });
});

describe('targetFromProxyPath', () => {
  it('ignores paths outside the scheme', () => {
    expect(targetFromProxyPath('/healthz', '')).toBeNull();
    expect(targetFromProxyPath('/v2/', '')).toBeNull();
  });

  it('rejects malformed or smuggling authorities', () => {
    for (const p of [
      '/x/ftp/host/a',
      '/x/https/',
      '/x/https//v2/',
      '/x/https/user@evil/v2/',
      '/x/https/evil%2f@good/v2/',
      '/x/https/good\\evil/v2/',
      '/x/https/good%0d%0aHost:evil/v2/',
      '/x/https/[fe80::1%25eth0]/v2/',
      '/x/https/host:99999/v2/',
      '/x/https/-bad/v2/'
    ]) {
      expect(() => targetFromProxyPath(p, ''), p).toThrow(ProxyUrlError);
    }
  });

  it('normalises numeric IPv4 spellings the URL parser accepts, so later checks see the real address', () => {
    expect(targetFromProxyPath('/x/http/2130706433/v2/', '')?.hostname).toBe('127.0.0.1');
    expect(targetFromProxyPath('/x/http/0x7f.1/v2/', '')?.hostname).toBe('127.0.0.1');
    expect(targetFromProxyPath('/x/http/017700000001/v2/', '')?.hostname).toBe('127.0.0.1');
    expect(targetFromProxyPath('/x/http/[::ffff:169.254.169.254]/', '')?.hostname).toBe('[::ffff:a9fe:a9fe]');
  });

  it('keeps percent-encoded bytes in the path encoded (no CR/LF reaches the upstream)', () => {
    const t = targetFromProxyPath('/x/https/ghcr.io/v2/a%0d%0aHost:%20evil/tags/list', '?n=1');
    expect(t?.pathname).toBe('/v2/a%0d%0aHost:%20evil/tags/list');
    expect(t?.host).toBe('ghcr.io');
  });

  it('inverts proxiedUrl for any http(s) target', () => {
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4().map((ip) => ip),
      fc.ipV6().map((ip) => `[${ip}]`)
    );
    const segment = fc.stringMatching(/^[A-Za-z0-9._~:@%-]{0,12}$/).filter((s) => !/%(?![0-9A-Fa-f]{2})/.test(s));
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.array(segment, { maxLength: 5 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9=&_.:-]{0,20}$/), { nil: undefined }),
        fc.constantFrom('https://proxy.example', 'http://127.0.0.1:8787', 'https://signet.example/proxy'),
        (scheme, h, port, segments, query, base) => {
          let target: URL;
          try {
            target = new URL(`${scheme}://${h}${port ? `:${port}` : ''}/${segments.join('/')}${query !== undefined ? `?${query}` : ''}`);
          } catch {
            return; // not a URL at all: nothing to round-trip
          }
          const proxied = proxiedUrl(base, target);
          expect(proxied.startsWith(`${base}/x/${scheme}/`)).toBe(true);
          // An empty query ("?") carries nothing and is not preserved.
          const expected = target.search === '' ? target.href.replace(/\?$/, '') : target.href;
          expect(roundTrip(proxied, new URL(base).pathname.replace(/\/$/, ''))).toBe(expected);
        }
      ),
      { numRuns: 300 }
    );
  });
});

describe('targetFromProxiedUrl', () => {
  it('maps proxy URLs back to their targets and ignores everything else', () => {
    const base = 'https://signet.example/proxy';
    expect(targetFromProxiedUrl(base, 'https://signet.example/proxy/x/http/127.0.0.1:5000/v2/a?b=c')).toBe('http://127.0.0.1:5000/v2/a?b=c');
    expect(targetFromProxiedUrl(base, 'https://signet.example/other/x/http/127.0.0.1:5000/v2/')).toBeNull();
    expect(targetFromProxiedUrl(base, 'https://ghcr.io/v2/')).toBeNull();
    expect(targetFromProxiedUrl(base, 'https://signet.example/proxy/x/ftp/host/')).toBeNull();
    expect(targetFromProxiedUrl(base, 'not a url')).toBeNull();
  });
});

describe('createProxiedFetch', () => {
  const base = 'https://proxy.example';
  function fakeProxy(status: number, headers: Record<string, string>, body: string | null = 'body') {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fetchFn = async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(body, { status, headers });
    };
    return { seen, fetchFn };
  }

  it('sends requests to the proxy and shows the caller the targets in Location, Link and realm', async () => {
    const { seen, fetchFn } = fakeProxy(202, {
      Location: 'https://proxy.example/x/http/127.0.0.1:5000/v2/app/blobs/uploads/u?_state=s',
      Link: '<https://proxy.example/x/https/ghcr.io/v2/_catalog?last=a>; rel="next"',
      'WWW-Authenticate': 'Bearer realm="https://proxy.example/x/https/ghcr.io/token",service="ghcr.io"',
      'Docker-Upload-UUID': 'u'
    });
    const f = createProxiedFetch(base, fetchFn);
    const res = await f('http://127.0.0.1:5000/v2/app/blobs/uploads/', { method: 'POST' });
    expect(seen).toEqual([{ url: 'https://proxy.example/x/http/127.0.0.1:5000/v2/app/blobs/uploads/', init: { method: 'POST' } }]);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:5000/v2/app/blobs/uploads/u?_state=s');
    expect(res.headers.get('link')).toBe('<https://ghcr.io/v2/_catalog?last=a>; rel="next"');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="https://ghcr.io/token",service="ghcr.io"');
    expect(res.headers.get('docker-upload-uuid')).toBe('u');
    expect(await res.text()).toBe('body');

    // Following that Location through the same wrapper goes back through the proxy.
    await f(res.headers.get('location')!, { method: 'PUT' });
    expect(seen[1]?.url).toBe('https://proxy.example/x/http/127.0.0.1:5000/v2/app/blobs/uploads/u?_state=s');
  });

  it('keeps proxy refusals readable and bodiless statuses bodiless', async () => {
    const refusal = fakeProxy(403, { 'Signet-Proxy-Error': 'target_not_allowed', 'Content-Type': 'application/json' }, '{"error":{"code":"target_not_allowed","message":"m"}}');
    const r = await createProxiedFetch(base, refusal.fetchFn)('https://evil.example/v2/');
    expect(r.status).toBe(403);
    expect(r.headers.get('signet-proxy-error')).toBe('target_not_allowed');
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('target_not_allowed');
    const empty = fakeProxy(204, {}, null);
    expect((await createProxiedFetch(base, empty.fetchFn)('https://ghcr.io/v2/x')).status).toBe(204);
  });

  it('refuses a bad proxy base at creation', () => {
    expect(() => createProxiedFetch('not a url')).toThrow(ProxyUrlError);
  });
});
