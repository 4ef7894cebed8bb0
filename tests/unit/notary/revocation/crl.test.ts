// CRL parsing, validation and lookup: OpenSSL-made CRLs (tests/fixtures/revocation) and
// builder-made ones for the shapes OpenSSL will not produce.
import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import {
  CRL_MAX_BYTES,
  findCrlEntries,
  lookupCrl,
  parseCrl,
  validateCrl,
  validateCrlBundle,
  type CrlBundle
} from '../../../../src/lib/notary/revocation/crl';
import { serialOf } from '../../../../src/lib/notary/revocation/ocsp';
import { parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { buildCrl, invalidityDateExtension } from '../../../helpers/revocation-builder';
import { createTestChain } from '../../../helpers/test-pki';
import { certs, der, info } from './fixtures';

const now = new Date('2026-01-01T00:00:00Z');

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? Promise.resolve().then(p) : p);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a SignetError');
}

describe('parseCrl / validateCrl / lookupCrl on OpenSSL CRLs', () => {
  it('reads the issuer CRL with its entries, number and times', async () => {
    const crl = parseCrl(await der('crl.der'));
    expect(crl.thisUpdate.toISOString()).toBe(new Date(info.crlThisUpdate).toISOString());
    expect(crl.nextUpdate?.toISOString()).toBe(new Date(info.crlNextUpdate).toISOString());
    expect(crl.entryCount).toBe(2);
    expect(typeof crl.number).toBe('bigint');
    expect(crl.deltaBaseNumber).toBeUndefined();
    await validateCrl(crl, certs.ca, now);
    const revoked = findCrlEntries(crl, certs.leafRevoked);
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.reasonCode).toBe(1);
    expect(revoked[0]!.invalidityDate?.toISOString()).toBe(new Date(info.revokedInvalidityDate).toISOString());
    expect(findCrlEntries(crl, certs.leafHold)[0]!.reasonCode).toBe(6);
    expect(findCrlEntries(crl, certs.leafGood)).toEqual([]);
  });

  it('decides good, revoked, on hold; the invalidity date only counts with an authentic signing time', async () => {
    const bundle: CrlBundle = { base: parseCrl(await der('crl.der')) };
    expect(lookupCrl(certs.leafGood, bundle).status).toBe('ok');
    expect(lookupCrl(certs.leafRevoked, bundle)).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/keyCompromise/) });
    expect(lookupCrl(certs.leafHold, bundle)).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/certificateHold/) });
    expect(lookupCrl(certs.leafRevoked, bundle, new Date('2024-01-01T00:00:00Z')).status).toBe('ok');
    expect(lookupCrl(certs.leafRevoked, bundle, new Date('2024-07-01T00:00:00Z')).status).toBe('revoked');
  });

  it('verifies RSA CRLs too', async () => {
    await validateCrl(parseCrl(await der('crl-rsa.der')), certs.rsaCa, now);
  });

  it('rejects an expired CRL and a CRL of another CA', async () => {
    expect(await rejection(validateCrl(parseCrl(await der('crl-expired.der')), certs.ca, now))).toMatchObject({
      code: 'ERR_CRL_REJECTED',
      message: expect.stringMatching(/^expired CRL: nextUpdate 2025-01-02T00:00:00.000Z is before now/)
    });
    expect((await rejection(validateCrl(parseCrl(await der('crl-other-ca.der')), certs.ca, now))).message).toMatch(/issued by a different name/);
  });

  it('combines the OpenSSL base CRL and its -gendelta delta (SHA-1 signed, as Go accepts)', async () => {
    const base = parseCrl(await der('crl-base.der'));
    const delta = parseCrl(await der('crl-delta.der'));
    expect(delta.deltaBaseNumber).toBe(base.number);
    expect(delta.number).toBe(base.number! + 1n);
    const bundle = { base, delta };
    await validateCrlBundle(bundle, certs.ca, now);
    expect(lookupCrl(certs.leafDelta, { base }).status).toBe('ok');
    expect(lookupCrl(certs.leafDelta, bundle)).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/superseded/) });
    expect(lookupCrl(certs.leafRevoked, bundle).status).toBe('revoked');
    // A delta served where a complete CRL is expected is refused.
    expect((await rejection(validateCrlBundle({ base: delta }, certs.ca, now))).message).toMatch(/is a delta CRL/);
  });

  it('refuses malformed input with ERR_CRL_INVALID', async () => {
    const good = await der('crl.der');
    for (const bad of [new Uint8Array(0), good.subarray(0, 100), new Uint8Array([...good, 0]), new Uint8Array(CRL_MAX_BYTES)]) {
      expect((await rejection(() => parseCrl(bad, 'CRL from http://x/'))).code).toBe('ERR_CRL_INVALID');
    }
  });
});

describe('CRL rules on builder-made CRLs', async () => {
  const pki = await createTestChain({ keySpec: 'EC-256' });
  const ca = await parseCertificate(pki.root.der);
  const leaf = await parseCertificate(pki.leaf.der);
  const key = pki.root.key;
  const t = (s: string) => new Date(s);
  const base = { issuer: ca, key, thisUpdate: t('2025-06-01T00:00:00Z'), nextUpdate: t('2026-06-01T00:00:00Z') };
  const serial = serialOf(leaf);

  it('certificateHold then removeFromCRL in a delta lifts the hold; a later hold wins again', async () => {
    const held = parseCrl(await buildCrl({ ...base, number: 10n, freshest: ['http://x/d'], entries: [{ serial, date: t('2025-06-01T00:00:00Z'), reason: 6 }] }));
    const lifted = parseCrl(await buildCrl({ ...base, number: 11n, deltaBase: 10n, entries: [{ serial, date: t('2025-06-02T00:00:00Z'), reason: 8 }] }));
    await validateCrlBundle({ base: held, delta: lifted }, ca, now);
    expect(lookupCrl(leaf, { base: held }).status).toBe('revoked');
    expect(lookupCrl(leaf, { base: held, delta: lifted })).toMatchObject({ status: 'ok', detail: expect.stringMatching(/removeFromCRL/) });
    const reheld = parseCrl(
      await buildCrl({
        ...base,
        number: 12n,
        deltaBase: 10n,
        entries: [
          { serial, date: t('2025-06-02T00:00:00Z'), reason: 8 },
          { serial, date: t('2025-06-03T00:00:00Z'), reason: 6 }
        ]
      })
    );
    expect(lookupCrl(leaf, { base: held, delta: reheld }).status).toBe('revoked');
    // A permanent reason anywhere revokes, whatever the holds say.
    const superseded = parseCrl(await buildCrl({ ...base, number: 13n, deltaBase: 10n, entries: [{ serial, date: t('2025-06-02T00:00:00Z'), reason: 4 }] }));
    expect(lookupCrl(leaf, { base: held, delta: superseded }).status).toBe('revoked');
  });

  it('an entry without a reason code is revoked (unspecified); UTCTime CRLs are read', async () => {
    const crl = parseCrl(await buildCrl({ ...base, utc: true, number: 1n, entries: [{ serial, date: t('2025-06-01T00:00:00Z') }] }));
    expect(crl.nextUpdate?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(lookupCrl(leaf, { base: crl })).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/unspecified/) });
  });

  it('refuses delta CRLs that do not belong to the base', async () => {
    const b = parseCrl(await buildCrl({ ...base, number: 10n }));
    const cases: Array<[Parameters<typeof buildCrl>[0], RegExp]> = [
      [{ ...base, number: 10n, deltaBase: 10n }, /delta CRL number 10 is not greater than the base CRL number 10/],
      [{ ...base, number: 11n }, /delta CRL indicator extension is not found/],
      [{ ...base, number: 12n, deltaBase: 11n }, /delta CRL indicator 11 is not less than or equal to the base CRL number 10/],
      [{ ...base, deltaBase: 9n }, /delta CRL number \(none\)/]
    ];
    for (const [spec, re] of cases) {
      const delta = parseCrl(await buildCrl(spec));
      expect((await rejection(validateCrlBundle({ base: b, delta }, ca, now))).message).toMatch(re);
    }
    const noNumber = parseCrl(await buildCrl(base));
    const delta = parseCrl(await buildCrl({ ...base, number: 2n, deltaBase: 1n }));
    expect((await rejection(validateCrlBundle({ base: noNumber, delta }, ca, now))).message).toMatch(/base CRL has no CRL number/);
  });

  it('refuses unknown critical extensions (CRL and entry), a missing nextUpdate, a wrong signer and a non-CA issuer', async () => {
    const critical = parseCrl(await buildCrl({ ...base, extensions: [{ oid: '1.2.3.4', critical: true, value: new Uint8Array([5, 0]) }] }));
    expect((await rejection(validateCrl(critical, ca, now))).message).toMatch(/unsupported critical extension 1\.2\.3\.4/);
    // A critical issuingDistributionPoint is tolerated, as in notation.
    await validateCrl(parseCrl(await buildCrl({ ...base, extensions: [{ oid: '2.5.29.28', critical: true, value: new Uint8Array([0x30, 0]) }] })), ca, now);
    const entryCritical = parseCrl(await buildCrl({ ...base, entries: [{ serial, date: base.thisUpdate, reason: 1, extensions: [{ oid: '2.5.29.29', critical: true, value: new Uint8Array([0x30, 0]) }] }] }));
    expect((await rejection(() => lookupCrl(leaf, { base: entryCritical }))).message).toMatch(/unsupported critical extension 2\.5\.29\.29 in the CRL entry/);
    expect((await rejection(validateCrl(parseCrl(await buildCrl({ ...base, nextUpdate: undefined })), ca, now))).message).toMatch(/has no nextUpdate/);
    const forged = parseCrl(await buildCrl({ ...base, key: pki.leaf.key }));
    expect((await rejection(validateCrl(forged, ca, now))).message).toMatch(/is not signed by CA/);
    expect((await rejection(validateCrl(parseCrl(await buildCrl({ ...base, issuer: leaf, key: pki.leaf.key })), leaf, now))).message).toMatch(/is not a CA/);
  });

  it('with invalidity dates, an authentic signing time before the date means good (even on hold)', async () => {
    const crl = parseCrl(await buildCrl({ ...base, entries: [{ serial, date: t('2025-06-01T00:00:00Z'), reason: 6, invalidityDate: t('2025-05-01T00:00:00Z') }] }));
    expect(lookupCrl(leaf, { base: crl }, t('2025-04-01T00:00:00Z')).status).toBe('ok');
    expect(lookupCrl(leaf, { base: crl }, t('2025-05-02T00:00:00Z')).status).toBe('revoked');
    const critical = parseCrl(await buildCrl({ ...base, entries: [{ serial, date: t('2025-06-01T00:00:00Z'), extensions: [invalidityDateExtension(t('2025-05-01T00:00:00Z'), true)] }] }));
    // A critical invalidityDate is understood, so it is not an unsupported critical extension.
    expect(lookupCrl(leaf, { base: critical }).status).toBe('revoked');
    // A malformed one (UTCTime) makes notation's lookup fail, whatever the signing time.
    const { utcTime } = await import('../../../helpers/revocation-builder');
    const malformed = parseCrl(await buildCrl({ ...base, entries: [{ serial, date: t('2025-06-01T00:00:00Z'), extensions: [{ oid: '2.5.29.24', value: utcTime(t('2025-05-01T00:00:00Z')) }] }] }));
    expect(await rejection(() => lookupCrl(leaf, { base: malformed }))).toEqual({
      code: 'ERR_CRL_REJECTED',
      message: `the CRL entry for serial ${leaf.serialNumber} has a malformed invalidityDate extension`
    });
  });

  it('handles a large CRL (100 000 entries) quickly', async () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ serial: 0x10_0000n + BigInt(i), date: base.thisUpdate, reason: 1 }));
    entries.push({ serial, date: base.thisUpdate, reason: 4 });
    const bytes = await buildCrl({ ...base, number: 1n, entries });
    const started = performance.now();
    const crl = parseCrl(bytes);
    await validateCrl(crl, ca, now);
    const verdict = lookupCrl(leaf, { base: crl });
    const ms = performance.now() - started;
    expect(crl.entryCount).toBe(100_001);
    expect(verdict.status).toBe('revoked');
    console.log(`CRL of ${bytes.length} bytes, ${crl.entryCount} entries: parsed, verified and looked up in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(10_000);
  });
});
