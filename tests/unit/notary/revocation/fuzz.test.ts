// Seeded fuzzing of the OCSP and CRL decoders: mutated OpenSSL fixtures, mutated inner structures
// re-wrapped with correct outer lengths (so mutations reach the deep fields), and random bytes.
// Every input must end in a result or a SignetError with one of the module's codes, never in
// another exception or a hang.
import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import { checkEntry, lookupCrl, parseCrl, readEntry, validateCrlBundle } from '../../../../src/lib/notary/revocation/crl';
import { parseOcspResponse, verifyOcspResponse } from '../../../../src/lib/notary/revocation/ocsp';
import { derOctetString, derOid, derSequence, tlv } from '../../../../src/lib/notary/timestamp/asn1';
import { DerError, decodeOne, readerOf } from '../../../../src/lib/notary/x509/der';
import { certs, der, fixtureNow } from './fixtures';

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x17, 0x18, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xa0, 0xa1, 0xa2, 0xff];

function mutate(input: Uint8Array, r: () => number): Uint8Array {
  const bytes = Array.from(input);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * Math.max(1, bytes.length));
    switch (Math.floor(r() * 7)) {
      case 0:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(r() * 8));
        break;
      case 1:
        bytes[at] = INTERESTING[Math.floor(r() * INTERESTING.length)]!;
        break;
      case 2:
        bytes.splice(at, 1 + Math.floor(r() * 8));
        break;
      case 3:
        bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)));
        break;
      case 4:
        bytes.length = at;
        break;
      case 5: {
        // Duplicate a slice (repeats TLVs).
        const len = Math.floor(r() * 32);
        bytes.splice(at, 0, ...bytes.slice(at, at + len));
        break;
      }
      default:
        bytes[at] = Math.floor(r() * 256);
    }
  }
  const out = new Uint8Array(bytes);
  // Never hand back the seed itself (a zero-length splice is a no-op).
  if (out.length === input.length && out.every((b, i) => b === input[i])) out[Math.floor(r() * out.length)]! ^= 0x40;
  return out;
}

/** OCSPResponse around mutated BasicOCSPResponse bytes. */
function wrapBasic(basic: Uint8Array): Uint8Array {
  return derSequence(tlv(0x0a, new Uint8Array([0])), tlv(0xa0, derSequence(derOid('1.3.6.1.5.5.7.48.1.1'), derOctetString(basic))));
}

function basicOf(response: Uint8Array): Uint8Array {
  const top = readerOf(decodeOne(response));
  top.read('status');
  const rb = readerOf(readerOf(top.read('bytes')).read('rb'));
  rb.read('type');
  return rb.read('inner').content;
}

/** A CRL whose TBS was mutated, re-wrapped (its signature no longer matches, but parsing goes deep). */
function wrapTbs(crl: Uint8Array, tbs: Uint8Array): Uint8Array {
  const r = readerOf(decodeOne(crl));
  r.read('tbs');
  return derSequence(tbs, r.read('alg').raw, r.read('sig').raw);
}

function tbsOf(crl: Uint8Array): Uint8Array {
  return readerOf(decodeOne(crl)).read('tbs').raw;
}

const OCSP_CODES = new Set(['ERR_OCSP_RESPONSE_INVALID', 'ERR_OCSP_RESPONSE_REJECTED']);
const CRL_CODES = new Set(['ERR_CRL_INVALID', 'ERR_CRL_REJECTED']);

describe('fuzzing (seeded)', () => {
  it('12 000 malformed OCSP responses end in a verdict or an ERR_OCSP_* SignetError', async () => {
    const seeds = await Promise.all(
      ['ocsp-good.der', 'ocsp-revoked.der', 'ocsp-hold.der', 'ocsp-unknown.der', 'ocsp-good-keyid.der', 'ocsp-good-by-ca.der', 'ocsp-rsa-good.der'].map(der)
    );
    const r = rng(0x5eed0c5);
    const outcomes: Record<string, number> = {};
    const started = performance.now();
    for (let i = 0; i < 12_000; i++) {
      const seed = seeds[i % seeds.length]!;
      const kind = i % 3;
      const input = kind === 0 ? mutate(seed, r) : kind === 1 ? wrapBasic(mutate(basicOf(seed), r)) : new Uint8Array(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
      let outcome: string;
      try {
        const parsed = parseOcspResponse(input);
        const cert = seed === seeds[6] ? certs.rsaLeaf : [certs.leafGood, certs.leafRevoked, certs.leafHold, certs.leafUnknown][i % 4]!;
        const v = await verifyOcspResponse(parsed, cert, seed === seeds[6] ? certs.rsaCa : certs.ca, { now: fixtureNow });
        outcome = `verdict:${v.status}`;
      } catch (e) {
        if (!isSignetError(e) || !OCSP_CODES.has(e.code)) throw new Error(`input #${i} threw ${String(e)}`, { cause: e });
        outcome = e.code;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    console.log(`OCSP fuzz: 12000 inputs in ${(performance.now() - started).toFixed(0)} ms`, outcomes);
    expect(outcomes['ERR_OCSP_RESPONSE_INVALID']).toBeGreaterThan(1000);
    expect(outcomes['ERR_OCSP_RESPONSE_REJECTED']).toBeGreaterThan(100);
    // Every byte that matters is signed and DER has one encoding: no mutant may verify.
    expect(Object.keys(outcomes).filter((k) => k.startsWith('verdict:'))).toEqual([]);
  });

  it('12 000 malformed CRLs (base and delta) end in a lookup or an ERR_CRL_* SignetError', async () => {
    const seeds = await Promise.all(['crl.der', 'crl-base.der', 'crl-delta.der', 'crl-rsa.der', 'crl-expired.der'].map(der));
    const base = { base: await Promise.resolve(parseCrl(seeds[1]!)) };
    const r = rng(0xc41);
    const outcomes: Record<string, number> = {};
    const started = performance.now();
    for (let i = 0; i < 12_000; i++) {
      const seed = seeds[i % seeds.length]!;
      const kind = i % 3;
      const input = kind === 0 ? mutate(seed, r) : kind === 1 ? wrapTbs(seed, mutate(tbsOf(seed), r)) : new Uint8Array(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
      let outcome: string;
      try {
        const crl = parseCrl(input, `fuzz #${i}`);
        const bundle = i % 2 === 0 ? { base: crl } : { ...base, delta: crl };
        await validateCrlBundle(bundle, seed === seeds[3] ? certs.rsaCa : certs.ca, fixtureNow);
        outcome = `lookup:${lookupCrl(certs.leafRevoked, bundle).status}`;
      } catch (e) {
        if (!isSignetError(e) || !CRL_CODES.has(e.code)) throw new Error(`input #${i} threw ${String(e)}`, { cause: e });
        outcome = e.code;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    console.log(`CRL fuzz: 12000 inputs in ${(performance.now() - started).toFixed(0)} ms`, outcomes);
    expect(outcomes['ERR_CRL_INVALID']).toBeGreaterThan(1000);
    expect(outcomes['ERR_CRL_REJECTED']).toBeGreaterThan(100);
    expect(Object.keys(outcomes).filter((k) => k.startsWith('lookup:'))).toEqual([]);
  });

  it('the fast CRL entry check accepts exactly what the full entry reader accepts (20 000 mutated entries)', async () => {
    const { buildCrl, invalidityDateExtension } = await import('../../../helpers/revocation-builder');
    const { createTestChain } = await import('../../../helpers/test-pki');
    const { parseCertificate } = await import('../../../../src/lib/notary/x509/certificate');
    const pki = await createTestChain({ keySpec: 'EC-256' });
    const ca = await parseCertificate(pki.root.der);
    const t = new Date('2025-06-01T12:34:56Z');
    // Entries of every shape: no extensions, reason, invalidity date, critical ext, UTCTime / GeneralizedTime.
    const shapes = [
      { serial: 1n, date: t },
      { serial: 0x7fn, date: t, reason: 1 },
      { serial: 0x80n, date: t, reason: 6, invalidityDate: t },
      { serial: 123456789012345678901234567890n, date: t, extensions: [invalidityDateExtension(t, true)] }
    ];
    const entryNodes = [];
    for (const utc of [true, false]) {
      const crl = parseCrl(await buildCrl({ issuer: ca, key: pki.root.key, thisUpdate: t, nextUpdate: t, utc, entries: shapes }));
      const r = readerOf({ tagClass: 0, tagNumber: 16, constructed: true, raw: crl.revokedList, content: crl.revokedList });
      while (!r.empty) entryNodes.push(r.read('entry').raw);
    }
    const r = rng(0xe47);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = i < entryNodes.length ? entryNodes[i]! : mutate(entryNodes[i % entryNodes.length]!, r);
      const verdict = (f: () => unknown): string => {
        try {
          f();
          return 'ok';
        } catch (e) {
          if (e instanceof DerError) return 'rejected';
          throw e;
        }
      };
      let node;
      try {
        node = decodeOne(bytes);
      } catch {
        continue;
      }
      const full = verdict(() => readEntry(node, 'entry'));
      const fast = verdict(() => checkEntry(node, 'entry'));
      expect(fast, `entry ${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`).toBe(full);
      if (full === 'ok') accepted++;
    }
    expect(accepted).toBeGreaterThan(entryNodes.length);
  });
});
