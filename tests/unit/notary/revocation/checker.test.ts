// The online checker's control flow (notation-core-go's: OCSP URLs in order, CRL fallback on
// unknown, CDPs walked, root never checked) through an in-memory RevocationFetcher that serves
// builder-signed OCSP responses and CRLs. The real OpenSSL responder is exercised by
// tests/integration/revocation.
import { describe, expect, it } from 'vitest';
import { base64Decode, toHex } from '../../../../src/lib/bytes';
import { isSignetError } from '../../../../src/lib/errors';
import { createRevocationChecker } from '../../../../src/lib/notary/revocation/checker';
import { createOcspRequest, serialOf } from '../../../../src/lib/notary/revocation/ocsp';
import { revocationVerdict, type RevocationFetchRequest, type RevocationFetchResponse, type RevocationFetcher } from '../../../../src/lib/notary/revocation/types';
import { parseCertificate, type Certificate } from '../../../../src/lib/notary/x509/certificate';
import { buildCrl, buildOcspResponse, type SingleSpec } from '../../../helpers/revocation-builder';
import { OIDS, createTestChain, issueCertificate, x509, type TestCert } from '../../../helpers/test-pki';

const now = new Date('2026-03-01T12:00:00Z');
const clock = () => now;
const thisUpdate = new Date('2026-03-01T00:00:00Z');
const nextUpdate = new Date('2026-03-08T00:00:00Z');

type Handler = (req: RevocationFetchRequest) => Promise<RevocationFetchResponse> | RevocationFetchResponse;

/** Routes by URL prefix; records every request. */
function routes(table: Record<string, Handler>): RevocationFetcher & { log: RevocationFetchRequest[] } {
  const log: RevocationFetchRequest[] = [];
  const f = (async (req: RevocationFetchRequest) => {
    log.push(req);
    const key = Object.keys(table)
      .filter((p) => req.url.startsWith(p))
      .sort((a, b) => b.length - a.length)[0];
    if (!key) throw new Error(`connect ECONNREFUSED (${req.url})`);
    return table[key]!(req);
  }) as RevocationFetcher & { log: RevocationFetchRequest[] };
  f.log = log;
  return f;
}

const ok = (body: Uint8Array): RevocationFetchResponse => ({ status: 200, body });

interface Pki {
  root: TestCert;
  ca: Certificate;
  responder: TestCert;
  responderCert: Certificate;
}

async function leafWith(pki: Pki, o: { ocsp?: string[]; crl?: string[]; freshest?: string[]; slot?: number; serial?: string }): Promise<Certificate> {
  const extraExtensions = [
    ...(o.ocsp ? [new x509.AuthorityInfoAccessExtension({ ocsp: o.ocsp })] : []),
    ...(o.crl ? [new x509.CRLDistributionPointsExtension(o.crl)] : []),
    ...(o.freshest ? [new x509.Extension('2.5.29.46', false, new x509.CRLDistributionPointsExtension(o.freshest).value)] : [])
  ];
  const leaf = await issueCertificate('leaf', { keySpec: 'EC-256', keySlot: o.slot ?? 0, extraExtensions, ...(o.serial ? { serialNumber: o.serial } : {}) }, pki.root);
  return parseCertificate(leaf.der);
}

const chainPki = await createTestChain({ keySpec: 'EC-256' });
const responder = await issueCertificate(
  'leaf',
  { subject: 'CN=Test OCSP Responder, O=Notary, L=Seattle, ST=WA, C=US', keySpec: 'EC-256', keySlot: 7, extendedKeyUsage: { oids: [OIDS.ocspSigning], critical: true } },
  chainPki.root
);
const pki: Pki = { root: chainPki.root, ca: await parseCertificate(chainPki.root.der), responder, responderCert: await parseCertificate(responder.der) };

async function ocspFor(cert: Certificate, status: SingleSpec['status'], o: { issuer?: Certificate; by?: 'ca' | 'responder'; next?: Date } = {}) {
  const byCa = o.by === 'ca';
  return buildOcspResponse({
    signer: byCa ? { cert: pki.ca, key: pki.root.key } : { cert: pki.responderCert, key: pki.responder.key },
    certs: byCa ? [] : [pki.responder.der],
    producedAt: thisUpdate,
    responses: [{ serial: serialOf(cert), issuer: o.issuer ?? pki.ca, status, thisUpdate, nextUpdate: o.next ?? nextUpdate }]
  });
}

function crlOf(entries: { cert: Certificate; reason?: number }[], o: { number?: bigint; freshest?: string[]; deltaBase?: bigint } = {}) {
  return buildCrl({
    issuer: pki.ca,
    key: pki.root.key,
    thisUpdate,
    nextUpdate,
    number: o.number ?? 1n,
    ...(o.freshest ? { freshest: o.freshest } : {}),
    ...(o.deltaBase !== undefined ? { deltaBase: o.deltaBase } : {}),
    entries: entries.map((e) => ({ serial: serialOf(e.cert), date: thisUpdate, ...(e.reason !== undefined ? { reason: e.reason } : {}) }))
  });
}

describe('createRevocationChecker', () => {
  it('asks the OCSP responder with notation\'s GET request; good → ok; the root is not checked', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://ocsp.test/'], crl: ['http://crl.test/ca.crl'] });
    const good = await ocspFor(leaf, 'good');
    const fetcher = routes({ 'http://ocsp.test/': () => ok(good) });
    const results = await createRevocationChecker({ fetcher, clock })([leaf, pki.ca], {});
    expect(results.map((r) => r.status)).toEqual(['ok', 'nonRevokable']);
    expect(results[0]).toMatchObject({ method: 'ocsp', detail: expect.stringMatching(/^OCSP http:\/\/ocsp\.test\/: good \(.*signed by delegated responder "CN=Test OCSP Responder/) });
    expect(fetcher.log).toHaveLength(1);
    const req = fetcher.log[0]!;
    expect(req).toMatchObject({ method: 'GET', timeoutMs: 2000, maxBytes: 20480 });
    const sent = base64Decode(decodeURIComponent(req.url.slice('http://ocsp.test/'.length)));
    expect(toHex(sent)).toBe(toHex(await createOcspRequest(leaf, pki.ca)));
  });

  it('revoked via OCSP → revoked, and revocationVerdict names the leaf', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://ocsp.test/'] });
    const body = await ocspFor(leaf, { revokedAt: thisUpdate, reason: 1 }, { by: 'ca' });
    const results = await createRevocationChecker({ fetcher: routes({ 'http://ocsp.test/': () => ok(body) }), clock })([leaf, pki.ca], {});
    expect(results[0]).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/revoked at 2026-03-01T00:00:00.000Z \(keyCompromise\).*signed by the issuing CA/) });
    expect(revocationVerdict([leaf, pki.ca], results)).toEqual({ status: 'revoked', subject: leaf.subject });
  });

  it('tries the next responder after an HTTP error, a non-http URL, a bad response or a timeout', async () => {
    const leaf = await leafWith(pki, { ocsp: ['https://tls.test/', 'http://down.test/', 'http://garbage.test/', 'http://slow.test/', 'http://ocsp.test/'] });
    const good = await ocspFor(leaf, 'good');
    const fetcher = routes({
      'http://down.test/': () => ({ status: 503, body: new Uint8Array(0) }),
      'http://garbage.test/': () => ok(new Uint8Array([1, 2, 3])),
      'http://slow.test/': () => new Promise<RevocationFetchResponse>(() => undefined),
      'http://ocsp.test/': () => ok(good)
    });
    const started = Date.now();
    const [r] = await createRevocationChecker({ fetcher, clock, ocspTimeoutMs: 150 })([leaf, pki.ca], {});
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r!.status).toBe('ok');
    // A definite answer is final: only it is reported (as notation-core-go does).
    expect(r!.servers).toHaveLength(1);
    expect(fetcher.log.map((q) => new URL(q.url).host)).toEqual(['down.test', 'garbage.test', 'slow.test', 'ocsp.test']);
  });

  it('when every responder fails and there is no CRL: unknown, with each failure explained', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://down.test/', 'http://slow.test/'] });
    const fetcher = routes({ 'http://down.test/': () => ({ status: 500, body: new Uint8Array(0) }), 'http://slow.test/': () => new Promise(() => undefined) });
    const [r] = await createRevocationChecker({ fetcher, clock, ocspTimeoutMs: 100 })([leaf, pki.ca], {});
    expect(r!.status).toBe('unknown');
    expect(r!.servers!.map((s) => s.detail)).toEqual([
      'OCSP http://down.test/: HTTP status 500',
      expect.stringMatching(/^OCSP http:\/\/slow\.test\/: no answer from http:\/\/slow\.test\/\S+ within 0\.10 s$/)
    ]);
    expect(revocationVerdict([leaf, pki.ca], [r!, { status: 'nonRevokable' }])).toEqual({ status: 'unknown', subject: leaf.subject });
  });

  it('falls back to the CRL when OCSP is unavailable or says unknown (and stops asking responders after "unknown")', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://ocsp.test/', 'http://ocsp2.test/'], crl: ['http://crl.test/ca.crl'] });
    const unknown = await ocspFor(leaf, 'unknown');
    const revokedCrl = await crlOf([{ cert: leaf, reason: 4 }]);
    const fetcher = routes({ 'http://ocsp.test/': () => ok(unknown), 'http://ocsp2.test/': () => ok(unknown), 'http://crl.test/': () => ok(revokedCrl) });
    const [r] = await createRevocationChecker({ fetcher, clock })([leaf, pki.ca], {});
    expect(r).toMatchObject({ status: 'revoked', method: 'ocspFallbackCrl' });
    expect(r!.detail).toMatch(/^OCSP http:\/\/ocsp\.test\/: unknown .*; fell back to the CRL: CRL http:\/\/crl\.test\/ca\.crl \(number 1\): revoked at .* \(superseded\)$/);
    expect(fetcher.log.map((q) => [q.method, new URL(q.url).host, q.timeoutMs, q.maxBytes])).toEqual([
      ['GET', 'ocsp.test', 2000, 20480],
      ['GET', 'crl.test', 5000, 32 * 1024 * 1024]
    ]);

    const down = routes({ 'http://crl.test/': () => ok(revokedCrl) });
    const [viaCrl] = await createRevocationChecker({ fetcher: down, clock })([leaf, pki.ca], {});
    expect(viaCrl).toMatchObject({ status: 'revoked', method: 'ocspFallbackCrl' });
    expect(viaCrl!.servers!.map((s) => [s.method, s.status])).toEqual([
      ['ocsp', 'unknown'],
      ['ocsp', 'unknown'],
      ['crl', 'revoked']
    ]);
  });

  it('CRL only: good, revoked, and unknown when a distribution point fails (notation stops at the first failure)', async () => {
    const leaf = await leafWith(pki, { crl: ['http://crl.test/a.crl', 'http://crl.test/b.crl'] });
    const clean = await crlOf([]);
    const listed = await crlOf([{ cert: leaf, reason: 1 }]);
    const both = (a: Uint8Array | null, b: Uint8Array | null) =>
      routes({
        'http://crl.test/a.crl': () => (a ? ok(a) : { status: 404, body: new Uint8Array(0) }),
        'http://crl.test/b.crl': () => (b ? ok(b) : { status: 404, body: new Uint8Array(0) })
      });
    const check = async (f: RevocationFetcher) => (await createRevocationChecker({ fetcher: f, clock, cacheCrls: false })([leaf, pki.ca], {}))[0]!;
    expect(await check(both(clean, clean))).toMatchObject({ status: 'ok', method: 'crl' });
    expect((await check(both(clean, clean))).servers).toHaveLength(2);
    expect(await check(both(clean, listed))).toMatchObject({ status: 'revoked' });
    expect(await check(both(listed, null))).toMatchObject({ status: 'revoked' });
    const failed = both(null, clean);
    expect(await check(failed)).toMatchObject({ status: 'unknown', detail: 'CRL http://crl.test/a.crl: failed to download the CRL from http://crl.test/a.crl: HTTP status 404' });
    expect(failed.log).toHaveLength(1);
    expect(await check(both(clean, null))).toMatchObject({ status: 'unknown' });
  });

  it('non-revokable without AIA/CDP; a one-certificate chain is only its root; an empty chain is an input error', async () => {
    const bare = await leafWith(pki, {});
    const fetcher = routes({});
    const checker = createRevocationChecker({ fetcher, clock });
    expect((await checker([bare, pki.ca], {})).map((r) => r.status)).toEqual(['nonRevokable', 'nonRevokable']);
    const withUrls = await leafWith(pki, { ocsp: ['http://ocsp.test/'] });
    expect((await checker([withUrls], {})).map((r) => r.status)).toEqual(['nonRevokable']);
    expect(fetcher.log).toHaveLength(0);
    await expect(checker([], {})).rejects.toSatisfy((e: unknown) => isSignetError(e, 'ERR_INPUT_INVALID'));
    // Out of order (the next certificate is not the issuer): unknown without asking anyone.
    expect(await checker([withUrls, bare, pki.ca], {})).toMatchObject([
      { status: 'unknown', detail: expect.stringMatching(/is not this certificate's issuer/) },
      { status: 'nonRevokable' },
      { status: 'nonRevokable' }
    ]);
    expect(fetcher.log).toHaveLength(0);
  });

  it('checks intermediates too; the verdict names the problem nearest the leaf, revoked over unknown', async () => {
    const three = await createTestChain({ keySpec: 'EC-256', intermediates: 1 });
    const root = await parseCertificate(three.root.der);
    const interTest = three.intermediates[0]!;
    const inter = await parseCertificate(
      (await issueCertificate('ca', { subject: 'CN=Test Intermediate 1, O=Notary, L=Seattle, ST=WA, C=US', keySpec: 'EC-256', keySlot: 2, extraExtensions: [new x509.CRLDistributionPointsExtension(['http://root-crl.test/root.crl'])] }, three.root)).der
    );
    const leaf = await parseCertificate(
      (await issueCertificate('leaf', { keySpec: 'EC-256', extraExtensions: [new x509.AuthorityInfoAccessExtension({ ocsp: ['http://inter-ocsp.test/'] })] }, interTest)).der
    );
    const rootCrl = await buildCrl({ issuer: root, key: three.root.key, thisUpdate, nextUpdate, number: 5n, entries: [{ serial: serialOf(inter), date: thisUpdate, reason: 2 }] });
    const fetcher = routes({ 'http://root-crl.test/': () => ok(rootCrl), 'http://inter-ocsp.test/': () => ({ status: 500, body: new Uint8Array(0) }) });
    const results = await createRevocationChecker({ fetcher, clock })([leaf, inter, root], {});
    expect(results.map((r) => r.status)).toEqual(['unknown', 'revoked', 'nonRevokable']);
    expect(revocationVerdict([leaf, inter, root], results)).toEqual({ status: 'revoked', subject: inter.subject });
  });

  it('follows the Freshest CRL to a delta; a certificate that asks for a delta gets unknown without one', async () => {
    const leaf = await leafWith(pki, { crl: ['http://crl.test/base.crl'], freshest: ['http://crl.test/delta.crl'] });
    const base = await crlOf([], { number: 10n, freshest: ['http://crl.test/delta.crl'] });
    const delta = await crlOf([{ cert: leaf, reason: 1 }], { number: 11n, deltaBase: 10n });
    const fetcher = routes({ 'http://crl.test/base.crl': () => ok(base), 'http://crl.test/delta.crl': () => ok(delta) });
    const [r] = await createRevocationChecker({ fetcher, clock })([leaf, pki.ca], {});
    expect(r).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/\(number 10, delta 11\): revoked/) });
    const plain = await crlOf([], { number: 10n });
    const [noDelta] = await createRevocationChecker({ fetcher: routes({ 'http://crl.test/base.crl': () => ok(plain) }), clock })([leaf, pki.ca], {});
    expect(noDelta).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/names no delta CRL/) });
    const [deltaDown] = await createRevocationChecker({ fetcher: routes({ 'http://crl.test/base.crl': () => ok(base) }), clock })([leaf, pki.ca], {});
    expect(deltaDown).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/no delta CRL could be downloaded/) });
  });

  it('checks a delegated responder without id-pkix-ocsp-nocheck against its CRL', async () => {
    const extra = [new x509.CRLDistributionPointsExtension(['http://crl.test/ca.crl'])];
    const rTest = await issueCertificate(
      'leaf',
      { subject: 'CN=Checked Responder, O=Notary, L=Seattle, ST=WA, C=US', keySpec: 'EC-256', keySlot: 8, extendedKeyUsage: { oids: [OIDS.ocspSigning] }, extraExtensions: extra },
      pki.root
    );
    const rCert = await parseCertificate(rTest.der);
    const leaf = await leafWith(pki, { ocsp: ['http://ocsp.test/'], slot: 3 });
    const good = await buildOcspResponse({
      signer: { cert: rCert, key: rTest.key },
      certs: [rTest.der],
      producedAt: thisUpdate,
      responses: [{ serial: serialOf(leaf), issuer: pki.ca, status: 'good', thisUpdate, nextUpdate }]
    });
    const clean = await crlOf([]);
    const revokedResponder = await crlOf([{ cert: rCert, reason: 1 }]);
    const run = async (crl: Uint8Array | null) =>
      (await createRevocationChecker({ fetcher: routes({ 'http://ocsp.test/': () => ok(good), ...(crl ? { 'http://crl.test/': () => ok(crl) } : {}) }), clock })([leaf, pki.ca], {}))[0]!;
    expect((await run(clean)).status).toBe('ok');
    expect(await run(revokedResponder)).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/delegated responder "CN=Checked Responder.*could not be shown to be unrevoked/) });
    expect((await run(null)).status).toBe('unknown');
  });

  it('refuses oversized OCSP answers and tolerates fetchers that throw or return junk', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://big.test/', 'http://throw.test/', 'http://junk.test/'] });
    const fetcher = routes({
      'http://big.test/': () => ok(new Uint8Array(20481)),
      'http://throw.test/': () => {
        throw new TypeError('Failed to fetch');
      },
      'http://junk.test/': () => ({ status: 200 }) as unknown as RevocationFetchResponse
    });
    const [r] = await createRevocationChecker({ fetcher, clock })([leaf, pki.ca], {});
    expect(r!.status).toBe('unknown');
    expect(r!.servers!.map((s) => s.detail)).toEqual([
      expect.stringMatching(/^OCSP http:\/\/big\.test\/: OCSP response is malformed: it is 20481 bytes; at most 20480 are read/),
      expect.stringMatching(/^OCSP http:\/\/throw\.test\/: request to \S+ failed: Failed to fetch$/),
      expect.stringMatching(/^OCSP http:\/\/junk\.test\/: the revocation fetcher returned no usable response/)
    ]);
  });

  it('passes the authentic signing time: a revocation with a later invalidity date is ok', async () => {
    const leaf = await leafWith(pki, { ocsp: ['http://ocsp.test/'] });
    const body = await buildOcspResponse({
      signer: { cert: pki.ca, key: pki.root.key },
      producedAt: thisUpdate,
      responses: [
        {
          serial: serialOf(leaf),
          issuer: pki.ca,
          status: { revokedAt: thisUpdate, reason: 1 },
          thisUpdate,
          nextUpdate,
          extensions: [{ oid: '2.5.29.24', value: (await import('../../../helpers/revocation-builder')).generalizedTime(new Date('2026-02-01T00:00:00Z')) }]
        }
      ]
    });
    const checker = createRevocationChecker({ fetcher: routes({ 'http://ocsp.test/': () => ok(body) }), clock });
    expect((await checker([leaf, pki.ca], { authenticSigningTime: new Date('2026-01-15T00:00:00Z') }))[0]).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/invalidity date 2026-02-01T00:00:00.000Z is after the authentic signing time/)
    });
    expect((await checker([leaf, pki.ca], { authenticSigningTime: new Date('2026-02-15T00:00:00Z') }))[0]!.status).toBe('revoked');
    expect((await checker([leaf, pki.ca], {}))[0]!.status).toBe('revoked');
  });

  it('downloads a CRL once per checker while it is current (concurrent checks share the download)', async () => {
    const leaf = await leafWith(pki, { crl: ['http://crl.test/ca.crl'] });
    const crl = await crlOf([]);
    const fetcher = routes({ 'http://crl.test/': () => ok(crl) });
    const checker = createRevocationChecker({ fetcher, clock });
    await Promise.all([checker([leaf, pki.ca], {}), checker([leaf, pki.ca], {})]);
    await checker([leaf, pki.ca], {});
    expect(fetcher.log).toHaveLength(1);
    // Past its nextUpdate it is fetched again (and then refused as expired).
    const later = new Date(nextUpdate.getTime() + 1000);
    const stale = createRevocationChecker({ fetcher, clock: () => later });
    expect((await stale([leaf, pki.ca], {}))[0]).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/expired base CRL/) });
  });
});
