import { describe, expect, it } from 'vitest';
import { findChallenge, parseWwwAuthenticate } from '../../../../src/lib/registry/auth/challenge';

describe('parseWwwAuthenticate', () => {
  it('parses a distribution Bearer challenge with realm, service and scope', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' }
    });
  });

  it('parses insufficient_scope errors and multi-action scopes with commas inside quotes', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="http://127.0.0.1:1/token",service="svc",scope="repository:a/b:pull,push",error="insufficient_scope"'
    );
    expect(c?.params.scope).toBe('repository:a/b:pull,push');
    expect(c?.params.error).toBe('insufficient_scope');
  });

  it('parses Basic, case-insensitive schemes and parameter names, spaces around "="', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseWwwAuthenticate('BEARER Realm = "x" , Service=y')).toEqual([{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }]);
  });

  it('parses several challenges in one header', () => {
    const cs = parseWwwAuthenticate('Basic realm="a", Bearer realm="https://t/token",service="s"');
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(findChallenge(cs, 'Bearer')?.params).toEqual({ realm: 'https://t/token', service: 's' });
    expect(findChallenge(cs, 'negotiate')).toBeUndefined();
  });

  it('handles escapes in quoted strings, token68 and empty input', () => {
    expect(parseWwwAuthenticate('Bearer realm="a\\"b\\\\c"')[0]?.params.realm).toBe('a"b\\c');
    expect(parseWwwAuthenticate('Negotiate abc123==')).toEqual([{ scheme: 'negotiate', params: {}, token68: 'abc123==' }]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'bearer', params: {} }]);
  });

  it('keeps what is complete when the header is cut off or malformed, without throwing', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://x/token",service="unterminated')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://x/token' } }
    ]);
    expect(() => parseWwwAuthenticate('=,,=="')).not.toThrow();
    expect(parseWwwAuthenticate('x'.repeat(20_000))).toEqual([]);
  });

  it('keeps the first value of a repeated parameter', () => {
    expect(parseWwwAuthenticate('Bearer realm="a",realm="b"')[0]?.params.realm).toBe('a');
  });
});
