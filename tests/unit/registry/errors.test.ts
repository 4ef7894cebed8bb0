import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import { parseRegistryErrorBody, registryError, registryErrorCodes, registryErrorStatus } from '../../../src/lib/registry/errors';

const body = (v: unknown) => utf8Encode(typeof v === 'string' ? v : JSON.stringify(v));
const res = (status: number, b: unknown, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), body: body(b) });
const ctx = { operation: 'fetch manifest v1', location: 'localhost:5000/app', notFound: 'ERR_REGISTRY_MANIFEST_UNKNOWN' as const };

describe('parseRegistryErrorBody', () => {
  it('reads the distribution error list', () => {
    expect(
      parseRegistryErrorBody(body({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: 'unknown tag=latest' }] }))
    ).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: 'unknown tag=latest' }]);
  });

  it('uppercases codes, drops null details, skips malformed entries', () => {
    expect(
      parseRegistryErrorBody(body({ errors: [{ code: 'denied', message: 'no', detail: null }, { message: 'no code' }, 'x', { code: 7 }] }))
    ).toEqual([{ code: 'DENIED', message: 'no' }]);
  });

  it('gives [] for bodies that are not the error format, without throwing', () => {
    for (const b of ['', '404 page not found', '<html></html>', '{"errors":"x"}', 'null', '[1]', '{"errors":[', '\u00ff']) {
      expect(parseRegistryErrorBody(body(b))).toEqual([]);
    }
    expect(parseRegistryErrorBody(new Uint8Array([0xff, 0xfe]))).toEqual([]);
  });
});

describe('registryError', () => {
  const cases: Array<[number, unknown, string, RegExp]> = [
    [404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }, 'ERR_REGISTRY_NAME_UNKNOWN', /Check the repository name/],
    [404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, 'ERR_REGISTRY_MANIFEST_UNKNOWN', /Check the tag or digest/],
    [404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }, 'ERR_REGISTRY_BLOB_UNKNOWN', /does not have this content/],
    [403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }, 'ERR_REGISTRY_DENIED', /permission/],
    [401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, 'ERR_REGISTRY_AUTH', /Sign in/],
    [429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'rate limit' }] }, 'ERR_REGISTRY_RATE_LIMITED', /rate limiting/],
    [405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] }, 'ERR_REGISTRY_UNSUPPORTED', /does not support/],
    [400, { errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown', detail: 'sha256:ab' }] }, 'ERR_REGISTRY_REJECTED', /rejected/],
    [404, '404 page not found', 'ERR_REGISTRY_MANIFEST_UNKNOWN', /HTTP 404/],
    [405, '', 'ERR_REGISTRY_UNSUPPORTED', /HTTP 405/],
    [503, '<html>busy</html>', 'ERR_REGISTRY_HTTP', /try again later/],
    [403, '', 'ERR_REGISTRY_DENIED', /HTTP 403/],
    [429, '', 'ERR_REGISTRY_RATE_LIMITED', /HTTP 429/]
  ];
  for (const [status, b, code, advice] of cases) {
    it(`HTTP ${status} ${JSON.stringify(b).slice(0, 50)} → ${code}`, () => {
      const e = registryError(res(status, b), ctx);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(advice);
      expect(e.message).toContain('Could not fetch manifest v1 in localhost:5000/app');
      expect(registryErrorStatus(e)).toBe(status);
    });
  }

  it('quotes what the registry said, with detail, and exposes the codes', () => {
    const e = registryError(res(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'v9' } }] }), ctx);
    expect(e.message).toContain('MANIFEST_UNKNOWN "manifest unknown": {"Tag":"v9"}');
    expect(registryErrorCodes(e)).toEqual(['MANIFEST_UNKNOWN']);
    expect(registryErrorCodes(new Error('x'))).toEqual([]);
  });

  it('reports Retry-After on rate limits and strips control characters from registry text', () => {
    const e = registryError(res(429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow\n\u001b[31mdown' }] }, { 'Retry-After': '30' }), ctx);
    expect(e.message).toContain('retry after 30 s');
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('uses the context notFound code only for bare 404s, and ERR_REGISTRY_HTTP without one', () => {
    expect(registryError(res(404, ''), { operation: 'x', location: 'y', notFound: 'ERR_REGISTRY_BLOB_UNKNOWN' }).code).toBe('ERR_REGISTRY_BLOB_UNKNOWN');
    expect(registryError(res(404, ''), { operation: 'x', location: 'y' }).code).toBe('ERR_REGISTRY_HTTP');
  });
});
