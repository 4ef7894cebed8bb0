// RFC 3161 tokens made by a real TSA (GlobalSign) inside notation-go's timestamped envelopes and
// the standalone tokens of notation-go's verifier tests (vectors INDEX §1c): decoding, the imprint
// over the envelope's primitive signature, the range notation derives, verification against the
// TSA root and a wrong root, `notation inspect` rendering, and notation's exact error messages.
// Verification time is the token's own genTime, so no clock is involved; where a time is needed
// it is fixed in the test.
import { describe, expect, it } from 'vitest';
import { fromHex, toArrayBuffer, toHex, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError } from '../../../src/lib/errors';
import { decodeEnvelope } from '../../../src/lib/notary/envelope';
import {
  TimestampError,
  describeTimestamp,
  formatTimestampRange,
  notationTimestampMessage,
  parseTimestampToken,
  timestampBoundedAfter,
  timestampBoundedBefore,
  timestampRange,
  validateTimestampImprint,
  verifyTimestampForSignature,
  verifyTimestampToken,
  type TimestampToken
} from '../../../src/lib/notary/timestamp';
import { convertBerToDer } from '../../../src/lib/notary/timestamp/ber';
import { parseCertificate, parseCertificates } from '../../../src/lib/notary/x509/certificate';
import { MediaType } from '../../../src/lib/oci/media-types';
import { readFixture } from '../../helpers/fixtures';

const V = 'vectors/notation-go/verifier/testdata';
const GLOBALSIGN_TSA = 'CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE';
const GLOBALSIGN_TS_CA = 'CN=GlobalSign Timestamping CA - SHA384 - G4,O=GlobalSign nv-sa,C=BE';
const GLOBALSIGN_R6 = 'CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign';

const tsaRoots = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-timestamp/globalsignRoot.cer`), 'globalsignRoot.cer');
const mismatchRoots = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer`), 'DigiCertTSARootSHA384.cer');

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(bytes)));
}

async function expectTimestampError(run: () => Promise<unknown>, stage: string, notationMessage: string): Promise<TimestampError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(TimestampError);
    const err = e as TimestampError;
    expect(err.code).toBe('ERR_TIMESTAMP_INVALID');
    expect({ stage: err.stage, message: notationTimestampMessage(err) }).toEqual({ stage, message: notationMessage });
    return err;
  }
  throw new Error('expected a TimestampError');
}

// INDEX §1c: the six timestamped envelopes (GlobalSign TSA, SHA-256 imprint, accuracy ±1 s).
const ENVELOPES = [
  { id: 'NG-T-cose-valid', file: 'coseWithTimestamp.sig', mediaType: MediaType.cose, genTime: '2024-06-18T06:27:16Z' },
  { id: 'NG-T-jws-valid', file: 'jwsWithTimestamp.sig', mediaType: MediaType.jws, genTime: '2024-06-18T06:29:37Z' },
  { id: 'NG-T-cose-expired-cert-timestamped', file: 'coseExpiredWithTimestamp.sig', mediaType: MediaType.cose, genTime: '2024-06-18T07:21:12Z' },
  { id: 'NG-T-jws-expired-cert-timestamped', file: 'jwsExpiredWithTimestamp.sig', mediaType: MediaType.jws, genTime: '2024-06-18T07:21:42Z' },
  { id: 'NG-T-cose-timestamp-after-notafter', file: 'timestampAfterNotAfter.sig', mediaType: MediaType.cose, genTime: '2024-06-19T09:35:58Z' },
  { id: 'NG-T-jws-timestamp-before-notbefore', file: 'timestampBeforeNotBefore.sig', mediaType: MediaType.jws, genTime: '2024-06-19T09:30:14Z' }
] as const;

async function loadEnvelope(file: string, mediaType: string) {
  const envelope = decodeEnvelope(await readFixture(`${V}/timestamp/sigEnv/${file}`), mediaType);
  const token = envelope.unsignedAttributes.timestampSignature;
  if (!token) throw new Error(`${file} has no timestamp token`);
  return { envelope, token };
}

function plusSeconds(iso: string, seconds: number): string {
  return new Date(new Date(iso).getTime() + seconds * 1000).toISOString();
}

describe('GlobalSign tokens in notation-go timestamped envelopes', () => {
  it.each(ENVELOPES.map((e) => [e.id, e] as const))('%s: decodes, covers the signature, verifies against GlobalSign R6', async (_id, v) => {
    const { envelope, token } = await loadEnvelope(v.file, v.mediaType);
    const parsed = await parseTimestampToken(token);
    expect(parsed.version).toBe(3);
    expect(parsed.contentType).toBe('1.2.840.113549.1.9.16.1.4');
    const info = parsed.tstInfo;
    expect(info.version).toBe(1);
    expect(info.policy).toBe('1.3.6.1.4.1.4146.2.3');
    expect(info.messageImprint.hashAlgorithm.oid).toBe('2.16.840.1.101.3.4.2.1');
    // The imprint is SHA-256 over the primitive signature bytes (COSE bstr / decoded JWS signature).
    expect(toHex(info.messageImprint.hashedMessage)).toBe(toHex(await sha256(envelope.signature)));
    expect(info.genTime.toISOString()).toBe(new Date(v.genTime).toISOString());
    expect(info.genTimePrecise.offsetMinutes).toBe(0);
    expect(info.accuracy).toEqual({ seconds: 1, millis: 0, micros: 0 });
    expect(info.tsaName).toBe(GLOBALSIGN_TSA);
    expect(parsed.certificates.map((c) => c.subject)).toEqual([GLOBALSIGN_TSA, GLOBALSIGN_TS_CA, GLOBALSIGN_R6]);
    expect(parsed.signerInfos).toHaveLength(1);

    const range = await validateTimestampImprint(parsed, envelope.signature);
    expect([range.earliest.toISOString(), range.latest.toISOString()]).toEqual([plusSeconds(v.genTime, -1), plusSeconds(v.genTime, 1)]);
    expect(range.accuracyNs).toBe(1_000_000_000n);

    const verified = await verifyTimestampToken(parsed, { tsaRoots, signatureBytes: envelope.signature });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual([GLOBALSIGN_TSA, GLOBALSIGN_TS_CA, GLOBALSIGN_R6]);
    expect(verified.signerCertificate.sha256Fingerprint).toBe(parsed.certificates[0]!.sha256Fingerprint);
    expect(verified.range).toEqual(range);
    // The chain ends in the trusted root itself (byte-identical to the store's copy).
    expect(verified.tsaChain[2]!.sha256Fingerprint).toBe(tsaRoots[0]!.sha256Fingerprint);
  });

  it.each(ENVELOPES.map((e) => [e.id, e] as const))('%s: fails against tsa/test-mismatch (DigiCert root) with notation’s message', async (_id, v) => {
    const { envelope, token } = await loadEnvelope(v.file, v.mediaType);
    await expectTimestampError(
      () => verifyTimestampToken(token, { tsaRoots: mismatchRoots, signatureBytes: envelope.signature }),
      'verify',
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority'
    );
    await expect(verifyTimestampForSignature(token, envelope.signature, mismatchRoots)).rejects.toMatchObject({
      code: 'ERR_TIMESTAMP_INVALID',
      message:
        'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority'
    });
  });

  it('a token checked against another envelope’s signature is a mismatched message', async () => {
    const a = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const b = await loadEnvelope('jwsWithTimestamp.sig', MediaType.jws);
    await expectTimestampError(
      () => verifyTimestampToken(a.token, { tsaRoots, signatureBytes: b.envelope.signature }),
      'validate',
      'failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message'
    );
  });

  it('an empty TSA store is refused before any verification', async () => {
    const { envelope, token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    await expectTimestampError(() => verifyTimestampToken(token, { tsaRoots: [], signatureBytes: envelope.signature }), 'trust', 'no trusted TSA certificate found in trust store');
  });

  it('the TSA chain is only valid around genTime: the same token checked at a later instant fails', async () => {
    const { envelope, token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    // GlobalSign's TSA certificate expires 2034-12-04; at 2035 the chain is no longer valid.
    const err = await expectTimestampError(
      () => verifyTimestampToken(token, { tsaRoots, signatureBytes: envelope.signature, at: new Date('2035-01-01T00:00:00Z') }),
      'verify',
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate has expired or is not yet valid: current time 2035-01-01T00:00:00Z is after 2034-12-04T10:30:02Z'
    );
    expect(err.cause).toBeInstanceOf(Error);
  });

  // INDEX §5 item 12: the whole range genTime ± accuracy must lie inside every signing certificate's validity.
  it('range against the signing certificates: inside for the expired-but-timestamped leaf, outside for the 2000–2001 and 2099 leaves', async () => {
    const cases = [
      { file: 'coseExpiredWithTimestamp.sig', mediaType: MediaType.cose, after: true, before: true },
      { file: 'jwsExpiredWithTimestamp.sig', mediaType: MediaType.jws, after: true, before: true },
      { file: 'timestampAfterNotAfter.sig', mediaType: MediaType.cose, after: true, before: false },
      { file: 'timestampBeforeNotBefore.sig', mediaType: MediaType.jws, after: false, before: true }
    ];
    for (const c of cases) {
      const { envelope, token } = await loadEnvelope(c.file, c.mediaType);
      const leaf = await parseCertificate(envelope.certificateChain[0]!);
      const { range } = await verifyTimestampToken(token, { tsaRoots, signatureBytes: envelope.signature });
      expect({ file: c.file, after: timestampBoundedAfter(range, leaf.notBefore), before: timestampBoundedBefore(range, leaf.notAfter) }).toEqual({
        file: c.file,
        after: c.after,
        before: c.before
      });
    }
    // testTSA-expired: valid 07:20:31–07:30:31, token 07:21:11–07:21:13 (INDEX NG-T-cose-expired-cert-timestamped).
    const { envelope } = await loadEnvelope('coseExpiredWithTimestamp.sig', MediaType.cose);
    const leaf = await parseCertificate(envelope.certificateChain[0]!);
    expect([leaf.notBefore.toISOString(), leaf.notAfter.toISOString()]).toEqual(['2024-06-18T07:20:31.000Z', '2024-06-18T07:30:31.000Z']);
  });

  it('bounds are inclusive: a range ending exactly at notAfter is inside, one millisecond later is not', async () => {
    const { token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const range = timestampRange((await parseTimestampToken(token)).tstInfo);
    expect(timestampBoundedBefore(range, new Date('2024-06-18T06:27:17Z'))).toBe(true);
    expect(timestampBoundedBefore(range, new Date('2024-06-18T06:27:16.999Z'))).toBe(false);
    expect(timestampBoundedAfter(range, new Date('2024-06-18T06:27:15Z'))).toBe(true);
    expect(timestampBoundedAfter(range, new Date('2024-06-18T06:27:15.001Z'))).toBe(false);
  });
});

describe('standalone notation-go tokens (verifier/testdata/timestamp/countersignature)', () => {
  const C = `${V}/timestamp/countersignature`;

  it('TimeStampToken.p7s: signature "mismatch" → mismatched message; "notation" → verifies at its 2021 genTime', async () => {
    const bytes = await readFixture(`${C}/TimeStampToken.p7s`);
    const token = await parseTimestampToken(bytes);
    expect(token.tstInfo.genTime.toISOString()).toBe('2021-09-17T14:09:10.000Z');
    expect(toHex(token.tstInfo.messageImprint.hashedMessage)).toBe(toHex(await sha256(utf8Encode('notation'))));
    expect(toHex(token.tstInfo.messageImprint.hashedMessage)).toMatch(/^8326f470.*51c7$/);
    expect(token.certificates).toHaveLength(4);
    await expectTimestampError(
      () => verifyTimestampToken(token, { tsaRoots, signatureBytes: utf8Encode('mismatch') }),
      'validate',
      'failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message'
    );
    const verified = await verifyTimestampToken(token, { tsaRoots, signatureBytes: utf8Encode('notation') });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual(['CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE', GLOBALSIGN_TS_CA, GLOBALSIGN_R6]);
    expect([verified.range.earliest.toISOString(), verified.range.latest.toISOString()]).toEqual(['2021-09-17T14:09:09.000Z', '2021-09-17T14:09:11.000Z']);
  });

  it('TimeStampTokenWithoutCertificate.p7s: signing certificate not found in the timestamp token', async () => {
    const bytes = await readFixture(`${C}/TimeStampTokenWithoutCertificate.p7s`);
    const token = await parseTimestampToken(bytes);
    expect(token.certificates).toHaveLength(0);
    await expectTimestampError(
      () => verifyTimestampToken(token, { tsaRoots, signatureBytes: utf8Encode('notation') }),
      'verify',
      'failed to verify the timestamp countersignature with error: failed to verify signed token: signing certificate not found in the timestamp token'
    );
  });

  it('TimeStampTokenWithInvalideContentType.p7s: unexpected content type (id-data)', async () => {
    const bytes = await readFixture(`${C}/TimeStampTokenWithInvalideContentType.p7s`);
    await expectTimestampError(
      () => parseTimestampToken(bytes),
      'parse',
      'failed to parse timestamp countersignature with error: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)'
    );
    await expect(verifyTimestampForSignature(bytes, utf8Encode('notation'), tsaRoots)).rejects.toMatchObject({
      message:
        'failed to parse timestamp countersignature with error: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)'
    });
  });

  it('TimeStampTokenWithInvalidTSTInfo.p7s: TSTInfo without genTime is an asn1 structure error', async () => {
    const bytes = await readFixture(`${C}/TimeStampTokenWithInvalidTSTInfo.p7s`);
    try {
      await parseTimestampToken(bytes);
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(TimestampError);
      const err = e as TimestampError;
      expect(err.stage).toBe('tstinfo');
      // notation prints Go's asn1 text after this prefix; only the prefix is comparable.
      expect(notationTimestampMessage(err)).toMatch(/^failed to get the timestamp TSTInfo with error: cannot unmarshal TSTInfo from timestamp token: asn1: structure error: /);
      expect(err.message).toContain('genTime');
    }
  });
});

describe('notation inspect rendering (describeTimestamp)', () => {
  it('JSON (v1.x): RFC 3339 range and the token’s certificates in token order', async () => {
    const { envelope, token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const described = await describeTimestamp(token, envelope.signature, 'json');
    const parsed = await parseTimestampToken(token);
    expect(described).toEqual({
      timestamp: '[2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]',
      certificates: parsed.certificates.map((c) => ({
        SHA256Fingerprint: c.sha256Fingerprint,
        issuedTo: c.subject,
        issuedBy: c.issuer,
        expiry: c.notAfter.toISOString().replace('.000Z', 'Z')
      }))
    });
    expect((described as { certificates: { issuedTo: string; expiry: string }[] }).certificates[0]).toEqual(
      expect.objectContaining({ issuedTo: GLOBALSIGN_TSA, issuedBy: GLOBALSIGN_TS_CA, expiry: '2034-12-04T10:30:02Z' })
    );
  });

  it('tree: Go ANSIC times, day padded with a space', async () => {
    const { envelope, token } = await loadEnvelope('jwsWithTimestamp.sig', MediaType.jws);
    const described = await describeTimestamp(token, envelope.signature, 'tree');
    expect(described).toMatchObject({ timestamp: '[Tue Jun 18 06:29:36 2024, Tue Jun 18 06:29:38 2024]' });
    expect((described as { certificates: { expiry: string }[] }).certificates.map((c) => c.expiry)).toEqual([
      'Mon Dec  4 10:30:02 2034',
      'Sun Dec 10 00:00:00 2034',
      'Sun Dec 10 00:00:00 2034'
    ]);
  });

  it('unreadable or mismatched tokens become an error entry, never an exception', async () => {
    const { token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    expect(await describeTimestamp(token, utf8Encode('other'))).toEqual({ error: 'failed to parse timestamp countersignature: invalid TSTInfo: mismatched message' });
    const wrongType = await readFixture(`${V}/timestamp/countersignature/TimeStampTokenWithInvalideContentType.p7s`);
    expect(await describeTimestamp(wrongType, utf8Encode('notation'))).toEqual({
      error:
        'failed to parse timestamp countersignature: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)'
    });
    const garbage = await describeTimestamp(new Uint8Array([0x30, 0x03, 0x02, 0x01]), utf8Encode('x'));
    expect(garbage).toHaveProperty('error');
    expect((garbage as { error: string }).error).toMatch(/^failed to parse timestamp countersignature: cms: syntax error: /);
  });
});

/** Rewrites every definite length of a DER value in a longer, non-minimal form (still valid BER). */
function inflateLengths(der: Uint8Array): Uint8Array {
  const out: number[] = [];
  const walk = (bytes: Uint8Array): void => {
    let pos = 0;
    while (pos < bytes.length) {
      const id = bytes[pos++]!;
      let len = bytes[pos++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + bytes[pos++]!;
      }
      const content = bytes.subarray(pos, pos + len);
      pos += len;
      const constructed = (id & 0x20) !== 0;
      const inner: number[] = [];
      if (constructed) {
        const saved = out.length;
        walk(content);
        inner.push(...out.splice(saved));
      } else {
        inner.push(...content);
      }
      // 4-byte long form (non-minimal for almost every value). Empty values keep the short form:
      // notation refuses a long-form empty value at the end of its parent.
      if (inner.length === 0) out.push(id, 0x00);
      else out.push(id, 0x84, (inner.length >>> 24) & 0xff, (inner.length >>> 16) & 0xff, (inner.length >>> 8) & 0xff, inner.length & 0xff, ...inner);
    }
  };
  walk(der);
  return new Uint8Array(out);
}

describe('BER tokens (definite lengths only, like notation)', () => {
  it('non-minimal lengths everywhere: parses to the same DER and still verifies', async () => {
    const { envelope, token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const ber = inflateLengths(token);
    expect(ber.length).toBeGreaterThan(token.length);
    const parsed: TimestampToken = await parseTimestampToken(ber);
    expect(toHex(parsed.der)).toBe(toHex(token));
    const verified = await verifyTimestampToken(parsed, { tsaRoots, signatureBytes: envelope.signature });
    expect(verified.tsaChain).toHaveLength(3);
  });

  it('indefinite lengths are refused, as notation refuses them', async () => {
    const { token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    // Outer ContentInfo with indefinite length: 30 80 <content> 00 00.
    const headerLength = 4; // 30 82 xx xx
    const indefinite = new Uint8Array([0x30, 0x80, ...token.subarray(headerLength), 0x00, 0x00]);
    await expectTimestampError(
      () => parseTimestampToken(indefinite),
      'parse',
      'failed to parse timestamp countersignature with error: cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: structure error: decoding BER length octets: indefinite length not supported'
    );
  });

  it('trailing bytes after the token are refused', async () => {
    const { token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const err = await parseTimestampToken(new Uint8Array([...token, 0x00])).catch((e: unknown) => e);
    expect(isSignetError(err, 'ERR_TIMESTAMP_INVALID')).toBe(true);
    expect((err as Error).message).toContain('does not match with content length');
  });
});

describe('BER → DER conversion (what tspclient-go accepts, checked against it)', () => {
  const hex = (h: string) => fromHex(h.replace(/ /g, ''));
  it.each([
    ['non-minimal outer length', '30 81 03 04 01 00', '30 03 04 01 00'],
    ['non-minimal inner length, outer length recomputed', '30 05 04 81 00 05 00', '30 04 04 00 05 00'],
    ['four-byte lengths', '30 84 00 00 00 07 04 84 00 00 00 01 ff', '30 03 04 01 ff']
  ])('%s', (_name, input, output) => {
    expect(toHex(convertBerToDer(hex(input)))).toBe(output.replace(/ /g, ''));
  });

  it.each([
    ['indefinite length', '30 80 05 00 00 00', 'indefinite length not supported'],
    ['long-form empty value ending its parent', '30 03 04 81 00', 'long form length octets with early EOF'],
    ['outer length shorter than the data', '30 81 03 04 01 00 00 00', 'length octets value 3 does not match with content length 5'],
    ['child running past its parent', '30 02 04 05', 'the length runs past the end of the data'],
    ['five length octets', '30 85 00 00 00 00 01 00', 'cannot exceed 4 bytes'],
    ['empty input', '', 'BER-encoded ASN.1 data structures is empty']
  ])('%s is refused', (_name, input, message) => {
    expect(() => convertBerToDer(hex(input))).toThrowError(message);
  });
});

describe('range rules (notation’s accuracy rule)', () => {
  it('formatTimestampRange uses the layouts notation uses', async () => {
    const { token } = await loadEnvelope('coseWithTimestamp.sig', MediaType.cose);
    const range = timestampRange((await parseTimestampToken(token)).tstInfo);
    expect(formatTimestampRange(range, 'RFC3339')).toBe('[2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]');
    expect(formatTimestampRange(range, 'RFC3339Nano')).toBe('[2024-06-18T06:27:15Z, 2024-06-18T06:27:17Z]');
    expect(formatTimestampRange(range, 'ANSIC')).toBe('[Tue Jun 18 06:27:15 2024, Tue Jun 18 06:27:17 2024]');
  });
});
