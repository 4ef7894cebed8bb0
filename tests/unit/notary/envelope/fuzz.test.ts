// Hostile input: every decoder of untrusted bytes ends in a typed SignetError (or a valid result),
// never another exception, a hang or an unbounded allocation. Each decoder sees ≥100,000 inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../../src/lib/bytes';
import { isSignetError } from '../../../../src/lib/errors';
import { decodeCbor } from '../../../../src/lib/notary/envelope/cbor';
import { decodeEnvelope, MAX_ENVELOPE_BYTES, signEnvelope } from '../../../../src/lib/notary/envelope';
import { encodePayload, parsePayload } from '../../../../src/lib/notary/payload';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { keySigner } from '../../../helpers/key-signer';
import { readFixture } from '../../../helpers/fixtures';

const RUNS = 100_000;

/** Runs `decode`, accepting success or a typed error; anything else is a bug. */
function mustBeTyped(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (e) {
    if (isSignetError(e)) return true;
    throw new Error(`untyped failure: ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

/** Mutations of a valid input: flips, truncation, insertion, duplication, splicing. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const b = seed.slice();
      b[i] = b[i]! ^ x;
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
    fc.tuple(fc.nat(seed.length - 1), fc.nat(seed.length - 1), fc.nat(64)).map(([from, to, len]) => {
      const b = seed.slice();
      b.set(seed.subarray(from, Math.min(from + len, seed.length)).subarray(0, Math.max(0, b.length - to)), to);
      return b;
    })
  );
}

/** Random JSON values, for structurally plausible JWS inputs. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 })
  )
})).value;

describe('decoders survive hostile input', () => {
  it('CBOR: random bytes and hand-made worst cases', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => mustBeTyped(() => decodeCbor(b))), { numRuns: RUNS });
    const worst = [
      new Uint8Array([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // 2^64-1 byte string
      new Uint8Array([0x9b, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]), // 4 G element array
      new Uint8Array([0xba, 0x7f, 0xff, 0xff, 0xff]), // huge map
      new Uint8Array(100_000).fill(0x81), // nesting 100,000 deep
      new Uint8Array(100_000).fill(0xc1), // tags nested 100,000 deep
      new Uint8Array([0x5f, 0x41, 0x00, 0xff]), // indefinite-length byte string
      new Uint8Array([0xa2, 0x01, 0x01, 0x01, 0x02]) // duplicate key
    ];
    for (const b of worst) {
      expect(() => decodeCbor(b)).toThrowError(expect.objectContaining({ code: 'ERR_CBOR_INVALID' }));
    }
  });

  it('COSE: 100,000+ inputs (random, mutated real envelopes, random CBOR inside tag 18)', async () => {
    const real = await readFixture('vectors/notation-go/internal/testdata/cose_signature.sig');
    const signer = await keySigner('EC-256');
    const own = await signEnvelope('cose', { payload: encodePayload({ mediaType: MediaType.ociManifest, digest: 'sha256:' + 'a'.repeat(64), size: 1 }, 'cose'), signingTime: new Date(), expiry: new Date(Date.now() + 1e9) }, signer);
    const decode = (b: Uint8Array) => mustBeTyped(() => decodeEnvelope(b, MediaType.cose));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), decode), { numRuns: RUNS / 4 });
    fc.assert(fc.property(mutated(real), decode), { numRuns: RUNS / 4 });
    fc.assert(fc.property(mutated(own), decode), { numRuns: RUNS / 4 });
    // Tag 18 + array(4) prefix followed by arbitrary bytes reaches the structural checks.
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (tail) => decode(new Uint8Array([0xd2, 0x84, ...tail]))), { numRuns: RUNS / 4 });
  });

  it('COSE: specific malformed envelopes give clear messages', async () => {
    const real = await readFixture('vectors/notation-go/internal/testdata/cose_signature.sig');
    const untagged = real.subarray(1);
    expect(() => decodeEnvelope(untagged, MediaType.cose)).toThrowError(/COSE_Sign1_Tagged/);
    const wrongTag = real.slice();
    wrongTag[0] = 0xd1;
    expect(() => decodeEnvelope(wrongTag, MediaType.cose)).toThrowError(/tag 18/);
    expect(() => decodeEnvelope(real.subarray(0, 100), MediaType.cose)).toThrowError(/truncated/);
    // A tar archive (layer) where an envelope was expected.
    const tar = new Uint8Array(1024);
    tar.set(utf8Encode('layer.txt'), 0);
    tar.set(utf8Encode('ustar'), 257);
    expect(() => decodeEnvelope(tar, MediaType.cose)).toThrowError(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
    expect(() => decodeEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1), MediaType.cose)).toThrowError(
      expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' })
    );
    expect(() => decodeEnvelope(real, 'application/vnd.oci.image.layer.v1.tar')).toThrowError(
      expect.objectContaining({ code: 'ERR_ENVELOPE_UNSUPPORTED' })
    );
  });

  it('JWS: 100,000+ inputs (random text, mutated real envelopes, random JSON objects)', async () => {
    const real = await readFixture('vectors/notation-go/internal/testdata/jws_signature.sig');
    const decode = (b: Uint8Array) => mustBeTyped(() => decodeEnvelope(b, MediaType.jws));
    fc.assert(fc.property(fc.string({ maxLength: 128 }), (s) => decode(utf8Encode(s))), { numRuns: RUNS / 4 });
    fc.assert(fc.property(mutated(real), decode), { numRuns: RUNS / 4 });
    fc.assert(
      fc.property(
        fc.record({ payload: jsonValue, protected: jsonValue, header: jsonValue, signature: jsonValue }, { requiredKeys: [] }),
        (o) => decode(utf8Encode(JSON.stringify(o)))
      ),
      { numRuns: RUNS / 4 }
    );
    // Valid outer shape with random base64url-ish parts reaches the header checks.
    const b64 = fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/);
    fc.assert(
      fc.property(b64, b64, b64, (p, h, s) => decode(utf8Encode(JSON.stringify({ payload: p, protected: h, signature: s, header: { x5c: ['MAA='] } })))),
      { numRuns: RUNS / 4 }
    );
    expect(() => decodeEnvelope(utf8Encode('['.repeat(100_000)), MediaType.jws)).toThrowError(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
  });

  it('payload: 100,000+ inputs', () => {
    const decode = (b: Uint8Array) => mustBeTyped(() => parsePayload(b));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), decode), { numRuns: RUNS / 2 });
    fc.assert(fc.property(fc.record({ targetArtifact: jsonValue }, { requiredKeys: [] }), (o) => decode(utf8Encode(JSON.stringify(o)))), {
      numRuns: RUNS / 2
    });
  });
});
