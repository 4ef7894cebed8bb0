// Signet encodes, Signet decodes and verifies, for 2 formats × 6 key types; flipping any single
// byte of the signature, the protected header or the payload makes verification fail.
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../../../../src/lib/bytes';
import { isSignetError } from '../../../../src/lib/errors';
import { KEY_SPECS } from '../../../../src/lib/notary/algorithms';
import { CborTag, decodeCbor, encodeCbor, tagged } from '../../../../src/lib/notary/envelope/cbor';
import { decodeEnvelope, signEnvelope, verifyEnvelopeSignature, type EnvelopeFormat } from '../../../../src/lib/notary/envelope';
import { encodePayload, parsePayload } from '../../../../src/lib/notary/payload';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { keySigner } from '../../../helpers/key-signer';

const target = {
  mediaType: MediaType.ociManifest,
  digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0',
  size: 481,
  annotations: { 'io.example.buildId': '42' }
};
const FORMATS: EnvelopeFormat[] = ['cose', 'jws'];
const mediaTypeOf = (f: EnvelopeFormat) => (f === 'cose' ? MediaType.cose : MediaType.jws);

type Part = 'signature' | 'protected' | 'payload';

/** Rebuilds an envelope with one byte of one decoded part flipped, keeping everything else as signed. */
function tamper(format: EnvelopeFormat, bytes: Uint8Array, part: Part, index: number): Uint8Array {
  const flip = (b: Uint8Array) => {
    const copy = b.slice();
    copy[index] = copy[index]! ^ 0xff;
    return copy;
  };
  if (format === 'cose') {
    const tag = decodeCbor(bytes) as CborTag;
    const [prot, unprot, payload, sig] = tag.value as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
    const parts = { protected: prot, payload, signature: sig };
    parts[part] = flip(parts[part]);
    return encodeCbor(tagged([parts.protected, unprot as never, parts.payload, parts.signature], 18));
  }
  const json = JSON.parse(utf8Decode(bytes)) as Record<string, string>;
  json[part] = base64UrlEncode(flip(base64UrlDecode(json[part]!)));
  return utf8Encode(JSON.stringify(json));
}

function partLength(format: EnvelopeFormat, bytes: Uint8Array, part: Part): number {
  if (format === 'cose') {
    const [prot, , payload, sig] = (decodeCbor(bytes) as CborTag).value as Uint8Array[];
    return { protected: prot!, payload: payload!, signature: sig! }[part].length;
  }
  const json = JSON.parse(utf8Decode(bytes)) as Record<string, string>;
  return base64UrlDecode(json[part]!).length;
}

/** Verification outcome of possibly malformed bytes: decoding errors must be typed. */
async function verifies(format: EnvelopeFormat, bytes: Uint8Array, key: CryptoKey): Promise<boolean> {
  try {
    return await verifyEnvelopeSignature(decodeEnvelope(bytes, mediaTypeOf(format)), key);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return false;
  }
}

describe.each(FORMATS)('%s envelopes', (format) => {
  it.each(KEY_SPECS)('round-trips and detects every flipped byte with %s', async (keySpec) => {
    const signer = await keySigner(keySpec);
    const signingTime = new Date('2025-03-04T05:06:07.890Z');
    const expiry = new Date('2030-01-01T00:00:00Z');
    const bytes = await signEnvelope(
      format,
      { payload: encodePayload(target, format), signingTime, expiry, signingAgent: 'Signet/test' },
      signer
    );
    const envelope = decodeEnvelope(bytes, mediaTypeOf(format));
    expect(envelope.algorithm.keySpec).toBe(keySpec);
    expect(envelope.signedAttributes.signingScheme).toBe('notary.x509');
    expect(envelope.signedAttributes.signingTime.toISOString()).toBe('2025-03-04T05:06:07.000Z');
    expect(envelope.signedAttributes.expiry?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(envelope.signedAttributes.contentType).toBe(MediaType.notaryPayload);
    expect(envelope.unsignedAttributes.signingAgent).toBe('Signet/test');
    expect(parsePayload(envelope.payload.content)).toEqual({ targetArtifact: target });
    expect(await verifyEnvelopeSignature(envelope, signer.publicKey)).toBe(true);

    for (const part of ['signature', 'protected', 'payload'] as Part[]) {
      const n = partLength(format, bytes, part);
      let failures = 0;
      for (let i = 0; i < n; i++) {
        if (!(await verifies(format, tamper(format, bytes, part, i), signer.publicKey))) failures++;
      }
      expect(failures, `${part}: every one of ${n} flipped bytes must fail`).toBe(n);
    }
  });
});

describe('signing rules', () => {
  it('refuses an expiry that is not after the signing time', async () => {
    const signer = await keySigner('EC-256');
    const t = new Date('2025-01-01T00:00:00Z');
    for (const format of FORMATS) {
      await expect(signEnvelope(format, { payload: encodePayload(target, format), signingTime: t, expiry: t }, signer)).rejects.toMatchObject({
        code: 'ERR_HEADER_INVALID',
        message: 'expiry cannot be equal or before the signing time'
      });
    }
  });

  it('writes notation-style payload layouts: struct order for COSE, sorted keys for JWS', () => {
    expect(utf8Decode(encodePayload(target, 'cose'))).toBe(
      '{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0","size":481,"annotations":{"io.example.buildId":"42"}}}'
    );
    expect(utf8Decode(encodePayload(target, 'jws'))).toBe(
      '{"targetArtifact":{"annotations":{"io.example.buildId":"42"},"digest":"sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0","mediaType":"application/vnd.oci.image.manifest.v1+json","size":481}}'
    );
    // Go escapes HTML characters in JSON strings.
    expect(utf8Decode(encodePayload({ ...target, annotations: { note: '<a&b>' } }, 'cose'))).toContain('"note":"\\u003ca\\u0026b\\u003e"');
  });
});
