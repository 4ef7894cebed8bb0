// The notation-core-go encoding conformance vectors: given the same sign request, the protected
// header Signet writes must be byte-identical to the reference implementation's.
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, fromHex, toHex, utf8Decode } from '../../../../src/lib/bytes';
import { decodeCbor } from '../../../../src/lib/notary/envelope/cbor';
import { encodeCoseProtectedHeader, encodeJwsProtectedHeader } from '../../../../src/lib/notary/envelope';
import { readFixtureJson } from '../../../helpers/fixtures';

interface CoseConformance {
  signingTime: number;
  expiry: number;
  payload: string;
  protectedHeaders: { cborHex: string };
  expectedOutput: { cborHex: string };
}
interface JwsConformance {
  payload: string;
  protected: string;
  header: Record<string, string>;
}

describe('notation-core-go conformance vectors', () => {
  it('COSE: protected header bytes equal the vector (PS384, expiry, critical and plain extended attributes)', async () => {
    const v = await readFixtureJson<CoseConformance>('vectors/notation-core-go/signature/cose/testdata/conformance.json');
    const bytes = encodeCoseProtectedHeader(
      {
        payload: fromHex(v.payload),
        signingTime: new Date(v.signingTime * 1000),
        expiry: new Date(v.expiry * 1000),
        extendedAttributes: [
          { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
          { key: 'signedKey1', value: 'signedValue1', critical: false }
        ]
      },
      -38
    );
    expect(toHex(bytes)).toBe(v.protectedHeaders.cborHex.toLowerCase());
    // The vector's full envelope carries these very bytes as its protected bstr.
    const envelope = decodeCbor(fromHex(v.expectedOutput.cborHex)) as { value: Uint8Array[] };
    expect(toHex(envelope.value[0]!)).toBe(toHex(bytes));
  });

  it('COSE: sub-second times are truncated to whole seconds as notation does', async () => {
    const v = await readFixtureJson<CoseConformance>('vectors/notation-core-go/signature/cose/testdata/conformance.json');
    const req = {
      payload: fromHex(v.payload),
      signingTime: new Date(v.signingTime * 1000 + 999),
      expiry: new Date(v.expiry * 1000 + 1),
      extendedAttributes: [
        { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
        { key: 'signedKey1', value: 'signedValue1', critical: false }
      ]
    };
    expect(toHex(encodeCoseProtectedHeader(req, -38))).toBe(v.protectedHeaders.cborHex.toLowerCase());
  });

  it('JWS: the base64url protected string equals the vector (ES256, sorted keys, crit order)', async () => {
    const v = await readFixtureJson<JwsConformance>('vectors/notation-core-go/signature/jws/testdata/conformance.json');
    const decoded = JSON.parse(utf8Decode(base64UrlDecode(v.protected))) as Record<string, string>;
    const text = encodeJwsProtectedHeader(
      {
        payload: base64UrlDecode(v.payload),
        signingTime: new Date(decoded['io.cncf.notary.signingTime']!),
        expiry: new Date(decoded['io.cncf.notary.expiry']!),
        extendedAttributes: [
          { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
          { key: 'signedKey1', value: 'signedValue1', critical: false },
          { key: 'signedKey2', value: 'signedValue1', critical: false },
          { key: 'signedKey3', value: 'signedValue1', critical: false },
          { key: 'signedKey4', value: 'signedValue1', critical: false }
        ]
      },
      'ES256'
    );
    expect(text).toBe(v.protected);
  });
});
