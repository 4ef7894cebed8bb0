/**
 * The web app's signing helpers: user metadata rows, the TSA request (its route through the proxy
 * URL scheme, its HTTP shape, its failures), and the push steps told from registry exchanges.
 * The TSA and registries themselves are exercised for real in tests/e2e/sign.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import { EMPTY_JSON } from '../../../src/lib/oci/media-types';
import type { HttpExchange } from '../../../src/lib/registry/http';
import {
  createTimestamper,
  describeIndexing,
  metadataFromRows,
  pushStepOf,
  SIGNET_VERSION,
  SigningSteps,
  timestampFetch,
  WEB_SIGNING_AGENT
} from '../../../src/lib/app/signing';
import { signingAgentFor } from '../../../src/lib/notary/sign/sign-artifact';
import type { ProgressStep } from '../../../src/lib/app/progress';

const D = `sha256:${'a1'.repeat(32)}`;

function exchange(method: string, url: string): HttpExchange {
  return { method, url, status: 200, requestHeaders: {}, responseHeaders: {}, responseBytes: 0, durationMs: 1, fromCache: false };
}

describe('metadataFromRows', () => {
  it('turns rows into notation -m pairs, skipping blank rows', () => {
    expect(metadataFromRows([{ key: ' io.example.build ', value: '42' }, { key: '', value: '' }, { key: 'empty', value: '' }])).toEqual({ 'io.example.build': '42', empty: '' });
  });
  it('names the row at fault', () => {
    expect(() => metadataFromRows([{ key: 'a', value: '1' }, { key: '', value: 'x' }])).toThrow('user metadata row 2: the key is empty');
    expect(() => metadataFromRows([{ key: 'a', value: '1' }, { key: 'a', value: '2' }])).toThrow('user metadata row 2: the key "a" is given twice');
    expect(() => metadataFromRows(Array.from({ length: 65 }, (_, i) => ({ key: `k${i}`, value: '' })))).toThrow('at most 64 entries');
  });
});

describe('signing agent', () => {
  it('names Signet and the version in package.json, as the CLI does', () => {
    expect(SIGNET_VERSION).toBe(pkg.version);
    expect(WEB_SIGNING_AGENT).toBe(signingAgentFor(pkg.version));
  });
});

describe('timestamper', () => {
  function recorder(reply: () => Response) {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    return { calls, fetch: async (url: string, init?: RequestInit) => (calls.push({ url, init }), reply()) };
  }

  it('POSTs the TimeStampReq through the proxy URL scheme when a proxy is set, directly otherwise', async () => {
    const rec = recorder(() => new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-type': 'application/timestamp-reply' } }));
    const stamp = createTimestamper('http://127.0.0.1:9999/tsa?x=1', { url: 'http://127.0.0.1:8080', scope: 'listed', registries: ['r.example'] }, rec.fetch);
    expect(await stamp(new Uint8Array([9, 9]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(rec.calls[0]!.url).toBe('http://127.0.0.1:8080/x/http/127.0.0.1:9999/tsa?x=1');
    expect(rec.calls[0]!.init?.method).toBe('POST');
    expect((rec.calls[0]!.init?.headers as Record<string, string>)['Content-Type']).toBe('application/timestamp-query');
    expect(rec.calls[0]!.init?.body).toEqual(new Uint8Array([9, 9]));

    const direct = recorder(() => new Response(new Uint8Array([7]), { status: 200 }));
    await createTimestamper('https://tsa.example/', { url: 'http://p.example', scope: 'off', registries: [] }, direct.fetch)(new Uint8Array([1]));
    expect(direct.calls[0]!.url).toBe('https://tsa.example/');
    expect(timestampFetch(null).via).toBe('direct');
  });

  it('fails with the TSA named and a hint', async () => {
    const forbidden = recorder(() => new Response('no', { status: 403 }));
    await expect(createTimestamper('http://tsa.example/', { url: 'http://p.example', scope: 'all', registries: [] }, forbidden.fetch)(new Uint8Array([1]))).rejects.toThrow(
      'the timestamp authority http://tsa.example/ answered HTTP 403; the proxy may not allow this TSA (timestampAuthorities in its configuration)'
    );
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(createTimestamper('http://tsa.example/', null, down)(new Uint8Array([1]))).rejects.toThrow(
      'could not be reached (timestamp authorities send no CORS headers: set the CORS proxy in Settings'
    );
    expect(() => createTimestamper('tsa.example', null)).toThrow('timestamp URL: "tsa.example" is not an absolute URL');
    expect(() => createTimestamper('ftp://tsa.example', null)).toThrow('expected http or https');
  });
});

describe('push steps from registry exchanges', () => {
  it('classifies blob, manifest and index requests, direct or through the proxy', () => {
    const r = 'http://127.0.0.1:5000/v2/team/app';
    expect(pushStepOf(exchange('HEAD', `${r}/blobs/${D}`))).toBe('envelope');
    expect(pushStepOf(exchange('PUT', `http://127.0.0.1:5000/v2/team/app/blobs/uploads/abc?_state=x&digest=${encodeURIComponent(D)}`))).toBe('envelope');
    expect(pushStepOf(exchange('HEAD', `${r}/blobs/${EMPTY_JSON.digest}`))).toBe('config');
    expect(pushStepOf(exchange('POST', `${r}/blobs/uploads/`))).toBeUndefined();
    expect(pushStepOf(exchange('PUT', `${r}/manifests/${D}`))).toBe('manifest');
    expect(pushStepOf(exchange('GET', `${r}/manifests/${D}`))).toBeUndefined();
    expect(pushStepOf(exchange('GET', `${r}/referrers/${D}`))).toBe('index');
    expect(pushStepOf(exchange('PUT', `${r}/manifests/sha256-${'a1'.repeat(32)}`))).toBe('index');
    expect(pushStepOf(exchange('PUT', `http://127.0.0.1:8080/x/http/127.0.0.1:5000/v2/team/app/manifests/${D}`))).toBe('manifest');
    expect(pushStepOf(exchange('GET', 'http://auth.example/token?scope=x'))).toBeUndefined();
  });

  it('tells the steps in order, counts requests, and marks the failing one', () => {
    let seen: readonly ProgressStep[] = [];
    const steps = new SigningSteps((s) => (seen = s));
    const r = 'http://r.example/v2/app';
    steps.begin('sign', 'Sign');
    steps.exchange(exchange('HEAD', `${r}/blobs/${D}`));
    steps.exchange(exchange('POST', `${r}/blobs/uploads/`));
    steps.exchange(exchange('PUT', `${r}/blobs/uploads/1?digest=${D}`));
    steps.exchange(exchange('HEAD', `${r}/blobs/${EMPTY_JSON.digest}`));
    steps.exchange(exchange('PUT', `${r}/manifests/${D}`));
    steps.describe('manifest', D);
    steps.exchange(exchange('GET', `${r}/referrers/${D}`));
    expect(steps.currentLabel).toBe('Update the referrers index');
    steps.fail('HTTP 500');
    expect(seen.map((s) => [s.label, s.state, s.requests, s.detail])).toEqual([
      ['Sign', 'done', 0, undefined],
      ['Upload the signature envelope', 'done', 3, undefined],
      ['Upload the empty config blob', 'done', 1, undefined],
      ['Push the signature manifest', 'done', 1, D],
      ['Update the referrers index', 'failed', 1, 'HTTP 500']
    ]);
    expect(steps.currentLabel).toBe('Update the referrers index');
    expect(describeIndexing('tag-index')).toBe('added to the referrers tag index (the registry has no Referrers API)');
  });
});
