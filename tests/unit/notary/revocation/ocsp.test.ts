// OCSP request encoding and response verification against OpenSSL-made fixtures
// (tests/fixtures/revocation, README there) and builder-made responses for shapes OpenSSL won't make.
import { describe, expect, it } from 'vitest';
import { base64Encode, toHex } from '../../../../src/lib/bytes';
import { isSignetError } from '../../../../src/lib/errors';
import {
  OCSP_MAX_RESPONSE_BYTES,
  createOcspRequest,
  ocspHttpRequest,
  parseOcspResponse,
  verifyOcspResponse
} from '../../../../src/lib/notary/revocation/ocsp';
import type { Certificate } from '../../../../src/lib/notary/x509/certificate';
import { certs, der, fixtureNow, generated, info } from './fixtures';

async function verdictOf(file: string, cert: Certificate, issuer = certs.ca, now = fixtureNow, authenticSigningTime?: Date) {
  return verifyOcspResponse(parseOcspResponse(await der(file)), cert, issuer, { now, ...(authenticSigningTime ? { authenticSigningTime } : {}) });
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a SignetError');
}

describe('createOcspRequest', () => {
  it('is byte for byte what `openssl ocsp -no_nonce -reqout` writes (EC and RSA issuers)', async () => {
    expect(toHex(await createOcspRequest(certs.leafGood, certs.ca))).toBe(toHex(await der('ocsp-req-good.der')));
    expect(toHex(await createOcspRequest(certs.leafRevoked, certs.ca))).toBe(toHex(await der('ocsp-req-revoked.der')));
    expect(toHex(await createOcspRequest(certs.leafUnknown, certs.ca))).toBe(toHex(await der('ocsp-req-unknown.der')));
    expect(toHex(await createOcspRequest(certs.rsaLeaf, certs.rsaCa))).toBe(toHex(await der('ocsp-req-rsa.der')));
  });
});

describe('ocspHttpRequest (notation: GET below 255 base64 characters, else POST)', () => {
  it('GETs <responder path>/<QueryEscape(base64)> for a short request', async () => {
    const req = await der('ocsp-req-good.der');
    const b64 = base64Encode(req);
    const escaped = b64.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D');
    expect(ocspHttpRequest('http://127.0.0.1:9/ocsp', req)).toEqual({ method: 'GET', url: `http://127.0.0.1:9/ocsp/${escaped}` });
    expect(ocspHttpRequest('http://127.0.0.1:9/ocsp/', req)).toEqual({ method: 'GET', url: `http://127.0.0.1:9/ocsp/${escaped}` });
    expect(ocspHttpRequest('http://ocsp.example', req)).toEqual({ method: 'GET', url: `http://ocsp.example/${escaped}` });
    expect(ocspHttpRequest('HTTP://ocsp.example/a?x=1', req)).toEqual({ method: 'GET', url: `http://ocsp.example/a/${escaped}?x=1` });
  });

  it('POSTs application/ocsp-request when the base64 (or its escaped form) reaches 255 characters', () => {
    // 189 bytes → 252 base64 characters (GET); 190 → 256 (POST).
    expect(ocspHttpRequest('http://r/', new Uint8Array(189).fill(0x41)).method).toBe('GET');
    const long = new Uint8Array(190).fill(0x41);
    expect(ocspHttpRequest('http://r/', long)).toEqual({ method: 'POST', url: 'http://r/', body: long, contentType: 'application/ocsp-request' });
    // 0xfb bytes encode as "+/…": 150 bytes → 200 base64 characters, 400+ once escaped → POST.
    expect(base64Encode(new Uint8Array(150).fill(0xfb)).length).toBe(200);
    expect(ocspHttpRequest('http://r/', new Uint8Array(150).fill(0xfb)).method).toBe('POST');
  });

  it('refuses non-http responder URLs with ERR_REVOCATION_FETCH, as notation does', () => {
    for (const url of ['https://ocsp.example/', 'ldap://x/', 'not a url']) {
      try {
        ocspHttpRequest(url, new Uint8Array([0x30, 0x00]));
        expect.unreachable();
      } catch (e) {
        expect(isSignetError(e, 'ERR_REVOCATION_FETCH'), url).toBe(true);
      }
    }
  });
});

describe('verifyOcspResponse on OpenSSL responses', () => {
  it('good, signed by a delegated responder (by name, certificate included)', async () => {
    const v = await verdictOf('ocsp-good.der', certs.leafGood);
    expect(v.status).toBe('good');
    expect(v.certStatus).toBe('good');
    expect(v.responder?.subject).toBe(certs.responder.subject);
    expect(v.responderNoCheck).toBe(false);
    expect(v.nextUpdate.getTime() - v.thisUpdate.getTime()).toBe(info.ocspNextUpdateDays * 86_400_000);
    expect(Math.abs(v.producedAt.getTime() - generated.getTime())).toBeLessThan(120_000);
  });

  it('good via responder key ID, via the CA itself, with a noCheck responder, with SHA-1, and from an RSA CA', async () => {
    expect((await verdictOf('ocsp-good-keyid.der', certs.leafGood)).status).toBe('good');
    const byCa = await verdictOf('ocsp-good-by-ca.der', certs.leafGood);
    expect(byCa.status).toBe('good');
    expect(byCa.responder).toBeUndefined();
    const noCheck = await verdictOf('ocsp-good-nocheck.der', certs.leafGood);
    expect(noCheck.responderNoCheck).toBe(true);
    expect((await verdictOf('ocsp-good-sha1.der', certs.leafGood)).status).toBe('good');
    expect((await verdictOf('ocsp-rsa-good.der', certs.rsaLeaf, certs.rsaCa)).status).toBe('good');
  });

  it('revoked (keyCompromise with an invalidity date), and the signing-authority invalidity-date rule', async () => {
    const v = await verdictOf('ocsp-revoked.der', certs.leafRevoked);
    expect(v).toMatchObject({ status: 'revoked', certStatus: 'revoked', revocationReason: 1 });
    expect(v.invalidityDate?.toISOString()).toBe(new Date(info.revokedInvalidityDate).toISOString());
    // Signed before the key was compromised: not revoked for that signature.
    expect((await verdictOf('ocsp-revoked.der', certs.leafRevoked, certs.ca, fixtureNow, new Date('2024-01-01T00:00:00Z'))).status).toBe('good');
    // Signed after it (or exactly at it): revoked.
    expect((await verdictOf('ocsp-revoked.der', certs.leafRevoked, certs.ca, fixtureNow, new Date('2024-07-01T00:00:00Z'))).status).toBe('revoked');
    expect((await verdictOf('ocsp-revoked.der', certs.leafRevoked, certs.ca, fixtureNow, new Date(info.revokedInvalidityDate))).status).toBe('revoked');
  });

  it('certificateHold is revoked for OCSP; a serial the CA does not know is unknown', async () => {
    expect(await verdictOf('ocsp-hold.der', certs.leafHold)).toMatchObject({ status: 'revoked', revocationReason: 6 });
    expect((await verdictOf('ocsp-unknown.der', certs.leafUnknown)).status).toBe('unknown');
  });

  it('rejects a delegated response whose responder certificate is missing, not for OCSP signing, or from another CA', async () => {
    expect(await rejection(verdictOf('ocsp-good-nocerts.der', certs.leafGood))).toMatchObject({
      code: 'ERR_OCSP_RESPONSE_REJECTED',
      message: expect.stringMatching(/neither the issuing CA nor a certificate included/)
    });
    expect(await rejection(verdictOf('ocsp-good-noeku.der', certs.leafGood))).toMatchObject({
      code: 'ERR_OCSP_RESPONSE_REJECTED',
      message: expect.stringMatching(/not authorized for OCSP signing/)
    });
    expect(await rejection(verdictOf('ocsp-good-wrong-signer.der', certs.leafGood))).toMatchObject({
      code: 'ERR_OCSP_RESPONSE_REJECTED',
      message: expect.stringMatching(/not issued by the certificate's issuer/)
    });
  });

  it('rejects a response without nextUpdate and one past its nextUpdate', async () => {
    expect((await rejection(verdictOf('ocsp-good-no-next-update.der', certs.leafGood))).message).toMatch(/no nextUpdate/);
    expect((await verdictOf('ocsp-good-30min.der', certs.leafGood)).status).toBe('good');
    const later = new Date(generated.getTime() + 31 * 60_000);
    expect((await rejection(verdictOf('ocsp-good-30min.der', certs.leafGood, certs.ca, later))).message).toMatch(/^expired OCSP response/);
  });

  it('rejects a response about another certificate or from another issuer, and a responder not valid now', async () => {
    expect((await rejection(verdictOf('ocsp-good.der', certs.leafRevoked))).message).toMatch(/no status for certificate serial/);
    expect((await rejection(verdictOf('ocsp-good.der', certs.leafGood, certs.otherCa))).message).toMatch(/different issuer/);
    const before = new Date(certs.responder.notBefore.getTime() - 1000);
    expect((await rejection(verdictOf('ocsp-good.der', certs.leafGood, certs.ca, before))).message).toMatch(/not valid now/);
  });

  it('rejects a response whose signature does not verify', async () => {
    const bytes = (await der('ocsp-good-by-ca.der')).slice();
    // The last bytes are the ECDSA signature's s value.
    bytes[bytes.length - 3]! ^= 0x01;
    expect(await rejection(verifyOcspResponse(parseOcspResponse(bytes), certs.leafGood, certs.ca, { now: fixtureNow }))).toMatchObject({
      code: 'ERR_OCSP_RESPONSE_REJECTED',
      message: expect.stringMatching(/signature does not verify with the issuing CA/)
    });
  });
});

describe('parseOcspResponse', () => {
  it('reports error statuses as ERR_OCSP_RESPONSE_REJECTED with the status name', async () => {
    const names = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized', 4: 'status 4' } as const;
    for (const [status, name] of Object.entries(names)) {
      const e = await rejection(Promise.resolve().then(() => parseOcspResponse(new Uint8Array([0x30, 0x03, 0x0a, 0x01, Number(status)]))));
      expect(e).toEqual({ code: 'ERR_OCSP_RESPONSE_REJECTED', message: `OCSP responder answered "${name}" instead of a response` });
    }
  });

  it('refuses structures under the wrong tag (found by the fuzzer: a BasicOCSPResponse tagged [PRIVATE 1])', async () => {
    const good = await der('ocsp-good.der');
    // id-pkix-ocsp-basic, then the OCTET STRING header (04 82 LL LL), then the BasicOCSPResponse.
    const oid = toHex(good).indexOf('06092b0601050507300101') / 2;
    expect(oid).toBeGreaterThan(0);
    const at = oid + 11 + 4;
    expect(good[at]).toBe(0x30);
    const bad = good.map((b, i) => (i === at ? 0xe1 : b));
    expect(await rejection(Promise.resolve().then(() => parseOcspResponse(bad)))).toEqual({
      code: 'ERR_OCSP_RESPONSE_INVALID',
      message: 'OCSP response is malformed: BasicOCSPResponse: expected a SEQUENCE'
    });
  });

  it('refuses empty, oversized, truncated and trailing-data input with ERR_OCSP_RESPONSE_INVALID', async () => {
    const good = await der('ocsp-good.der');
    const cases = [new Uint8Array(0), new Uint8Array(OCSP_MAX_RESPONSE_BYTES + 1), good.subarray(0, good.length - 1), new Uint8Array([...good, 0])];
    for (const c of cases) {
      expect((await rejection(Promise.resolve().then(() => parseOcspResponse(c)))).code).toBe('ERR_OCSP_RESPONSE_INVALID');
    }
  });
});

describe('verifyOcspResponse on builder-made responses', async () => {
  const { buildOcspResponse, certId } = await import('../../../helpers/revocation-builder');
  const { createTestChain, issueCertificate, OIDS } = await import('../../../helpers/test-pki');
  const { parseCertificate } = await import('../../../../src/lib/notary/x509/certificate');
  const { serialOf } = await import('../../../../src/lib/notary/revocation/ocsp');
  const pki = await createTestChain({ keySpec: 'EC-256' });
  const ca = await parseCertificate(pki.root.der);
  const leaf = await parseCertificate(pki.leaf.der);
  const rTest = await issueCertificate('leaf', { subject: 'CN=R, O=Notary, L=Seattle, ST=WA, C=US', keySpec: 'EC-256', keySlot: 9, extendedKeyUsage: { oids: [OIDS.ocspSigning] } }, pki.root);
  const responder = await parseCertificate(rTest.der);
  const t0 = new Date('2026-03-01T00:00:00Z');
  const t1 = new Date('2026-03-08T00:00:00Z');
  const now = new Date('2026-03-02T00:00:00Z');
  const single = { serial: serialOf(leaf), issuer: ca, status: 'good' as const, thisUpdate: t0, nextUpdate: t1 };
  const byCa = { signer: { cert: ca, key: pki.root.key }, producedAt: t0 };
  const verify = async (bytes: Uint8Array, authenticSigningTime?: Date) =>
    verifyOcspResponse(parseOcspResponse(bytes), leaf, ca, { now, ...(authenticSigningTime ? { authenticSigningTime } : {}) });

  it('finds this certificate among several responses and accepts SHA-256/384/512 CertIDs', async () => {
    const other = { ...single, serial: single.serial + 1n, status: { revokedAt: t0 } };
    expect((await verify(await buildOcspResponse({ ...byCa, responses: [other, single] }))).status).toBe('good');
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      expect((await verify(await buildOcspResponse({ ...byCa, responses: [{ ...single, hash }] }))).status, hash).toBe('good');
    }
    const md5 = await buildOcspResponse({ ...byCa, responses: [{ ...single, nameHash: new Uint8Array(16) }] });
    expect((await rejection(verify(md5))).message).toMatch(/different issuer/);
    const expected = await certId({ serial: single.serial, issuer: ca });
    expect(toHex(expected)).toBe(toHex((await createOcspRequest(leaf, ca)).subarray(8)));
  });

  it('refuses an unknown critical single extension but ignores non-critical ones and response extensions', async () => {
    const crit = await buildOcspResponse({ ...byCa, responses: [{ ...single, extensions: [{ oid: '1.2.3.4', critical: true, value: new Uint8Array([5, 0]) }] }] });
    expect((await rejection(verify(crit))).message).toBe('OCSP response has an unsupported critical extension 1.2.3.4');
    const fine = await buildOcspResponse({
      ...byCa,
      responses: [{ ...single, extensions: [{ oid: '1.2.3.4', value: new Uint8Array([5, 0]) }] }],
      responseExtensions: [{ oid: '1.3.6.1.5.5.7.48.1.2', critical: true, value: new Uint8Array([4, 1, 9]) }]
    });
    expect((await verify(fine)).status).toBe('good');
  });

  it('accepts a delegated responder named by key hash; refuses one signed by the wrong key', async () => {
    const delegated = { signer: { cert: responder, key: rTest.key }, certs: [pki.leaf.der, rTest.der], producedAt: t0 };
    const v = await verify(await buildOcspResponse({ ...delegated, responderId: 'key', responses: [single] }));
    expect(v.responder?.subject).toBe(responder.subject);
    // Names the responder but is signed with the leaf's key.
    const forged = await buildOcspResponse({ ...delegated, signer: { cert: responder, key: pki.leaf.key }, responses: [single] });
    expect((await rejection(verify(forged))).message).toMatch(/signature does not verify with the delegated responder/);
    // A signature made before the data changed.
    // producedAt moved by a day after signing: still well-formed, no longer what was signed.
    const moveProducedAt = (tbs: Uint8Array) => {
      const text = new TextDecoder('latin1').decode(tbs);
      const at = text.indexOf('20260301000000Z');
      return tbs.map((b, i) => (i === at + 7 ? 0x32 : b));
    };
    const tampered = await buildOcspResponse({ ...byCa, responses: [single], afterSigning: moveProducedAt });
    expect(parseOcspResponse(tampered).producedAt.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect((await rejection(verify(tampered))).message).toMatch(/signature does not verify with the issuing CA/);
  });

  it('refuses RSASSA-PSS and other algorithms x/crypto/ocsp does not know, as notation does', async () => {
    // The parsed response with its algorithm replaced: the signature is never even tried.
    const parsed = parseOcspResponse(await buildOcspResponse({ ...byCa, responses: [single] }));
    const pss = { ...parsed, signed: { ...parsed.signed, algorithm: { oid: '1.2.840.113549.1.1.10', raw: new Uint8Array(0) } } };
    expect((await rejection(verifyOcspResponse(pss, leaf, ca, { now }))).message).toMatch(/unsupported OCSP signature algorithm RSASSA-PSS/);
  });

  it('treats a revoked status with a later invalidity date as good only under an authentic signing time', async () => {
    const { invalidityDateExtension } = await import('../../../helpers/revocation-builder');
    const revoked = await buildOcspResponse({
      ...byCa,
      responses: [{ ...single, status: { revokedAt: t0, reason: 1 }, extensions: [invalidityDateExtension(new Date('2026-02-01T00:00:00Z'))] }]
    });
    expect((await verify(revoked)).status).toBe('revoked');
    expect((await verify(revoked, new Date('2026-01-01T00:00:00Z'))).status).toBe('good');
    expect((await verify(revoked, new Date('2026-02-02T00:00:00Z'))).status).toBe('revoked');
  });
});
