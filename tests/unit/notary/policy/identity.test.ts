import { describe, expect, it } from 'vitest';
import {
  goSubjectString,
  isSubsetDn,
  matchTrustedIdentities,
  parseDistinguishedName,
  parseLeafSubject,
  parseTrustedIdentity,
  sortedAttributeTypes,
  type SubjectAttribute
} from '../../../../src/lib/notary/policy/identity';
import { parseCertificates } from '../../../../src/lib/notary/x509/certificate';
// Chromium cannot fetch .pem/.crt fixtures from Vite's server; the x509 tests keep byte-exact copies.
import { loadFixture } from '../x509/load-fixture';

const MANDATORY_HINT = "it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum";
const PARSE_HINT = "A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard";

function dnError(dn: string): string {
  try {
    parseDistinguishedName(dn);
  } catch (e) {
    expect((e as { code: string }).code).toBe('ERR_TRUST_POLICY_INVALID');
    return (e as Error).message;
  }
  throw new Error(`parsed: ${dn}`);
}

describe('parseDistinguishedName: go-ldap ParseDN plus notation rules', () => {
  it.each<[string, Record<string, string>]>([
    ['C=US,ST=WA,O=Acme', { C: 'US', ST: 'WA', O: 'Acme' }],
    [' C=US, ST=WA ,  O=Acme  ', { C: 'US', ST: 'WA', O: 'Acme' }],
    ['C=US;S=WA;O=Acme', { C: 'US', ST: 'WA', O: 'Acme' }],
    ['CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US', { CN: 'Notation Test Root', O: 'Notary', L: 'Seattle', ST: 'WA', C: 'US' }],
    ['C=US,ST=WA,O=Acme\\, Inc.', { C: 'US', ST: 'WA', O: 'Acme, Inc.' }],
    ['C=US,ST=WA,O=a\\;b\\\\c\\+d\\=e\\"f\\<g\\>h\\#i', { C: 'US', ST: 'WA', O: 'a;b\\c+d=e"f<g>h#i' }],
    ['C=US,ST=WA,O=\\ lead,CN=trail\\ ', { C: 'US', ST: 'WA', O: ' lead', CN: 'trail ' }],
    ['C=US,ST=WA,O=\\41cme', { C: 'US', ST: 'WA', O: 'Acme' }],
    ['C=US,ST=WA,O=M\\c3\\bcller', { C: 'US', ST: 'WA', O: 'Müller' }],
    ['C=US,ST=WA,O=x=y', { C: 'US', ST: 'WA', O: 'x=y' }],
    ['\\43=US,ST=WA,O=Acme', { C: 'US', ST: 'WA', O: 'Acme' }],
    ['C=,C=US,ST=WA,O=Acme', { C: 'US', ST: 'WA', O: 'Acme' }],
    ['C=US,ST=WA,O=Acme,OU=', { C: 'US', ST: 'WA', O: 'Acme', OU: '' }],
    ['C=DE,ST=Bayern,O=Müller & Söhne,CN=ビルダー', { C: 'DE', ST: 'Bayern', O: 'Müller & Söhne', CN: 'ビルダー' }]
  ])('%s', (dn, attributes) => {
    expect(parseDistinguishedName(dn).attributes).toEqual(attributes);
  });

  it('keeps an escaped-backslash trailing space as go-ldap does', () => {
    expect(parseDistinguishedName('C=US,ST=WA,O=a\\\\ ').attributes['O']).toBe('a\\ ');
  });

  it('keeps non-UTF-8 bytes from hex escapes as bytes (never equal to text)', () => {
    const dn = parseDistinguishedName('C=US,ST=WA,O=\\ff');
    expect(dn.bytes.get('O')).toBe('\xff');
    expect(dn.attributes['O']).toBe('\ufffd');
    expect(isSubsetDn(dn, parseDistinguishedName('C=US,ST=WA,O=\ufffd'))).toBe(false);
  });

  it.each<[string, string]>([
    ['C=US,ST=WA,O=#0c0141', 'unsupported distinguished name (DN) "C=US,ST=WA,O=#0c0141": notation does not support x509.subject identities containing "=#"'],
    ['C=US,ST=WA,O=a\\=#b', 'unsupported distinguished name (DN) "C=US,ST=WA,O=a\\\\=#b": notation does not support x509.subject identities containing "=#"'],
    ['C=US+ST=WA,O=Acme', 'distinguished name (DN) "C=US+ST=WA,O=Acme" has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported'],
    ['C=US,ST=WA,O=A,O=B', 'distinguished name (DN) "C=US,ST=WA,O=A,O=B" has duplicate RDN attribute for "O", DN can only have unique RDN attributes'],
    ['C=US,S=WA,ST=WA,O=A', 'distinguished name (DN) "C=US,S=WA,ST=WA,O=A" has duplicate RDN attribute for "ST", DN can only have unique RDN attributes'],
    ['C=US,ST=WA', `distinguished name (DN) "C=US,ST=WA" has no mandatory RDN attribute for "O", ${MANDATORY_HINT}`],
    ['c=US,st=WA,o=A', `distinguished name (DN) "c=US,st=WA,o=A" has no mandatory RDN attribute for "C", ${MANDATORY_HINT}`],
    ['C=US,ST=,O=A', `distinguished name (DN) "C=US,ST=,O=A" has no mandatory RDN attribute for "ST", ${MANDATORY_HINT}`],
    ['   ', `distinguished name (DN) "   " has no mandatory RDN attribute for "C", ${MANDATORY_HINT}`],
    ['C=US,,ST=WA,O=A', `parsing distinguished name (DN) "C=US,,ST=WA,O=A" failed with err: incomplete type, value pair. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A,Builder', `parsing distinguished name (DN) "C=US,ST=WA,O=A,Builder" failed with err: DN ended with incomplete type, value pair. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A\\', `parsing distinguished name (DN) "C=US,ST=WA,O=A\\\\" failed with err: got corrupted escaped character: 'A\\'. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A\\4', `parsing distinguished name (DN) "C=US,ST=WA,O=A\\\\4" failed with err: failed to decode escaped character: encoding/hex: invalid byte: 4. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A\\zzb', `parsing distinguished name (DN) "C=US,ST=WA,O=A\\\\zzb" failed with err: failed to decode escaped character: encoding/hex: invalid byte: U+007A 'z'. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A\\4zb', `parsing distinguished name (DN) "C=US,ST=WA,O=A\\\\4zb" failed with err: failed to decode escaped character: encoding/hex: invalid byte: U+007A 'z'. ${PARSE_HINT}`],
    ['C=US,ST=WA,O=A\\éé', `parsing distinguished name (DN) "C=US,ST=WA,O=A\\\\éé" failed with err: failed to decode escaped character: invalid byte: éé. ${PARSE_HINT}`]
  ])('%s is rejected', (dn, message) => {
    expect(dnError(dn)).toBe(message);
  });

  it('compares attribute sets as notation (subset, absent = empty)', () => {
    const small = parseDistinguishedName('C=US,ST=WA,O=Acme');
    const big = parseDistinguishedName('C=US,ST=WA,O=Acme,CN=b');
    expect(isSubsetDn(small, big)).toBe(true);
    expect(isSubsetDn(big, small)).toBe(false);
    expect(isSubsetDn(parseDistinguishedName('C=US,ST=WA,O=Acme,OU='), small)).toBe(true);
    expect(sortedAttributeTypes(big)).toEqual(['C', 'CN', 'O', 'ST']);
  });

  it('classifies identities as notation does', () => {
    expect(parseTrustedIdentity('*')).toEqual({ kind: 'wildcard', raw: '*' });
    expect(parseTrustedIdentity('x509.san:a:b')).toEqual({ kind: 'other', raw: 'x509.san:a:b', prefix: 'x509.san', value: 'a:b' });
    expect(parseTrustedIdentity('x509.subject: C=US, S=WA, O=A')).toMatchObject({ kind: 'x509.subject', dn: { attributes: { C: 'US', ST: 'WA', O: 'A' } } });
    expect(() => parseTrustedIdentity('x509.subject')).toThrowError(/missing separator/);
  });
});

const a = (oid: string, value: string): SubjectAttribute => ({ oid, value });
const C = (v: string): SubjectAttribute => a('2.5.4.6', v);
const ST = (v: string): SubjectAttribute => a('2.5.4.8', v);
const O = (v: string): SubjectAttribute => a('2.5.4.10', v);
const OU = (v: string): SubjectAttribute => a('2.5.4.11', v);
const CN = (v: string): SubjectAttribute => a('2.5.4.3', v);

describe('goSubjectString: the leaf subject as Go renders it', () => {
  it.each<[string, SubjectAttribute[], string]>([
    ['reverse canonical order', [C('US'), ST('WA'), a('2.5.4.7', 'Seattle'), O('Notary'), CN('alpine')], 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US'],
    ['regrouped by type, whatever the certificate order', [CN('x'), O('o'), C('US'), ST('WA')], 'CN=x,O=o,ST=WA,C=US'],
    ['several values of a type become one multi-valued RDN', [C('US'), ST('WA'), O('o'), OU('a'), OU('b')], 'OU=a+OU=b,O=o,ST=WA,C=US'],
    ['only the last CN and SERIALNUMBER', [CN('first'), CN('last'), a('2.5.4.5', '1'), a('2.5.4.5', '2')], 'SERIALNUMBER=2,CN=last'],
    ['an empty CN disappears', [C('US'), CN('')], 'C=US'],
    ['street, postal code', [a('2.5.4.9', '1 Main'), a('2.5.4.17', '98101'), C('US')], 'POSTALCODE=98101,STREET=1 Main,C=US'],
    ['unknown attributes last, as OID=#DER (UTF8String)', [C('US'), a('1.2.840.113549.1.9.1', 'ci@acme.example')], 'C=US,1.2.840.113549.1.9.1=#0c0f63694061636d652e6578616d706c65'],
    ['unknown attributes last, as OID=#DER (PrintableString), in reverse order', [a('0.9.2342.19200300.100.1.25', 'com'), a('0.9.2342.19200300.100.1.25', 'acme'), O('o')], 'O=o,0.9.2342.19200300.100.1.25=#130461636d65,0.9.2342.19200300.100.1.25=#1303636f6d'],
    ['escapes , + " \\ < > ; and a leading # or space, a trailing space', [O('a,b+c"d\\e<f>g;h'), CN('#x'), OU(' y '), ST('mid dle#')], 'CN=\\#x,OU=\\ y\\ ,O=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h,ST=mid dle#'],
    ['long unknown values use a long DER length', [a('1.2.3', 'x'.repeat(200))], '1.2.3=#1381c8' + '78'.repeat(200)]
  ])('%s', (_what, subject, rendered) => {
    expect(goSubjectString(subject)).toBe(rendered);
  });

  it('matches the rendering of the x509 module on the vector certificates', async () => {
    const files = [
      'vectors/derived/leaf-certs-from-envelopes/alpine-2000-2123.9f5f5aecee24b5cf.pem',
      'vectors/derived/leaf-certs-from-envelopes/wabbit-networks.io-20230111.074394bc2532db1d.pem',
      'vectors/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem',
      'vectors/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/GlobalSignRootCA.crt',
      'vectors/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store-self-signed/openssl-minimum-self-signed.pem',
      'vectors/notation-go/verifier/testdata/truststore/x509/ca/trust-store-with-leaf-certs-in-single-file/RootAndLeafCerts.crt',
      'vectors/notation-go/verifier/testdata/truststore/x509/tsa/test-nonSelfIssued/nonSelfIssued.crt'
    ];
    for (const file of files) {
      for (const cert of await parseCertificates(await loadFixture(file), file)) {
        expect(goSubjectString(cert.subjectAttributes), file).toBe(cert.subject);
      }
    }
  });
});

describe('matchTrustedIdentities', () => {
  const notary: SubjectAttribute[] = [C('US'), ST('WA'), a('2.5.4.7', 'Seattle'), O('Notary'), CN('Notation Test Root')];

  it.each<[string, string[], SubjectAttribute[], boolean]>([
    ['* matches anything', ['*'], [CN('no mandatory attributes')], true],
    ['the full subject', ['x509.subject:CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US'], notary, true],
    ['a subset, with S and spaces', ['x509.subject: C=US, S=WA, O=Notary'], notary, true],
    ['any one of several', ['x509.subject:C=US,ST=WA,O=Other', 'x509.subject:C=US,ST=WA,O=Notary,CN=Notation Test Root'], notary, true],
    ['values are case-sensitive', ['x509.subject:C=US,ST=WA,O=notary'], notary, false],
    ['an attribute the leaf lacks', ['x509.subject:C=US,ST=WA,O=Notary,OU=Build'], notary, false],
    ['an empty attribute matches its absence', ['x509.subject:C=US,ST=WA,O=Notary,OU='], notary, true],
    ['two values of one type never match', ['x509.subject:C=US,ST=WA,O=o'], [C('US'), ST('WA'), O('o'), OU('a'), OU('b')], false],
    ['an attribute without a Go name never matches', ['x509.subject:C=US,ST=WA,O=o'], [C('US'), ST('WA'), O('o'), a('1.2.840.113549.1.9.1', 'a@b')], false],
    ['a leaf without ST never matches', ['x509.subject:C=US,O=o,ST='], [C('US'), O('o')], false],
    ['escaped characters compare after unescaping', ['x509.subject:C=US,ST=WA,O=Acme\\, Inc.\\ '], [C('US'), ST('WA'), O('Acme, Inc. ')], true]
  ])('%s', (_what, identities, leaf, matched) => {
    expect(matchTrustedIdentities('p', identities, leaf).matched).toBe(matched);
  });

  it('reports which identity matched', () => {
    expect(matchTrustedIdentities('p', ['other:x', 'x509.subject:C=US,ST=WA,O=Notary'], notary)).toEqual({ matched: true, identity: 'x509.subject:C=US,ST=WA,O=Notary' });
  });

  it('gives the messages of the Go tests (vectors INDEX §1b)', () => {
    expect(matchTrustedIdentities('test-statement-name', ['x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN'], notary)).toEqual({
      matched: false,
      message:
        'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]] defined in the trust policy "test-statement-name"'
    });
    expect(matchTrustedIdentities('test-statement-name', ['x509.subject'], notary)).toEqual({
      matched: false,
      message: 'trust policy statement "test-statement-name" has trusted identity "x509.subject" missing separator'
    });
    expect(matchTrustedIdentities('test-statement-name', ['x509.subject:'], notary)).toEqual({
      matched: false,
      message: 'trust policy statement "test-statement-name" has trusted identity "x509.subject:" without an identity value'
    });
  });

  it('explains the failures notation reports for identities and subjects it cannot use', () => {
    expect(matchTrustedIdentities('p', ['x509.san:a'], notary)).toEqual({ matched: false, message: 'no x509 trusted identities are configured in the trust policy "p"' });
    expect(matchTrustedIdentities('p', ['x509.subject:C=US'], notary)).toMatchObject({ matched: false, message: expect.stringMatching(/^distinguished name \(DN\) "C=US" has no mandatory RDN attribute for "ST"/) });
    expect(matchTrustedIdentities('p', ['x509.subject:C=US,ST=WA,O=o'], [C('US'), ST('WA'), O('o'), OU('a'), OU('b')])).toEqual({
      matched: false,
      message:
        'error while parsing the certificate subject from the digital signature. error : "distinguished name (DN) \\"OU=a+OU=b,O=o,ST=WA,C=US\\" has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported"'
    });
    expect(() => parseLeafSubject([C('US'), O('o')])).toThrowError(/has no mandatory RDN attribute for "ST"/);
  });

  it('lists several failed identities in order, keys sorted, values quoted as Go', () => {
    const r = matchTrustedIdentities('p', ['x509.subject:C=US,ST=WA,O=a\\"b', 'x509.subject:C=DE,ST=BY,O=Müller,CN=\\ff'], notary);
    expect(r).toEqual({
      matched: false,
      message:
        'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"US" "O":"a\\"b" "ST":"WA"] map["C":"DE" "CN":"\\xff" "O":"Müller" "ST":"BY"]] defined in the trust policy "p"'
    });
  });
});
