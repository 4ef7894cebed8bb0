import { describe, expect, it } from 'vitest';
import { proxiedUrl } from '../../../cors-proxy/src/client-url';
import {
  parseChallengeParams,
  rewriteBearerRealms,
  rewriteLink,
  rewriteLocation
} from '../../../cors-proxy/src/rewrite';

const upstream = new URL('http://127.0.0.1:5000/v2/app/blobs/uploads/');
const toProxy = (u: URL) => proxiedUrl('https://proxy.example', u);

describe('rewriteBearerRealms', () => {
  it('sends the token realm through the proxy and keeps service and scope', () => {
    const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"';
    expect(rewriteBearerRealms(h, upstream, toProxy)).toBe(
      'Bearer realm="https://proxy.example/x/https/auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'
    );
  });

  it('resolves a relative realm against the registry URL', () => {
    expect(rewriteBearerRealms('Bearer realm="/token",service="reg"', upstream, toProxy)).toBe(
      'Bearer realm="https://proxy.example/x/http/127.0.0.1:5000/token",service="reg"'
    );
  });

  it('leaves Basic realms (names, not URLs) and other schemes alone', () => {
    for (const h of ['Basic realm="signet-test"', 'Basic realm="https://looks.like/a/url"', 'Negotiate', 'Basic abc==']) {
      expect(rewriteBearerRealms(h, upstream, toProxy)).toBe(h);
    }
  });

  it('handles several challenges, commas inside quotes, odd spacing and case', () => {
    const h = 'Basic realm="a, b", bearer  scope="repository:x:pull,push" , REALM = "https://ghcr.io/token", error="insufficient_scope"';
    expect(rewriteBearerRealms(h, upstream, toProxy)).toBe(
      'Basic realm="a, b", bearer  scope="repository:x:pull,push" , REALM = "https://proxy.example/x/https/ghcr.io/token", error="insufficient_scope"'
    );
  });

  it('accepts an unquoted URL realm and re-quotes it', () => {
    expect(rewriteBearerRealms('Bearer realm=https://ghcr.io/token,service=ghcr.io', upstream, toProxy)).toBe(
      'Bearer realm="https://proxy.example/x/https/ghcr.io/token",service=ghcr.io'
    );
  });

  it('passes malformed headers through untouched', () => {
    for (const h of ['Bearer realm="unterminated', '=oops', 'Bearer realm="x" junk junk']) {
      expect(rewriteBearerRealms(h, upstream, toProxy)).toBe(h);
    }
  });

  it('reports params with their unescaped values', () => {
    expect(parseChallengeParams('Bearer realm="a\\"b",service=reg')).toEqual([
      { scheme: 'Bearer', name: 'realm', value: 'a"b', start: 13, end: 19 },
      { scheme: 'Bearer', name: 'service', value: 'reg', start: 28, end: 31 }
    ]);
  });
});

describe('rewriteLocation and rewriteLink', () => {
  it('resolves relative upload locations against the upstream URL', () => {
    expect(rewriteLocation('/v2/app/blobs/uploads/abc?_state=xyz', upstream, toProxy)).toBe(
      'https://proxy.example/x/http/127.0.0.1:5000/v2/app/blobs/uploads/abc?_state=xyz'
    );
    expect(rewriteLocation('abc', upstream, toProxy)).toBe('https://proxy.example/x/http/127.0.0.1:5000/v2/app/blobs/uploads/abc');
    expect(rewriteLocation('https://storage.example/blob?sig=1', upstream, toProxy)).toBe(
      'https://proxy.example/x/https/storage.example/blob?sig=1'
    );
  });

  it('leaves non-http locations as they are', () => {
    expect(rewriteLocation('mailto:a@b', upstream, toProxy)).toBe('mailto:a@b');
  });

  it('rewrites every URI reference of a Link header', () => {
    expect(rewriteLink('</v2/_catalog?n=2&last=b>; rel="next", <https://other.example/x>; rel="alt"', upstream, toProxy)).toBe(
      '<https://proxy.example/x/http/127.0.0.1:5000/v2/_catalog?n=2&last=b>; rel="next", <https://proxy.example/x/https/other.example/x>; rel="alt"'
    );
  });
});
