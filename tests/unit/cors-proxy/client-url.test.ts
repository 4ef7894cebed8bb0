import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProxyUrlError, proxiedUrl, targetFromProxyPath } from '../../../cors-proxy/src/client-url';

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
