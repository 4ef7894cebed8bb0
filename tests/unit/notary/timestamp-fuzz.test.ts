// Hostile input for the timestamp decoders: random bytes, random ASN.1 trees, and mutations of a
// real GlobalSign token and of a test TSA's response. Every input must end in a success or a typed
// SignetError — never another exception, a hang, or an unbounded allocation — and no mutation of
// signed content may verify.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toArrayBuffer, toHex, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError } from '../../../src/lib/errors';
import { algorithmByKeySpec } from '../../../src/lib/notary/algorithms';
import { decodeEnvelope } from '../../../src/lib/notary/envelope';
import {
  MAX_TIMESTAMP_TOKEN_BYTES,
  buildTimestampRequest,
  describeTimestamp,
  parseTimestampResponse,
  parseTimestampToken,
  verifyTimestampToken,
  type TimestampToken
} from '../../../src/lib/notary/timestamp';
import { parseCertificate, parseCertificates, type Certificate } from '../../../src/lib/notary/x509/certificate';
import { MediaType } from '../../../src/lib/oci/media-types';
import { readFixture } from '../../helpers/fixtures';
import { OIDS, certDer, createPki, createToken, respond } from './timestamp-test-tsa';

const V = 'vectors/notation-go/verifier/testdata';
const envelope = decodeEnvelope(await readFixture(`${V}/timestamp/sigEnv/coseWithTimestamp.sig`), MediaType.cose);
const realToken = envelope.unsignedAttributes.timestampSignature!;
const tsaRoots = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-timestamp/globalsignRoot.cer`));
const pki = await createPki();
const tsaRoot = await parseCertificate(certDer(pki.root));
const SIGNATURE = utf8Encode('primitive signature bytes');

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(bytes)));
}

/** Awaits `run`; a typed SignetError counts as handled, anything else fails the property. */
async function mustBeTyped(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (e) {
    if (isSignetError(e)) return e;
    throw new Error(`untyped failure: ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

/** Mutations of a valid input: flips, truncation, insertion, deletion, splicing, length-byte edits. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const b = seed.slice();
      for (const [i, x] of flips) b[i] = b[i]! ^ x;
      return b;
    }),
    fc.nat(seed.length).map((n) => seed.slice(0, n)),
    fc.tuple(fc.nat(seed.length), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([i, ins]) => {
      const b = new Uint8Array(seed.length + ins.length);
      b.set(seed.subarray(0, i));
      b.set(ins, i);
      b.set(seed.subarray(i), i + ins.length);
      return b;
    }),
    fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 1, max: 32 })).map(([i, n]) => new Uint8Array([...seed.subarray(0, i), ...seed.subarray(i + n)])),
    fc.tuple(fc.nat(seed.length - 1), fc.nat(seed.length - 1), fc.integer({ min: 1, max: 64 })).map(([from, to, len]) => {
      const b = seed.slice();
      b.set(seed.subarray(from, Math.min(from + len, seed.length)).subarray(0, b.length - to), to);
      return b;
    }),
    // Rewrite a byte that is likely a length: one of 0x80..0x84 / small values near tags.
    fc.tuple(fc.nat(seed.length - 1), fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xff)).map(([i, v]) => {
      const b = seed.slice();
      b[i] = v;
      return b;
    })
  );
}

/** Random ASN.1-shaped trees (mostly well-formed TLVs, the tags CMS uses), for deeper coverage than random bytes. */
const tlvTree: fc.Arbitrary<Uint8Array> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc
      .tuple(fc.constantFrom(0x02, 0x04, 0x05, 0x06, 0x01, 0x17, 0x18, 0x80, 0x81, 0x0c), fc.uint8Array({ maxLength: 12 }))
      .map(([tag, content]) => encodeTlv(tag, content)),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa4), fc.array(tie('node') as fc.Arbitrary<Uint8Array>, { maxLength: 5 }))
      .map(([tag, children]) => encodeTlv(tag, concat(children)))
  )
})).node as fc.Arbitrary<Uint8Array>;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  const header =
    len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : len < 0x10000 ? [tag, 0x82, len >> 8, len & 0xff] : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  return concat([new Uint8Array(header), content]);
}

const SIGNED_DATA_PREFIX = (inner: Uint8Array) =>
  encodeTlv(0x30, concat([new Uint8Array([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]), encodeTlv(0xa0, inner)]));

describe('timestamp decoders survive hostile input', () => {
  it('20,000 random byte strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
        await mustBeTyped(() => parseTimestampToken(b));
      }),
      { numRuns: 20_000 }
    );
  });

  it('10,000 random ASN.1 trees, bare and wrapped in a SignedData ContentInfo', async () => {
    await fc.assert(
      fc.asyncProperty(tlvTree, fc.boolean(), async (tree, wrap) => {
        const bytes = wrap ? SIGNED_DATA_PREFIX(tree) : tree;
        await mustBeTyped(() => parseTimestampToken(bytes));
        await mustBeTyped(() => describeTimestamp(bytes, utf8Encode('x')));
      }),
      { numRuns: 10_000 }
    );
  });

  // A compact token (one ECDSA certificate) so that most mutations land in the CMS and TSTInfo
  // structure rather than in certificate bytes (the x509 parser has its own fuzz suite).
  it('20,000 mutations of a compact test TSA token: decoding and the imprint check', async () => {
    const compact = await createToken(pki, { hashOid: OIDS.sha256, hashedMessage: await sha256(SIGNATURE), nonce: 12345n }, {
      certificates: 'leaf',
      accuracy: { seconds: 1, millis: 2, micros: 3 },
      signingTime: new Date('2024-06-18T06:27:16Z'),
      genTime: '20240618062716.123Z'
    });
    await expect(describeTimestamp(compact, SIGNATURE)).resolves.toHaveProperty('timestamp');
    await fc.assert(
      fc.asyncProperty(mutated(compact), async (bytes) => {
        // describeTimestamp parses and checks the imprint; it must return, never throw.
        const described = await describeTimestamp(bytes, SIGNATURE);
        expect(typeof ('error' in described ? described.error : described.timestamp)).toBe('string');
      }),
      { numRuns: 20_000 }
    );
  }, 600_000);

  /** Full verification of mutations; anything that still verifies must carry the TSA's exact statement. */
  async function verifyMutations(seed: Uint8Array, roots: readonly Certificate[], signature: Uint8Array, runs: number): Promise<number> {
    const original = await parseTimestampToken(seed);
    await expect(verifyTimestampToken(original, { tsaRoots: roots, signatureBytes: signature })).resolves.toBeDefined();
    let verified = 0;
    await fc.assert(
      fc.asyncProperty(mutated(seed), async (bytes) => {
        const parsed = await mustBeTyped(() => parseTimestampToken(bytes));
        if (isSignetError(parsed)) return;
        const result = await mustBeTyped(() => verifyTimestampToken(parsed as TimestampToken, { tsaRoots: roots, signatureBytes: signature }));
        if (isSignetError(result)) return;
        verified++;
        const token = parsed as TimestampToken;
        expect(toHex(token.content)).toBe(toHex(original.content));
        expect(token.tstInfo.genTimePrecise.ns).toBe(original.tstInfo.genTimePrecise.ns);
      }),
      { numRuns: runs }
    );
    return verified;
  }

  it('2,000 mutations of a test TSA token with its chain, fully verified', async () => {
    const seed = await createToken(pki, { hashOid: OIDS.sha256, hashedMessage: await sha256(SIGNATURE), nonce: 1n }, { certificates: 'leaf-and-ca' });
    const verified = await verifyMutations(seed, [tsaRoot], SIGNATURE, 2_000);
    expect(verified).toBeLessThan(2_000);
  }, 600_000);

  it('1,000 mutations of a real GlobalSign token, fully verified', async () => {
    const verified = await verifyMutations(realToken, tsaRoots, envelope.signature, 1_000);
    expect(verified).toBeLessThan(1_000);
  }, 600_000);

  it('5,000 mutations of a test TSA’s TimeStampResp', async () => {
    const root = tsaRoot;
    const signature = utf8Encode('signature');
    const request = await buildTimestampRequest(signature, algorithmByKeySpec('EC-256'), 99n);
    const response = await respond(pki, request.der);
    await expect(parseTimestampResponse(response, request)).resolves.toBeDefined();
    await fc.assert(
      fc.asyncProperty(mutated(response), async (bytes) => {
        const checked = await mustBeTyped(() => parseTimestampResponse(bytes, request));
        if (isSignetError(checked)) return;
        const token = (checked as { token: Uint8Array }).token;
        await mustBeTyped(() => verifyTimestampToken(token, { tsaRoots: [root], signatureBytes: signature }));
      }),
      { numRuns: 5_000 }
    );
  }, 600_000);

  it('worst cases are refused quickly with typed errors', async () => {
    // 20,000 nested SEQUENCEs with 4-byte lengths around one NULL.
    const depth = 20_000;
    const deepDefinite = new Uint8Array(depth * 6 + 2);
    deepDefinite.set([0x05, 0x00], depth * 6);
    for (let i = depth - 1, len = 2; i >= 0; i--, len += 6) {
      deepDefinite.set([0x30, 0x84, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff], i * 6);
    }
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'ERR_TIMESTAMP_INVALID'],
      ['huge length claim', new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00]), 'ERR_TIMESTAMP_INVALID'],
      ['length beyond int32', new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]), 'ERR_TIMESTAMP_INVALID'],
      ['five length octets', new Uint8Array([0x30, 0x85, 0, 0, 0, 0, 1, 0]), 'ERR_TIMESTAMP_INVALID'],
      ['indefinite nesting', new Uint8Array(100_000).fill(0x30).map((b, i) => (i % 2 ? 0x80 : b)), 'ERR_TIMESTAMP_INVALID'],
      ['20,000-deep definite nesting', deepDefinite, 'ERR_TIMESTAMP_INVALID'],
      ['endless high tag number', new Uint8Array([0x1f, ...new Uint8Array(50_000).fill(0x81)]), 'ERR_TIMESTAMP_INVALID'],
      ['over the size limit', new Uint8Array(MAX_TIMESTAMP_TOKEN_BYTES + 1), 'ERR_INPUT_TOO_LARGE']
    ];
    for (const [name, bytes, code] of cases) {
      const started = Date.now();
      const err = await parseTimestampToken(bytes).then(
        () => undefined,
        (e: unknown) => e
      );
      expect({ name, code: isSignetError(err) ? err.code : String(err) }).toEqual({ name, code });
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('a token with 300 certificates or 100 signer infos is refused before any parsing work', async () => {
    const cert = certDer(pki.tsa);
    const certs = encodeTlv(0xa0, concat(Array.from({ length: 300 }, () => cert)));
    const signedData = (extra: Uint8Array, signers: Uint8Array) =>
      SIGNED_DATA_PREFIX(
        encodeTlv(
          0x30,
          concat([
            new Uint8Array([0x02, 0x01, 0x03]),
            new Uint8Array([0x31, 0x00]),
            encodeTlv(0x30, new Uint8Array([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01])),
            extra,
            encodeTlv(0x31, signers)
          ])
        )
      );
    const manyCerts = await parseTimestampToken(signedData(certs, new Uint8Array(0))).catch((e: unknown) => e);
    expect((manyCerts as Error).message).toContain('more than 256 certificates');
    const signer = encodeTlv(0x30, new Uint8Array([0x02, 0x01, 0x01]));
    const manySigners = await parseTimestampToken(signedData(new Uint8Array(0), concat(Array.from({ length: 100 }, () => signer)))).catch((e: unknown) => e);
    expect((manySigners as Error).message).toContain('100 signer infos; at most 64 are accepted');
  });
});
