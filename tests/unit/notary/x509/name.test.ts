import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../../src/lib/bytes';
import { parseNameBytes } from '../../../../src/lib/notary/x509/name';

/**
 * DER Names and the string Go 1.26 prints for them: a throwaway Go program marshalled each
 * pkix.RDNSequence, unmarshalled it, and printed pkix.Name.String() (the rendering notation uses in
 * messages and matches x509.subject identities against).
 */
const GO_RENDERINGS: [string, string][] = [
  ['3061310b3009060355040613025553310b30090603550408130257413110300e0603550407130753656174746c65310f300d060355040a13064e6f74617279310a3008060355040b130141310a3008060355040b130142310a30080603550403130178', "CN=x,OU=A+OU=B,O=Notary,L=Seattle,ST=WA,C=US"],
  ['30233114300806035504031301613008060355040a130162310b3009060355040613025553', "CN=a,O=b,C=US"],
  ['302f310e300c060355040313056669727374310f300d060355040313067365636f6e64310c300a060355040a13034f7267', "CN=second,O=Org"],
  ['3051310b3009060355040613025553311a301806092a864886f70d010901160b6140622e6578616d706c6531173015060a0992268993f22c64011916076578616d706c65310d300b060355040313046d61696c', "CN=mail,C=US,0.9.2342.19200300.100.1.25=#13076578616d706c65,1.2.840.113549.1.9.1=#0c0b6140622e6578616d706c65"],
  ['30473123302106035504030c1a206c6561642c20636f6d6d612b706c757322715c623c3e3b2320310e300c060355040a0c0523686173683110300e060355040b0c07696e2373696465', "CN=\\ lead\\, comma\\+plus\\\"q\\\\b\\<\\>\\;#\\ ,OU=in#side,O=\\#hash"],
  ['3056310d300b0603550405130431323334310e300c060355041113053938313031311230100603550409130931204d61696e2053743114301206035504030c0bc39c6ec3af63c3b664c3a9310b3009060355040613024445', "SERIALNUMBER=1234,CN=Ünïcödé,POSTALCODE=98101,STREET=1 Main St,C=DE"],
  ['302c3109300706035504031300310d300b060355040a13044e6f434e3110300e060355040c0c075469746c652a26', "O=NoCN,2.5.4.12=#0c075469746c652a26"],
  ['30353110300e060355040c13074d616e61676572310c300a060355040a13034f726731133011060355042a130a476976656e204e616d65', "O=Org,2.5.4.42=#130a476976656e204e616d65,2.5.4.12=#13074d616e61676572"],
];

describe('Go pkix.Name.String() rendering', () => {
  it.each(GO_RENDERINGS)('renders %s like Go', (hex, expected) => {
    expect(parseNameBytes(fromHex(hex), 'name').display).toBe(expected);
  });

  it('keeps every attribute, in certificate order, with Go short names only for Go-known types', () => {
    const [hex] = GO_RENDERINGS[3]!;
    expect(parseNameBytes(fromHex(hex), 'subject').attributes).toEqual([
      { oid: '2.5.4.6', type: 'C', value: 'US' },
      { oid: '1.2.840.113549.1.9.1', value: 'a@b.example' },
      { oid: '0.9.2342.19200300.100.1.25', value: 'example' },
      { oid: '2.5.4.3', type: 'CN', value: 'mail' }
    ]);
    const multi = parseNameBytes(fromHex(GO_RENDERINGS[1]![0]), 'subject');
    expect(multi.rdns.map((rdn) => rdn.length)).toEqual([2, 1]);
  });

  it('decodes BMPString, T61String (as Latin-1) and NumericString values, and refuses other value types as Go does', () => {
    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, <value> } } }
    const name = (value: number[]) => {
      const atv = [0x06, 0x03, 0x55, 0x04, 0x03, ...value];
      const seq = [0x30, atv.length, ...atv];
      const set = [0x31, seq.length, ...seq];
      return new Uint8Array([0x30, set.length, ...set]);
    };
    expect(parseNameBytes(name([0x1e, 0x04, 0x00, 0x48, 0x00, 0x69]), 'n').display).toBe('CN=Hi');
    expect(parseNameBytes(name([0x14, 0x02, 0xe9, 0x41]), 'n').display).toBe('CN=éA');
    expect(parseNameBytes(name([0x12, 0x03, 0x31, 0x20, 0x32]), 'n').display).toBe('CN=1 2');
    expect(() => parseNameBytes(name([0x02, 0x01, 0x05]), 'subject')).toThrowError(/unsupported string type/); // INTEGER
    expect(() => parseNameBytes(name([0x13, 0x01, 0x40]), 'subject')).toThrowError(/invalid PrintableString/); // '@'
    expect(() => parseNameBytes(name([0x0c, 0x01, 0xff]), 'subject')).toThrowError(/invalid UTF-8/);
    expect(() => parseNameBytes(name([0x16, 0x01, 0x80]), 'subject')).toThrowError(/invalid IA5String/);
    expect(() => parseNameBytes(name([0x1e, 0x02, 0xd8, 0x00]), 'subject')).toThrowError(/invalid BMPString/); // surrogate
  });
});
