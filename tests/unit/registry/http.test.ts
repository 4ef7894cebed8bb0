import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import { mediaTypeOf, parseNextLink, readBodyCapped, redactUrl, Transport, type HttpExchange } from '../../../src/lib/registry/http';
import { bytesResponse, empty, scriptedFetch } from './scripted-fetch';

const BASE = 'http://127.0.0.1:5000/v2/app/tags/list?n=2';

describe('parseNextLink', () => {
  it('resolves relative next links against the request URL', () => {
    expect(parseNextLink('</v2/app/tags/list?last=b&n=2>; rel="next"', BASE)).toBe('http://127.0.0.1:5000/v2/app/tags/list?last=b&n=2');
    // olareg writes rel=next without quotes
    expect(parseNextLink('</v2/app/referrers/sha256:x?page=1>; rel=next', BASE)).toBe('http://127.0.0.1:5000/v2/app/referrers/sha256:x?page=1');
  });

  it('picks rel=next among several links and relation lists', () => {
    expect(parseNextLink('</prev>; rel="prev", </next>; rel="next"', BASE)).toBe('http://127.0.0.1:5000/next');
    expect(parseNextLink('</a>; title="a, b"; rel="last next"', BASE)).toBe('http://127.0.0.1:5000/a');
    expect(parseNextLink('</prev>; rel="prev"', BASE)).toBeUndefined();
    expect(parseNextLink(null, BASE)).toBeUndefined();
    expect(parseNextLink('  ', BASE)).toBeUndefined();
  });

  it('rejects malformed links and links to another origin', () => {
    expect(() => parseNextLink('/v2/x; rel="next"', BASE)).toThrowError(/must start with "<url>"/);
    expect(() => parseNextLink('</v2/x; rel="next"', BASE)).toThrowError(/missing ">"/);
    try {
      parseNextLink('<https://evil.example/v2/x>; rel="next"', BASE);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_REGISTRY_RESPONSE_INVALID');
      expect((e as Error).message).toMatch(/another origin \(https:\/\/evil\.example\)/);
    }
  });
});

describe('readBodyCapped', () => {
  it('reads a body within the cap', async () => {
    expect(await readBodyCapped(bytesResponse(200, 'hello'), 5, 'strict', 'x')).toEqual(utf8Encode('hello'));
    expect(await readBodyCapped(empty(204), 5, 'strict', 'x')).toEqual(new Uint8Array(0));
  });

  it('refuses from Content-Length before reading, and while streaming without it', async () => {
    await expect(readBodyCapped(bytesResponse(200, 'x', { 'Content-Length': '999999' }), 10, 'strict', 'manifest m')).rejects.toMatchObject({
      code: 'ERR_INPUT_TOO_LARGE',
      message: expect.stringMatching(/manifest m is 999999 bytes.*limit is 10 bytes/)
    });
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(4)); // endless: the cap must stop it
      }
    });
    await expect(readBodyCapped(new Response(stream), 10, 'strict', 'blob b')).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' });
  });

  it('truncates error bodies instead of failing', async () => {
    expect(await readBodyCapped(bytesResponse(500, 'abcdefgh'), 3, 'truncate', 'e')).toEqual(utf8Encode('abc'));
  });
});

describe('Transport', () => {
  it('reports exchanges with selected headers, redacting credentials and secret query values', async () => {
    const { fetch } = scriptedFetch([
      () => bytesResponse(200, '{}', { 'Docker-Content-Digest': 'sha256:aa', 'Content-Type': 'application/json', 'X-Other': 'hidden' })
    ]);
    const seen: HttpExchange[] = [];
    const t = new Transport(fetch, (e) => seen.push(e));
    const r = await t.send({
      method: 'GET',
      url: 'http://127.0.0.1:1/v2/app/blobs/x?X-Amz-Signature=secret123&keep=1',
      headers: { Accept: 'application/json', Authorization: 'Bearer s3cr3t-token' },
      maxBytes: 100,
      what: 'x'
    });
    expect(r.status).toBe(200);
    expect(seen).toHaveLength(1);
    const e = seen[0]!;
    expect(e).toMatchObject({ method: 'GET', status: 200, responseBytes: 2, fromCache: false });
    expect(e.requestHeaders).toEqual({ accept: 'application/json', authorization: 'Bearer ‹redacted›' });
    expect(e.responseHeaders).toMatchObject({ 'docker-content-digest': 'sha256:aa', 'content-type': 'application/json' });
    expect(e.responseHeaders['x-other']).toBeUndefined();
    expect(JSON.stringify(e)).not.toContain('s3cr3t');
    expect(JSON.stringify(e)).not.toContain('secret123');
    expect(e.url).toContain('keep=1');
  });

  it('turns network failures into ERR_REGISTRY_UNREACHABLE mentioning CORS and reports status 0', async () => {
    const seen: HttpExchange[] = [];
    const t = new Transport(
      async () => {
        throw new TypeError('Failed to fetch');
      },
      (e) => seen.push(e)
    );
    await expect(t.send({ method: 'GET', url: 'https://r.example/v2/', maxBytes: 10, what: 'the API root' })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_UNREACHABLE',
      message: expect.stringMatching(/Could not reach https:\/\/r\.example while requesting the API root.*CORS/)
    });
    expect(seen[0]).toMatchObject({ status: 0, error: 'TypeError: Failed to fetch' });
  });

  it('an observer that throws does not break requests', async () => {
    const { fetch } = scriptedFetch([() => empty(202)]);
    const t = new Transport(fetch, () => {
      throw new Error('viewer bug');
    });
    await expect(t.send({ method: 'POST', url: 'http://127.0.0.1/x', maxBytes: 1, what: 'x' })).resolves.toMatchObject({ status: 202 });
  });

  it('redactUrl leaves ordinary URLs alone', () => {
    expect(redactUrl('http://127.0.0.1:5000/v2/app/manifests/v1')).toBe('http://127.0.0.1:5000/v2/app/manifests/v1');
    expect(redactUrl('https://u:p@h/x?token=abc')).not.toMatch(/abc|u:p/);
  });

  it('mediaTypeOf drops parameters and case', () => {
    expect(mediaTypeOf('Application/Vnd.OCI.Image.Index.v1+json; charset=utf-8')).toBe('application/vnd.oci.image.index.v1+json');
    expect(mediaTypeOf(null)).toBeUndefined();
  });
});
