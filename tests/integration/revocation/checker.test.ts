// The online RevocationChecker against a REAL OpenSSL OCSP responder and CRL distribution point
// on loopback (tests/helpers/ocsp-server.ts), through a Node fetch RevocationFetcher. Statuses
// are cross-checked with `openssl ocsp` on the same requests and responses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/lib/bytes';
import { createRevocationChecker } from '../../../src/lib/notary/revocation/checker';
import { createOcspRequest, ocspHttpRequest, parseOcspResponse, verifyOcspResponse } from '../../../src/lib/notary/revocation/ocsp';
import { revocationVerdict } from '../../../src/lib/notary/revocation/types';
import { parseCertificate, type Certificate } from '../../../src/lib/notary/x509/certificate';
import { checkOcspResponse, ocspRequest, startOcspServer, type IssuedCert, type OcspServer } from '../../helpers/ocsp-server';
import { hangingServer, issueWithUrls, refusedUrl } from '../../helpers/revocation-ca';
import { nodeRevocationFetcher } from '../../helpers/revocation-fetcher';

let server: OcspServer;
let hung: Awaited<ReturnType<typeof hangingServer>>;
let ca: Certificate;
const parsed = new Map<IssuedCert, Certificate>();
const leaves: Record<string, IssuedCert> = {};
const timings: string[] = [];

async function certOf(i: IssuedCert): Promise<Certificate> {
  if (!parsed.has(i)) parsed.set(i, await parseCertificate(i.certDer));
  return parsed.get(i)!;
}

async function check(i: IssuedCert, options: { ocspTimeoutMs?: number } = {}) {
  const fetcher = nodeRevocationFetcher();
  const chain = [await certOf(i), ca];
  const started = performance.now();
  const results = await createRevocationChecker({ fetcher, ...options })(chain, {});
  const ms = performance.now() - started;
  return { results, chain, fetcher, ms, verdict: revocationVerdict(chain, results) };
}

beforeAll(async () => {
  server = await startOcspServer();
  hung = await hangingServer();
  ca = await parseCertificate(server.caCertDer);
  const dead = await refusedUrl();
  leaves.good = await server.issue('Signet Revocation Good');
  leaves.revoked = await server.issue('Signet Revocation Revoked');
  leaves.hold = await server.issue('Signet Revocation Hold');
  leaves.crlOnly = await server.issue('Signet Revocation CRL Only', { ocsp: false });
  leaves.crlOnlyRevoked = await server.issue('Signet Revocation CRL Only Revoked', { ocsp: false });
  leaves.none = await server.issue('Signet Revocation None', { ocsp: false, crl: false });
  // Issued with `openssl ca` in the server's directory (no request is in flight yet).
  leaves.deadOcspLiveCrl = await issueWithUrls(server, 'Signet Dead OCSP Live CRL', { ocspUrls: [dead], crlUrls: [server.crlUrl] });
  leaves.deadOcspLiveCrlRevoked = await issueWithUrls(server, 'Signet Dead OCSP Live CRL Revoked', { ocspUrls: [dead], crlUrls: [server.crlUrl] });
  leaves.deadOcspOnly = await issueWithUrls(server, 'Signet Dead OCSP Only', { ocspUrls: [dead] });
  leaves.deadThenLive = await issueWithUrls(server, 'Signet Dead Then Live OCSP', { ocspUrls: [dead, server.url] });
  leaves.hungOcspLiveCrl = await issueWithUrls(server, 'Signet Hung OCSP Live CRL', { ocspUrls: [hung.url], crlUrls: [server.crlUrl] });
  await server.revoke(leaves.revoked, 'keyCompromise');
  await server.revoke(leaves.hold, 'certificateHold');
  await server.revoke(leaves.crlOnlyRevoked, 'superseded');
  await server.revoke(leaves.deadOcspLiveCrlRevoked, 'cessationOfOperation');
});

afterAll(async () => {
  await hung?.stop();
  await server?.stop();
  if (timings.length) console.log(`\nRevocation checks against the OpenSSL responder:\n${timings.join('\n')}`);
});

describe('createRevocationChecker against the OpenSSL responder', () => {
  it('sends the same OCSP request openssl does, by GET', async () => {
    const leaf = await certOf(leaves.good!);
    expect(toHex(await createOcspRequest(leaf, ca))).toBe(toHex(await ocspRequest(server, leaves.good!)));
    const { results, fetcher } = await check(leaves.good!);
    expect(results.map((r) => r.status)).toEqual(['ok', 'nonRevokable']);
    expect(fetcher.log.map((l) => [l.request.method, l.status])).toEqual([['GET', 200]]);
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', kind: 'ocsp', status: 200 });
  });

  it('good leaf → ok; revoked leaf → revoked; held leaf → revoked (OCSP)', async () => {
    const good = await check(leaves.good!);
    expect(good.verdict).toEqual({ status: 'ok' });
    expect(good.results[0]).toMatchObject({ method: 'ocsp', detail: expect.stringMatching(/: good \(.*delegated responder "CN=Signet Test OCSP Responder,O=Signet Tests"/) });
    timings.push(`  OCSP good: ${good.ms.toFixed(0)} ms`);
    const revoked = await check(leaves.revoked!);
    expect(revoked.verdict).toEqual({ status: 'revoked', subject: revoked.chain[0]!.subject });
    expect(revoked.results[0]!.detail).toMatch(/revoked at .* \(keyCompromise\)/);
    timings.push(`  OCSP revoked: ${revoked.ms.toFixed(0)} ms`);
    const hold = await check(leaves.hold!);
    expect(hold.results[0]).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/certificateHold/) });
  });

  it('agrees with `openssl ocsp` on each response, and the responder also answers POST', async () => {
    for (const [name, want] of [['good', 'good'], ['revoked', 'revoked'], ['hold', 'revoked']] as const) {
      const issued = leaves[name]!;
      const leaf = await certOf(issued);
      const request = await createOcspRequest(leaf, ca);
      const post = await nodeRevocationFetcher()({ method: 'POST', url: server.url, body: request, contentType: 'application/ocsp-request', timeoutMs: 2000, maxBytes: 20480 });
      expect(post.status).toBe(200);
      const opensslSays = await checkOcspResponse(server, issued, request, post.body);
      const ours = await verifyOcspResponse(parseOcspResponse(post.body), leaf, ca, { now: new Date() });
      expect(ours.certStatus, name).toBe(opensslSays);
      expect(ours.status === 'good' ? 'good' : 'revoked').toBe(want);
      // The GET form returns the same status.
      const get = ocspHttpRequest(server.url, request);
      expect(get.method).toBe('GET');
      const viaGet = await nodeRevocationFetcher()({ ...get, timeoutMs: 2000, maxBytes: 20480 });
      expect((await verifyOcspResponse(parseOcspResponse(viaGet.body), leaf, ca, { now: new Date() })).certStatus).toBe(opensslSays);
    }
  });

  it('CRL only: good and revoked from the CRL the CA generates', async () => {
    const ok = await check(leaves.crlOnly!);
    expect(ok.results[0]).toMatchObject({ status: 'ok', method: 'crl', detail: expect.stringMatching(/^CRL http:\/\/127\.0\.0\.1:\d+\/crl\/ca\.crl \(number \d+\): serial \w+ is not listed$/) });
    timings.push(`  CRL good: ${ok.ms.toFixed(0)} ms`);
    const revoked = await check(leaves.crlOnlyRevoked!);
    expect(revoked.results[0]).toMatchObject({ status: 'revoked', method: 'crl', detail: expect.stringMatching(/superseded/) });
  });

  it('responder down → OCSP unknown, then the CRL decides (good and revoked)', async () => {
    const good = await check(leaves.deadOcspLiveCrl!);
    expect(good.results[0]).toMatchObject({ status: 'ok', method: 'ocspFallbackCrl' });
    expect(good.results[0]!.servers!.map((s) => [s.method, s.status])).toEqual([
      ['ocsp', 'unknown'],
      ['crl', 'ok']
    ]);
    expect(good.results[0]!.servers![0]!.detail).toMatch(/failed/);
    timings.push(`  OCSP refused → CRL good: ${good.ms.toFixed(0)} ms`);
    const revoked = await check(leaves.deadOcspLiveCrlRevoked!);
    expect(revoked.results[0]).toMatchObject({ status: 'revoked', method: 'ocspFallbackCrl', detail: expect.stringMatching(/cessationOfOperation/) });
  });

  it('responder down and no CRL → unknown; a second, live responder is tried after a dead first one', async () => {
    const dead = await check(leaves.deadOcspOnly!);
    expect(dead.verdict).toEqual({ status: 'unknown', subject: dead.chain[0]!.subject });
    const next = await check(leaves.deadThenLive!);
    expect(next.results[0]!.status).toBe('ok');
    expect(next.fetcher.log.map((l) => l.status ?? 'error')).toEqual(['error', 200]);
  });

  it('a responder that never answers is given up after the OCSP timeout (2 s), then the CRL decides', async () => {
    const before = hung.connections();
    const r = await check(leaves.hungOcspLiveCrl!);
    expect(hung.connections()).toBeGreaterThan(before);
    expect(r.results[0]).toMatchObject({ status: 'ok', method: 'ocspFallbackCrl' });
    expect(r.ms).toBeGreaterThanOrEqual(1990);
    expect(r.ms).toBeLessThan(4000);
    timings.push(`  OCSP hung (2 s timeout) → CRL good: ${r.ms.toFixed(0)} ms`);
  });

  it('no AIA and no CDP → non-revokable, nothing fetched', async () => {
    const r = await check(leaves.none!);
    expect(r.results.map((x) => x.status)).toEqual(['nonRevokable', 'nonRevokable']);
    expect(r.fetcher.log).toHaveLength(0);
  });
});
