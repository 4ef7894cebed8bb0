import { describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificates, type Certificate } from '../../../../src/lib/notary/x509/certificate';
import {
  checkTimestampRangeWithinValidity,
  checkValidityAt,
  checkValidityAtAuthenticSigningTime
} from '../../../../src/lib/notary/x509/validity';
import { createTestChain } from '../../../helpers/test-pki';
import { loadFixture } from './load-fixture';

const DERIVED = 'vectors/derived/leaf-certs-from-envelopes';
const TS = 'vectors/notation-go/verifier/testdata/truststore/x509';

async function one(path: string): Promise<Certificate> {
  const [cert] = await parseCertificates(await loadFixture(path), path);
  return cert!;
}

const second = (iso: string, deltaSeconds: number) => new Date(new Date(iso).getTime() + deltaSeconds * 1000);

describe('checkValidityAt (no authentic timestamp: every certificate valid now)', () => {
  it('reports the expired testTSA certificate in notation words (NG-T-cose-expired-cert-timestamped)', async () => {
    const cert = await one(`${DERIVED}/testTSA-expired-20240618.6381e2ac01a6d939.pem`);
    const problem = checkValidityAt([cert], new Date('2026-01-01T00:00:00Z'));
    expect(problem).toMatchObject({ kind: 'expired', code: 'ERR_CERT_EXPIRED', index: 0 });
    expect(problem!.message).toBe(
      'verification time is after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Jun 2024 07:30:31 +0000"'
    );
    expect(problem!.certificate).toBe(cert);
    // Bounds are inclusive.
    expect(checkValidityAt([cert], new Date('2024-06-18T07:30:31Z'))).toBeUndefined();
    expect(checkValidityAt([cert], new Date('2024-06-18T07:20:31Z'))).toBeUndefined();
    expect(checkValidityAt([cert], new Date('2024-06-18T07:20:30.999Z'))?.kind).toBe('notYetValid');
  });

  it('reports a not-yet-valid certificate', async () => {
    const cert = await one(`${TS}/ca/valid-trust-store/TestTimestampNotYetValid.crt`);
    expect(checkValidityAt([cert], new Date('2026-01-01T00:00:00Z'))).toMatchObject({
      kind: 'notYetValid',
      code: 'ERR_CERT_NOT_YET_VALID',
      message: 'verification time is before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Fri, 18 Sep 2099 11:54:34 +0000"'
    });
  });

  it('checks every certificate of the chain, leaf first, and names which one failed', async () => {
    const pki = await createTestChain({
      intermediates: 1,
      leaf: { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') },
      intermediate: [{ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') }],
      root: { notBefore: new Date('2021-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }
    });
    const chain = await Promise.all(pki.chain.map((d) => parseCertificate(d)));
    expect(checkValidityAt(chain, new Date('2024-06-01T00:00:00Z'))).toBeUndefined();
    expect(checkValidityAt(chain, new Date('2026-01-01T00:00:00Z'))).toMatchObject({ index: 1, kind: 'expired' });
    expect(checkValidityAt(chain, new Date('2023-01-01T00:00:00Z'))).toMatchObject({ index: 0, kind: 'notYetValid' });
    expect(checkValidityAt(chain, new Date('2020-06-01T00:00:00Z'))).toMatchObject({ index: 0, kind: 'notYetValid' });
  });
});

describe('checkTimestampRangeWithinValidity (genTime ± accuracy inside every certificate)', () => {
  it('matches NG-T-cose-timestamp-after-notafter and NG-T-jws-timestamp-before-notbefore', async () => {
    const old = await one(`${DERIVED}/testTSA-2000-2001.92ef4ca811f31720.pem`);
    const genTime = new Date('2024-06-19T09:35:58Z');
    expect(checkTimestampRangeWithinValidity([old], { earliest: second('2024-06-19T09:35:58Z', -1), latest: second('2024-06-19T09:35:58Z', 1) })?.message).toBe(
      'timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Sep 2001 11:54:34 +0000"'
    );
    expect(genTime.getTime()).toBeGreaterThan(old.notAfter.getTime());
    const future = await one(`${TS}/ca/valid-trust-store/TestTimestampNotYetValid.crt`);
    expect(checkTimestampRangeWithinValidity([future], { earliest: second('2024-06-19T09:30:14Z', -1), latest: second('2024-06-19T09:30:14Z', 1) })?.message).toBe(
      'timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Fri, 18 Sep 2099 11:54:34 +0000"'
    );
  });

  it('accepts the expired-but-timestamped certificate when the whole range fits (NG-T-cose-expired-cert-timestamped)', async () => {
    const cert = await one(`${DERIVED}/testTSA-expired-20240618.6381e2ac01a6d939.pem`);
    expect(checkTimestampRangeWithinValidity([cert], { earliest: second('2024-06-18T07:21:12Z', -1), latest: second('2024-06-18T07:21:12Z', 1) })).toBeUndefined();
    // The range must fit entirely: an upper bound one second past notAfter fails, exactly notAfter passes.
    expect(checkTimestampRangeWithinValidity([cert], { earliest: second('2024-06-18T07:30:30Z', -1), latest: second('2024-06-18T07:30:30Z', 1) })).toBeUndefined();
    expect(checkTimestampRangeWithinValidity([cert], { earliest: second('2024-06-18T07:30:31Z', -1), latest: second('2024-06-18T07:30:31Z', 1) })?.kind).toBe('expired');
    expect(checkTimestampRangeWithinValidity([cert], { earliest: second('2024-06-18T07:20:31Z', -1), latest: second('2024-06-18T07:20:31Z', 1) })?.kind).toBe('notYetValid');
  });
});

describe('checkValidityAtAuthenticSigningTime (signing-authority scheme)', () => {
  it('accepts an expired chain that was valid at the authentic signing time, and words failures like notation', async () => {
    const cert = await one(`${DERIVED}/testTSA-expired-20240618.6381e2ac01a6d939.pem`);
    expect(checkValidityAtAuthenticSigningTime([cert], new Date('2024-06-18T07:25:00Z'))).toBeUndefined();
    expect(checkValidityAtAuthenticSigningTime([cert], new Date('2024-06-18T07:40:00Z'))?.message).toBe(
      'certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" was not valid when the digital signature was produced at "Tue, 18 Jun 2024 07:40:00 +0000"'
    );
    // A JWS time keeps the signer's offset in Go's message.
    expect(checkValidityAtAuthenticSigningTime([cert], new Date('2024-06-18T07:40:00Z'), '+08:00')?.message).toMatch(
      /produced at "Tue, 18 Jun 2024 15:40:00 \+0800"$/
    );
    expect(checkValidityAtAuthenticSigningTime([cert], new Date('2024-06-18T07:00:00Z'), '-07:00')).toMatchObject({
      kind: 'notYetValid',
      message: expect.stringMatching(/produced at "Tue, 18 Jun 2024 00:00:00 -0700"$/)
    });
  });
});
