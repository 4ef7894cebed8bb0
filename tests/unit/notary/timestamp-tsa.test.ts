// The signing side (TimeStampReq → TSA → TimeStampResp → token) and every verification rule,
// against a test TSA built in the test with pkijs and WebCrypto (timestamp-test-tsa.ts). The
// TSA reads Signet's request with pkijs, so the request encoding is checked independently.
import { describe, expect, it } from 'vitest';
import { toArrayBuffer, toHex, utf8Encode } from '../../../src/lib/bytes';
import { algorithmByKeySpec } from '../../../src/lib/notary/algorithms';
import {
  TimestampError,
  buildTimestampRequest,
  describeTimestamp,
  notationTimestampMessage,
  parseTimestampResponse,
  parseTimestampToken,
  requestTimestamp,
  timestampRange,
  verifyTimestampToken,
  type Timestamper
} from '../../../src/lib/notary/timestamp';
import { parseCertificate, type Certificate } from '../../../src/lib/notary/x509/certificate';
import { OIDS, VALID_FROM, VALID_TO, certDer, createPki, createToken, issueCertificate, keyPair, parseRequest, respond, type PkiOptions, type TestPki, type TokenOptions } from './timestamp-test-tsa';

const SIGNATURE = utf8Encode('primitive signature bytes of an envelope');
const NOW = new Date('2025-03-04T05:06:07Z');
const PS256 = algorithmByKeySpec('RSA-2048');

const pki = await createPki();
const root = await parseCertificate(certDer(pki.root));
const otherPki = await createPki({ keyIndex: 1 });
const otherRoot = await parseCertificate(certDer(otherPki.root));
const strangerKey = await keyPair('P-256', 9);

async function sha(hash: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(bytes)));
}

/** A token over SIGNATURE (SHA-256 imprint) from `p`, with deviations. */
async function token(o: TokenOptions = {}, p: TestPki = pki): Promise<Uint8Array> {
  return createToken(p, { hashOid: OIDS.sha256, hashedMessage: await sha('SHA-256', SIGNATURE), nonce: 7n }, o);
}

async function failure(run: () => Promise<unknown>): Promise<TimestampError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof TimestampError) return e;
    throw e;
  }
  throw new Error('expected a TimestampError');
}

async function verifyFailure(bytes: Uint8Array, roots: Certificate[] = [root], signature = SIGNATURE): Promise<{ stage: string; message: string }> {
  const e = await failure(async () => verifyTimestampToken(await parseTimestampToken(bytes), { tsaRoots: roots, signatureBytes: signature }));
  expect(e.code).toBe('ERR_TIMESTAMP_INVALID');
  return { stage: e.stage, message: notationTimestampMessage(e) };
}

const VERIFY = 'failed to verify the timestamp countersignature with error: failed to verify signed token: ';
const CMS = `${VERIFY}cms verification failure: `;
const CHAIN = 'failed to validate the timestamping certificate chain with error: ';

describe('buildTimestampRequest', () => {
  it.each([
    ['RSA-2048', 'SHA-256', OIDS.sha256],
    ['RSA-3072', 'SHA-384', OIDS.sha384],
    ['RSA-4096', 'SHA-512', OIDS.sha512],
    ['EC-256', 'SHA-256', OIDS.sha256],
    ['EC-384', 'SHA-384', OIDS.sha384],
    ['EC-521', 'SHA-512', OIDS.sha512]
  ] as const)('%s: version 1, %s imprint with NULL parameters, nonce, certReq, no policy', async (keySpec, hash, oid) => {
    const request = await buildTimestampRequest(SIGNATURE, algorithmByKeySpec(keySpec));
    const seen = parseRequest(request.der);
    expect(seen).toEqual({
      version: 1,
      hashOid: oid,
      hashParams: 'NULL',
      hashedMessage: await sha(hash, SIGNATURE),
      nonce: request.nonce,
      certReq: true,
      hasExtensions: false
    });
    expect(request.nonce).toBeGreaterThanOrEqual(0n);
    expect(request.nonce).toBeLessThan(1n << 159n);
  });

  it('draws a fresh random nonce below 2^159 each time', async () => {
    const nonces = new Set<bigint>();
    for (let i = 0; i < 32; i++) nonces.add((await buildTimestampRequest(SIGNATURE, PS256)).nonce);
    expect(nonces.size).toBe(32);
    for (const n of nonces) expect(n < 1n << 159n).toBe(true);
    // 32 uniform 159-bit values: the largest is almost surely above 2^150 (a too-short nonce would not be).
    expect([...nonces].some((n) => n > 1n << 150n)).toBe(true);
  });

  it('accepts a fixed nonce (including 0 and 2^159−1) and encodes it exactly', async () => {
    for (const nonce of [0n, 1n, 255n, 256n, (1n << 159n) - 1n]) {
      const request = await buildTimestampRequest(SIGNATURE, PS256, nonce);
      expect(parseRequest(request.der).nonce).toBe(nonce);
    }
  });

  it('refuses empty content and out-of-range nonces', async () => {
    for (const [run, text] of [
      [() => buildTimestampRequest(new Uint8Array(0), PS256), 'content to be time stamped cannot be empty'],
      [() => buildTimestampRequest(SIGNATURE, PS256, -1n), 'nonce'],
      [() => buildTimestampRequest(SIGNATURE, PS256, 1n << 159n), 'nonce']
    ] as const) {
      const e = await failure(run);
      expect(e.stage).toBe('request');
      expect(e.message).toContain(text);
    }
  });
});

describe('parseTimestampResponse and requestTimestamp against the test TSA', () => {
  const tsaPort =
    (o: Parameters<typeof respond>[2] = {}, p: TestPki = pki): Timestamper =>
    (request) =>
      respond(p, request, o);

  it('granted: returns the token as sent, which parses and verifies against the TSA root', async () => {
    const request = await buildTimestampRequest(SIGNATURE, PS256);
    const response = await respond(pki, request.der);
    const checked = await parseTimestampResponse(response, request);
    // The token is the last element of the TimeStampResp, byte for byte.
    expect(toHex(response)).toContain(toHex(checked.token));
    expect(checked.parsed.tstInfo.nonce).toBe(request.nonce);
    const verified = await verifyTimestampToken(checked.token, { tsaRoots: [root], signatureBytes: SIGNATURE });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual(['CN=Test TSA,O=Signet Test TSA', 'CN=Test TSA CA,O=Signet Test TSA', 'CN=Test TSA Root,O=Signet Test TSA']);
    expect([verified.range.earliest.toISOString(), verified.range.latest.toISOString()]).toEqual(['2024-06-18T06:27:15.000Z', '2024-06-18T06:27:17.000Z']);
  });

  it('grantedWithMods (status 1) is accepted like granted', async () => {
    const request = await buildTimestampRequest(SIGNATURE, PS256);
    const checked = await parseTimestampResponse(await respond(pki, request.der, { status: 1 }), request);
    expect(checked.parsed.tstInfo.version).toBe(1);
  });

  it('requestTimestamp: whole exchange through the port, token verified at "now" before it is returned', async () => {
    let seen: Uint8Array | undefined;
    const port: Timestamper = async (request) => {
      seen = request;
      return respond(pki, request);
    };
    const tokenBytes = await requestTimestamp(SIGNATURE, algorithmByKeySpec('EC-384'), port, { tsaRoots: [root], now: NOW });
    expect(parseRequest(seen!).hashOid).toBe(OIDS.sha384);
    const parsed = await parseTimestampToken(tokenBytes);
    expect(toHex(parsed.tstInfo.messageImprint.hashedMessage)).toBe(toHex(await sha('SHA-384', SIGNATURE)));
    expect(await describeTimestamp(tokenBytes, SIGNATURE)).toMatchObject({ timestamp: '[2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]' });
  });

  it('rejected status with failure info and TSA text: ERR_TIMESTAMP_REJECTED naming both', async () => {
    const request = await buildTimestampRequest(SIGNATURE, PS256);
    const body = await respond(pki, request.der, { status: 2, failInfo: [0], statusString: 'unsupported hash' });
    const err = await failure(() => parseTimestampResponse(body, request));
    expect(err.code).toBe('ERR_TIMESTAMP_REJECTED');
    expect(err.stage).toBe('response');
    expect(err.message).toBe(
      'invalid timestamping response: invalid response with status code 2: rejected. Failure info: unrecognized or unsupported Algorithm Identifier (TSA says: "unsupported hash")'
    );
  });

  it.each([
    [3, 'invalid timestamping response: invalid response with status code 3: the request body part has not yet been processed, expect to hear more later'],
    [5, 'invalid timestamping response: invalid response with status code 5: a revocation has occurred'],
    [9, 'invalid timestamping response: invalid response with status code 9: unknown PKIStatus 9']
  ])('status %i is refused', async (status, message) => {
    const request = await buildTimestampRequest(SIGNATURE, PS256);
    const err = await failure(async () => parseTimestampResponse(await respond(pki, request.der, { status }), request));
    expect({ code: err.code, message: err.message }).toEqual({ code: 'ERR_TIMESTAMP_REJECTED', message });
  });

  it.each<[string, Parameters<typeof respond>[2], string]>([
    ['nonce mismatch', { nonce: 12345n }, 'invalid timestamping response: nonce in response 12345 does not match nonce in request '],
    ['nonce missing', { nonce: null }, 'invalid timestamping response: nonce in response <nil> does not match nonce in request '],
    ['imprint digest', { hashedMessage: new Uint8Array(32).fill(7) }, 'invalid timestamping response: message imprint in response {hash algorithm 2.16.840.1.101.3.4.2.1 with NULL parameters, digest 0707'],
    ['imprint algorithm', { hashOid: OIDS.sha512 }, 'invalid timestamping response: message imprint in response {hash algorithm 2.16.840.1.101.3.4.2.3'],
    ['imprint parameters omitted', { hashParams: 'absent' }, 'invalid timestamping response: message imprint in response {hash algorithm 2.16.840.1.101.3.4.2.1 with no parameters'],
    ['TSTInfo version 2', { tstVersion: 2 }, 'invalid timestamping response: timestamp token info version must be 1, but got 2'],
    ['genTime not in UTC', { genTime: '20240618082716+0200' }, 'invalid timestamping response: TSTInfo genTime must be in UTC'],
    ['no certificates although certReq', { certificates: 'none' }, 'invalid timestamping response: certReq is True in request, but did not find any TSA signing certificate in the response'],
    ['signing-certificate-v1 only', { essCertId: 'v1' }, 'invalid timestamping response: certReq is True in request, but did not find any TSA signing certificate in the response'],
    ['granted without a token', { omitToken: true }, 'invalid timestamping response: the TSA granted the request but sent no timeStampToken'],
    ['token with the wrong content type', { eContentType: OIDS.data }, 'invalid timestamping response: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo']
  ])('%s is refused', async (_name, options, message) => {
    const request = await buildTimestampRequest(SIGNATURE, PS256, 424242n);
    const err = await failure(async () => parseTimestampResponse(await respond(pki, request.der, options), request));
    expect(err.code).toBe('ERR_TIMESTAMP_INVALID');
    expect(err.stage).toBe('response');
    expect(err.message.startsWith(message)).toBe(true);
    if (_name.startsWith('nonce')) expect(err.message.endsWith('424242')).toBe(true);
  });

  it('bodies that are not a TimeStampResp are refused with a clear message', async () => {
    const request = await buildTimestampRequest(SIGNATURE, PS256);
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'invalid timestamping response: the TSA returned an empty body'],
      [utf8Encode('<html>502 Bad Gateway</html>'), "invalid timestamping response: the TSA's reply is not a DER TimeStampResp: "],
      [new Uint8Array([0x30, 0x03, 0x02, 0x01]), "invalid timestamping response: the TSA's reply is not a DER TimeStampResp: "],
      [new Uint8Array([0x30, 0x00]), "invalid timestamping response: the TSA's reply is not a DER TimeStampResp: asn1: syntax error: sequence truncated"]
    ];
    for (const [body, message] of cases) {
      const err = await failure(() => parseTimestampResponse(body, request));
      expect(err.stage).toBe('response');
      expect(err.message.startsWith(message)).toBe(true);
    }
  });

  it('requestTimestamp aborts when the TSA cannot be reached, when its token does not verify, or when its chain is expired now', async () => {
    const unreachable = await failure(() =>
      requestTimestamp(SIGNATURE, PS256, async () => Promise.reject(new TypeError('Failed to fetch')), { tsaRoots: [root], now: NOW })
    );
    expect(unreachable.message).toBe('the timestamp authority could not be reached: Failed to fetch');

    const untrusted = await failure(() => requestTimestamp(SIGNATURE, PS256, tsaPort(), { tsaRoots: [otherRoot], now: NOW }));
    expect(untrusted.message).toBe(`the timestamp authority's token failed verification: ${CMS}x509: certificate signed by unknown authority`);

    const expired = await failure(() => requestTimestamp(SIGNATURE, PS256, tsaPort(), { tsaRoots: [root], now: new Date('2041-01-01T00:00:00Z') }));
    expect(expired.message).toBe(
      `the timestamp authority's token failed verification: ${CMS}x509: certificate has expired or is not yet valid: current time 2041-01-01T00:00:00Z is after 2040-01-01T00:00:00Z`
    );

    const nonceIgnored = await failure(() => requestTimestamp(SIGNATURE, PS256, tsaPort({ nonce: 1n }), { tsaRoots: [root], now: NOW }));
    expect(nonceIgnored.message).toMatch(/^invalid timestamping response: nonce in response 1 does not match nonce in request \d+$/);
  });
});

describe('verifyTimestampToken: CMS signer and signed attributes', () => {
  it('a token from the test TSA verifies; the chain runs TSA → CA → root', async () => {
    const verified = await verifyTimestampToken(await token(), { tsaRoots: [root], signatureBytes: SIGNATURE });
    expect(verified.signerCertificate.subject).toBe('CN=Test TSA,O=Signet Test TSA');
    expect(verified.tsaChain).toHaveLength(3);
  });

  it.each<[string, TokenOptions, { stage: string; message: string }]>([
    ['no signing-certificate attribute', { essCertId: 'none' }, { stage: 'verify', message: `${VERIFY}failed to get SigningCertificateV2 from signed attributes: attribute not found` }],
    [
      'only signing-certificate v1 (ESSCertID, SHA-1)',
      { essCertId: 'v1' },
      { stage: 'verify', message: `${VERIFY}failed to get SigningCertificateV2 from signed attributes: attribute not found` }
    ],
    ['certificate hash does not match', { essCertHash: new Uint8Array(32).fill(1) }, { stage: 'verify', message: `${VERIFY}signing certificate hash does not match CertHash in signed attribute` }],
    ['ESSCertIDv2 hashed with SHA-1', { essHashOid: OIDS.sha1 }, { stage: 'verify', message: `${VERIFY}unsupported certificate hash algorithm in SigningCertificateV2 attribute` }],
    ['issuerSerial names a certificate not in the token', { essSerial: 999 }, { stage: 'verify', message: `${VERIFY}signing certificate not found in the timestamp token` }],
    ['signing certificate left out of the token', { certificates: 'none' }, { stage: 'verify', message: `${VERIFY}signing certificate not found in the timestamp token` }],
    ['signature does not verify', { breakSignature: true }, { stage: 'verify', message: `${CMS}x509: ECDSA verification failure` }],
    ['signed by another key', { signWith: strangerKey }, { stage: 'verify', message: `${CMS}x509: ECDSA verification failure` }],
    ['message digest of another TSTInfo', { messageDigest: new Uint8Array(32) }, { stage: 'verify', message: `${CMS}mismatch message digest` }],
    [
      'content-type attribute says id-data',
      { contentTypeAttribute: OIDS.data },
      { stage: 'verify', message: `${CMS}mismatch content type: found "1.2.840.113549.1.7.1" in signer info, and "1.2.840.113549.1.9.16.1.4" in signed data` }
    ],
    ['no signed attributes at all', { noSignedAttributes: true }, { stage: 'verify', message: `${VERIFY}failed to get SigningCertificateV2 from signed attributes: attribute not found` }],
    [
      'signing-time attribute outside the TSA chain’s validity',
      { signingTime: new Date('2045-01-01T00:00:00Z') },
      { stage: 'verify', message: `${CMS}signing time, 2045-01-01 00:00:00 +0000 UTC, is outside certificate's validity period` }
    ],
    [
      'signed attributes signed in non-DER order (Go re-sorts them before verifying)',
      { unsortedAttributes: true },
      { stage: 'verify', message: `${CMS}x509: ECDSA verification failure` }
    ],
    ['TSTInfo version 2', { tstVersion: 2 }, { stage: 'validate', message: 'failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: timestamp token info version must be 1, but got 2' }],
    ['SHA-1 imprint', { hashOid: OIDS.sha1 }, { stage: 'validate', message: 'failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: unrecognized hash algorithm: 1.3.14.3.2.26' }],
    ['SignedData version 1', { signedDataVersion: 1 }, { stage: 'parse', message: 'failed to parse timestamp countersignature with error: cms: syntax error: unsupported signed data version: got 1, want 3' }]
  ])('%s', async (_name, options, expected) => {
    expect(await verifyFailure(await token(options))).toEqual(expected);
  });

  it('a signing-time attribute inside the validity is accepted, and so is an ESSCertIDv2 without issuerSerial or with SHA-384', async () => {
    for (const o of [{ signingTime: new Date('2024-06-18T06:27:16Z') }, { essIssuerSerial: false }, { essHashOid: OIDS.sha384 }, { essHashOid: OIDS.sha512, essIssuerSerial: false }]) {
      const verified = await verifyTimestampToken(await token(o), { tsaRoots: [root], signatureBytes: SIGNATURE });
      expect(verified.signerCertificate.subject).toBe('CN=Test TSA,O=Signet Test TSA');
    }
  });

  it('RSA PKCS#1 v1.5 and RSA-PSS TSAs, and a P-384 hierarchy', async () => {
    for (const options of [{ tsaKind: 'RSA-PKCS1' }, { tsaKind: 'RSA-PSS' }, { tsaKind: 'P-384', caKind: 'P-384' }] satisfies PkiOptions[]) {
      const p = await createPki({ ...options, keyIndex: 2 });
      const r = await parseCertificate(certDer(p.root));
      const verified = await verifyTimestampToken(await token({}, p), { tsaRoots: [r], signatureBytes: SIGNATURE });
      expect(verified.signerCertificate.publicKey.keyType).toBe(options.tsaKind.startsWith('RSA') ? 'RSA' : 'EC');
      const broken = await verifyFailure(await token({ breakSignature: true }, p), [r]);
      expect(broken.message).toBe(`${CMS}${options.tsaKind.startsWith('RSA') ? 'crypto/rsa: verification error' : 'x509: ECDSA verification failure'}`);
    }
  });
});

describe('verifyTimestampToken: TSA chain (built like Go, at genTime) and timestamping profile', () => {
  it('a wrong root is an unknown authority', async () => {
    expect(await verifyFailure(await token(), [otherRoot])).toEqual({ stage: 'verify', message: `${CMS}x509: certificate signed by unknown authority` });
  });

  it('the chain may end at a trusted root that is not in the token', async () => {
    const verified = await verifyTimestampToken(await token({ certificates: 'leaf-and-ca' }), { tsaRoots: [root], signatureBytes: SIGNATURE });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual(['CN=Test TSA,O=Signet Test TSA', 'CN=Test TSA CA,O=Signet Test TSA', 'CN=Test TSA Root,O=Signet Test TSA']);
    // Without the CA in the token nothing links the TSA to the root.
    expect(await verifyFailure(await token({ certificates: 'leaf' }))).toEqual({ stage: 'verify', message: `${CMS}x509: certificate signed by unknown authority` });
  });

  it('a trusted CA that is not self-signed yields a chain the profile rejects', async () => {
    const ca = await parseCertificate(certDer(pki.ca));
    expect(await verifyFailure(await token({ certificates: 'leaf' }), [ca])).toEqual({
      stage: 'chain',
      message: `${CHAIN}root certificate with subject "CN=Test TSA CA,O=Signet Test TSA" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: crypto/rsa: verification error`.replace(
        'crypto/rsa: verification error',
        'x509: ECDSA verification failure'
      )
    });
  });

  it('every certificate must be valid at genTime', async () => {
    expect(await verifyFailure(await token({ genTime: '20410101000000Z' }))).toEqual({
      stage: 'verify',
      message: `${CMS}x509: certificate has expired or is not yet valid: current time 2041-01-01T00:00:00Z is after 2040-01-01T00:00:00Z`
    });
    expect(await verifyFailure(await token({ genTime: '20191231235959.5Z' }))).toEqual({
      stage: 'verify',
      message: `${CMS}x509: certificate has expired or is not yet valid: current time 2019-12-31T23:59:59Z is before 2020-01-01T00:00:00Z`
    });
    // An intermediate that expired before genTime: Go reports the candidate's own validity error.
    const p = await createPki({ keyIndex: 3, ca: { notAfter: new Date('2024-01-01T00:00:00Z') } });
    const r = await parseCertificate(certDer(p.root));
    expect(await verifyFailure(await token({}, p), [r])).toEqual({
      stage: 'verify',
      message: `${CMS}x509: certificate has expired or is not yet valid: current time 2024-06-18T06:27:16Z is after 2024-01-01T00:00:00Z`
    });
  });

  // keyIndex 4 gives this hierarchy its own keys; its names end in " 4".
  it.each<[string, PkiOptions, { stage: string; message: string }]>([
    [
      'TSA EKU not critical',
      { tsa: { ekuCritical: false } },
      { stage: 'verify', message: `${VERIFY}signing certificate extended key usage extension must be set as critical` }
    ],
    [
      'TSA EKU timeStamping plus codeSigning',
      { tsa: { eku: [OIDS.ekuTimeStamping, OIDS.ekuCodeSigning] } },
      { stage: 'verify', message: `${VERIFY}signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage` }
    ],
    ['TSA without EKU', { tsa: { eku: undefined } }, { stage: 'verify', message: `${VERIFY}signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage` }],
    ['TSA with codeSigning EKU only', { tsa: { eku: [OIDS.ekuCodeSigning] } }, { stage: 'verify', message: `${CMS}x509: certificate specifies an incompatible key usage` }],
    ['CA restricted to serverAuth', { ca: { eku: [OIDS.ekuServerAuth], ekuCritical: false } }, { stage: 'verify', message: `${CMS}x509: certificate specifies an incompatible key usage` }],
    [
      'CA that is not a CA',
      { ca: { ca: false } },
      {
        stage: 'verify',
        message: `${CMS}x509: certificate signed by unknown authority (possibly because of "x509: invalid signature: parent certificate cannot sign this kind of certificate" while trying to verify candidate authority certificate "Test TSA CA 4")`
      }
    ],
    [
      'TSA key usage with keyEncipherment',
      { tsa: { keyUsage: ['digitalSignature', 'keyEncipherment'] } },
      { stage: 'chain', message: `${CHAIN}the certificate with subject "CN=Test TSA 4,O=Signet Test TSA" is invalid. The key usage must be "Digital Signature" only, but found "KeyEncipherment"` }
    ],
    ['TSA without key usage', { tsa: { keyUsage: undefined } }, { stage: 'chain', message: `${CHAIN}certificate with subject "CN=Test TSA 4,O=Signet Test TSA": key usage extension must be present` }],
    [
      'TSA that claims to be a CA',
      { tsa: { ca: true } },
      { stage: 'chain', message: `${CHAIN}certificate with subject "CN=Test TSA 4,O=Signet Test TSA": if the basic constraints extension is present, the ca field must be set to false` }
    ],
    ['root without key usage', { root: { keyUsage: undefined } }, { stage: 'chain', message: `${CHAIN}certificate with subject "CN=Test TSA Root 4,O=Signet Test TSA": key usage extension must be present` }]
  ])('%s', async (_name, options, expected) => {
    const p = await createPki({ ...options, keyIndex: 4 });
    const r = await parseCertificate(certDer(p.root));
    expect(await verifyFailure(await token({}, p), [r])).toEqual(expected);
  });

  it('a self-signed TSA certificate trusted directly forms a one-certificate chain', async () => {
    const key = await keyPair('P-256', 20);
    const self = await issueCertificate({
      cn: 'Self-signed TSA',
      serial: 77,
      key,
      notBefore: VALID_FROM,
      notAfter: VALID_TO,
      keyUsage: ['digitalSignature'],
      eku: [OIDS.ekuTimeStamping]
    });
    const p: TestPki = { ...pki, tsa: self, tsaKey: key };
    const selfCert = await parseCertificate(certDer(self));
    const verified = await verifyTimestampToken(await token({ certificates: 'leaf' }, p), { tsaRoots: [selfCert], signatureBytes: SIGNATURE });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual(['CN=Self-signed TSA,O=Signet Test TSA']);
  });
});

describe('TSTInfo details', () => {
  it.each<[string, TokenOptions, string, string, bigint]>([
    ['accuracy 1 s', {}, '2024-06-18T06:27:15.000Z', '2024-06-18T06:27:17.000Z', 1_000_000_000n],
    ['no accuracy, baseline policy → 1 s', { accuracy: null, policy: OIDS.baselinePolicy }, '2024-06-18T06:27:15.000Z', '2024-06-18T06:27:17.000Z', 1_000_000_000n],
    ['zero accuracy, baseline policy → 1 s', { accuracy: { seconds: 0 }, policy: OIDS.baselinePolicy }, '2024-06-18T06:27:15.000Z', '2024-06-18T06:27:17.000Z', 1_000_000_000n],
    ['no accuracy, other policy → 0', { accuracy: null }, '2024-06-18T06:27:16.000Z', '2024-06-18T06:27:16.000Z', 0n],
    ['500 ms (Microsoft style)', { accuracy: { millis: 500 } }, '2024-06-18T06:27:15.500Z', '2024-06-18T06:27:16.500Z', 500_000_000n],
    ['2 s 3 ms 4 µs', { accuracy: { seconds: 2, millis: 3, micros: 4 } }, '2024-06-18T06:27:13.996Z', '2024-06-18T06:27:18.004Z', 2_003_004_000n],
    ['fractional genTime', { genTime: '20240618062716.25Z', accuracy: { micros: 1 } }, '2024-06-18T06:27:16.249Z', '2024-06-18T06:27:16.251Z', 1_000n]
  ])('%s', async (_name, options, earliest, latest, accuracyNs) => {
    const parsed = await parseTimestampToken(await token(options));
    const range = timestampRange(parsed.tstInfo);
    expect({ earliest: range.earliest.toISOString(), latest: range.latest.toISOString(), accuracyNs: range.accuracyNs }).toEqual({ earliest, latest, accuracyNs });
  });

  it('sub-second ranges print like Go: RFC 3339 truncates, RFC 3339 Nano keeps the fraction', async () => {
    const bytes = await token({ genTime: '20240618062716.25Z', accuracy: { micros: 1 } });
    expect(await describeTimestamp(bytes, SIGNATURE, 'json')).toMatchObject({ timestamp: '[2024-06-18T06:27:16Z, 2024-06-18T06:27:16Z]' });
    expect(await describeTimestamp(bytes, SIGNATURE, 'json-v2')).toMatchObject({ timestamp: '[2024-06-18T06:27:16.249999Z, 2024-06-18T06:27:16.250001Z]' });
    expect(await describeTimestamp(bytes, SIGNATURE, 'tree')).toMatchObject({ timestamp: '[Tue Jun 18 06:27:16 2024, Tue Jun 18 06:27:16 2024]' });
  });

  it('genTime with a UTC offset is kept in that offset when printed, as Go does', async () => {
    const bytes = await token({ genTime: '20240618082716+0200' });
    const parsed = await parseTimestampToken(bytes);
    expect(parsed.tstInfo.genTime.toISOString()).toBe('2024-06-18T06:27:16.000Z');
    expect(await describeTimestamp(bytes, SIGNATURE, 'json')).toMatchObject({ timestamp: '[2024-06-18T08:27:15+02:00, 2024-06-18T08:27:17+02:00]' });
  });

  it.each(['20240618062716.50Z', '20240618062716.Z', '20240618062716+0000', '202406180627Z', '20241318062716Z', '20240230062716Z'])(
    'non-canonical or invalid GeneralizedTime %s is refused at the TSTInfo stage',
    async (genTime) => {
      const e = await failure(async () => parseTimestampToken(await token({ genTime })));
      expect(e.stage).toBe('tstinfo');
      expect(notationTimestampMessage(e)).toMatch(/^failed to get the timestamp TSTInfo with error: cannot unmarshal TSTInfo from timestamp token: asn1: /);
    }
  );

  it('nonce, ordering and serial number are decoded', async () => {
    const parsed = await parseTimestampToken(await createToken(pki, { hashOid: OIDS.sha256, hashedMessage: await sha('SHA-256', SIGNATURE), nonce: (1n << 158n) + 5n }, { serial: 123456 }));
    expect(parsed.tstInfo).toMatchObject({ nonce: (1n << 158n) + 5n, ordering: false, serialNumber: 123456n });
  });
});
