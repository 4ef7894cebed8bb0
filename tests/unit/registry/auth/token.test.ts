import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../../../src/lib/bytes';
import { parseTokenResponse, refreshTokenForm, tokenGetUrl } from '../../../../src/lib/registry/auth/token';

const b = (v: unknown) => utf8Encode(typeof v === 'string' ? v : JSON.stringify(v));
const REALM = 'https://auth.example/token';

describe('parseTokenResponse', () => {
  it('accepts token or access_token, preferring token', () => {
    expect(parseTokenResponse(b({ token: 't', expires_in: 300 }), REALM)).toEqual({ token: 't', expiresInSeconds: 300 });
    expect(parseTokenResponse(b({ access_token: 'a' }), REALM).token).toBe('a');
    expect(parseTokenResponse(b({ token: 't', access_token: 'a' }), REALM).token).toBe('t');
    expect(parseTokenResponse(b({ token: '', access_token: 'a' }), REALM).token).toBe('a');
  });

  it('defaults expires_in to 60 s when absent or nonsense', () => {
    for (const expires_in of [undefined, 0, -5, '300', null]) {
      expect(parseTokenResponse(b({ token: 't', expires_in }), REALM).expiresInSeconds).toBe(60);
    }
  });

  it('keeps issued_at and refresh_token', () => {
    expect(parseTokenResponse(b({ token: 't', issued_at: '2026-01-01T00:00:00Z', refresh_token: 'r' }), REALM)).toEqual({
      token: 't',
      expiresInSeconds: 60,
      issuedAt: '2026-01-01T00:00:00Z',
      refreshToken: 'r'
    });
  });

  it('rejects answers without a token, non-JSON and non-objects with ERR_REGISTRY_AUTH naming the service', () => {
    for (const body of [{}, { token: 5 }, '[]', 'not json', 'null']) {
      let err: unknown;
      try {
        parseTokenResponse(b(body), REALM);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('https://auth.example') });
    }
  });
});

describe('token requests', () => {
  it('builds the GET URL with service, repeated scopes and the offline flag', () => {
    const u = new URL(tokenGetUrl(REALM + '?x=1', 'svc', ['repository:a:pull', 'repository:b:pull,push'], { clientId: 'signet' }));
    expect(u.searchParams.get('x')).toBe('1');
    expect(u.searchParams.get('service')).toBe('svc');
    expect(u.searchParams.getAll('scope')).toEqual(['repository:a:pull', 'repository:b:pull,push']);
    expect(u.searchParams.get('offline_token')).toBe('true');
    expect(u.searchParams.get('client_id')).toBe('signet');
    expect(new URL(tokenGetUrl(REALM, undefined, [])).search).toBe('');
  });

  it('builds the OAuth2 refresh form with space-separated scopes', () => {
    const form = new URLSearchParams(utf8Decode(refreshTokenForm('svc', ['repository:a:pull', 'repository:b:push'], 'signet', 'R')));
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      service: 'svc',
      client_id: 'signet',
      scope: 'repository:a:pull repository:b:push',
      refresh_token: 'R'
    });
  });
});
