import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, toArrayBuffer } from '../../../src/lib/bytes';
import {
  certificateRequestToPem,
  certificatesToPem,
  createCertificateSigningRequest,
  createSelfSignedCertificate,
  notationTestSubject,
  validateChainForKey
} from '../../../src/lib/keys/certificates';
import { generateSigningKeyPair, type SigningKeyPair } from '../../../src/lib/keys/generate';
import { KEY_SPECS, type KeySpec } from '../../../src/lib/notary/algorithms';
import { OID, parseCertificate, parseCertificates, signatureAlgorithmForCertificate, validateCertificateChain } from '../../../src/lib/notary/x509';
import { OIDS, createTestChain, issueCertificate, x509, type TestCert } from '../../helpers/test-pki';
import { expectCode } from './helpers';

const keys = new Map<KeySpec, Promise<SigningKeyPair>>();
function keyFor(spec: KeySpec): Promise<SigningKeyPair> {
  let k = keys.get(spec);
  if (!k) keys.set(spec, (k = generateSigningKeyPair(spec)));
  return k;
}

async function jwkOf(key: CryptoKey): Promise<JsonWebKey> {
  const { kty, n, e, crv, x, y } = await crypto.subtle.exportKey('jwk', key);
  return kty === 'RSA' ? { kty, n, e } : { kty, crv, x, y };
}

const CERT_SIGNATURE: Record<KeySpec, string> = {
  'RSA-2048': 'SHA256-RSAPSS',
  'RSA-3072': 'SHA384-RSAPSS',
  'RSA-4096': 'SHA512-RSAPSS',
  'EC-256': 'ECDSA-SHA256',
  'EC-384': 'ECDSA-SHA384',
  'EC-521': 'ECDSA-SHA512'
};

describe('createSelfSignedCertificate (like notation cert generate-test)', () => {
  it.each(KEY_SPECS)('%s: a self-signed code-signing certificate that passes the Notary leaf profile', async (spec) => {
    const key = await keyFor(spec);
    const now = new Date();
    const der = await createSelfSignedCertificate(key, { subject: notationTestSubject('wabbit-networks.io'), validityDays: 30, now });
    const cert = await parseCertificate(der);
    expect(cert.subject).toBe('CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.version).toBe(3);
    expect(cert.keyUsage).toEqual({ critical: true, usages: ['digitalSignature'] });
    expect(cert.extendedKeyUsage).toEqual({ critical: false, oids: [OID.ekuCodeSigning] });
    expect(cert.basicConstraints).toBeUndefined();
    expect(cert.signatureAlgorithm.name).toBe(CERT_SIGNATURE[spec]);
    expect(signatureAlgorithmForCertificate(cert).keySpec).toBe(spec);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(30 * 86_400_000);
    expect(cert.notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(now.getTime() - cert.notBefore.getTime()).toBeLessThan(62_000);
    // The chain rules notation applies when it signs, and the signer-side anyEKU rule.
    await validateCertificateChain([cert], 'codeSigning', { signingTime: now, rejectAnyExtendedKeyUsage: true });
    // It is this key's certificate.
    const certKey = await crypto.subtle.importKey('spki', cert.publicKey.spki.slice(), key.publicKey.algorithm, true, ['verify']);
    expect(await jwkOf(certKey)).toEqual(await jwkOf(key.publicKey));
    expect(await validateChainForKey(certificatesToPem([der]), key)).toEqual([der]);
  });

  it('writes the subject fields a person chose, in Go order, UTF-8 where needed', async () => {
    const key = await keyFor('EC-256');
    const der = await createSelfSignedCertificate(key, {
      subject: { commonName: ' Release signing ', organization: 'Acme AG', organizationalUnit: 'Platform', locality: 'Zürich', state: 'ZH', country: 'ch' },
      validityDays: 1
    });
    const cert = await parseCertificate(der);
    expect(cert.subject).toBe('CN=Release signing,OU=Platform,O=Acme AG,L=Zürich,ST=ZH,C=CH');
    expect(cert.subjectAttributes.map((a) => a.type)).toEqual(['C', 'ST', 'L', 'O', 'OU', 'CN']);
  });

  it('gives every certificate a new positive serial number', async () => {
    const key = await keyFor('EC-256');
    const a = await parseCertificate(await createSelfSignedCertificate(key, { subject: { commonName: 'a' } }));
    const b = await parseCertificate(await createSelfSignedCertificate(key, { subject: { commonName: 'a' } }));
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.serialNumber.length).toBeGreaterThanOrEqual(31);
    expect(a.notAfter.getTime() - a.notBefore.getTime()).toBe(365 * 86_400_000);
  });

  it('refuses subjects and validity it cannot write, naming the field', async () => {
    const key = await keyFor('EC-256');
    const make = (o: Parameters<typeof createSelfSignedCertificate>[1]) => createSelfSignedCertificate(key, o);
    await expectCode(make({ subject: { commonName: '  ' } }), 'ERR_INPUT_INVALID', /common name is empty/);
    await expectCode(make({ subject: { commonName: 'x'.repeat(65) } }), 'ERR_INPUT_INVALID', /common name is longer than 64/);
    await expectCode(make({ subject: { commonName: 'a', country: 'USA' } }), 'ERR_INPUT_INVALID', /two-letter code/);
    await expectCode(make({ subject: { commonName: 'a\nb' } }), 'ERR_INPUT_INVALID', /control characters/);
    await expectCode(make({ subject: null as never }), 'ERR_INPUT_INVALID', /subject/);
    for (const validityDays of [0, -1, 1.5, 3651, Number.NaN]) {
      await expectCode(make({ subject: { commonName: 'a' }, validityDays }), 'ERR_INPUT_INVALID', /validity is .* days; expected a whole number from 1 to 3650/);
    }
  });

  it('refuses a certificate that would not be valid at the time it is checked', async () => {
    const key = await keyFor('EC-256');
    const now = new Date();
    await expectCode(
      createSelfSignedCertificate(key, { subject: { commonName: 'later' }, notBefore: new Date(now.getTime() + 86_400_000), now }),
      'ERR_CERT_NOT_YET_VALID',
      /was invalid at signing time/
    );
  });
});

describe('createCertificateSigningRequest', () => {
  it.each(['EC-384', 'RSA-3072'] as const)('%s: a PKCS#10 request signed by the key, asking for a code-signing certificate', async (spec) => {
    const key = await keyFor(spec);
    const der = await createCertificateSigningRequest(key, { commonName: 'build.example.com', organization: 'Example', country: 'SE' });
    const pem = certificateRequestToPem(der);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE REQUEST-----\n$/);
    const csr = new x509.Pkcs10CertificateRequest(pem);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('C=SE, O=Example, CN=build.example.com');
    expect(await jwkOf(await csr.publicKey.export(key.publicKey.algorithm, ['verify']))).toEqual(await jwkOf(key.publicKey));
    const ku = csr.getExtension(OID.keyUsage) as InstanceType<typeof x509.KeyUsagesExtension> | null;
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    const eku = csr.getExtension(OID.extKeyUsage) as InstanceType<typeof x509.ExtendedKeyUsageExtension> | null;
    expect(eku?.usages).toEqual([OIDS.codeSigning]);
    // Changing one letter of the signed subject (still valid DER) breaks the request's signature.
    const tampered = der.slice();
    const cn = new TextEncoder().encode('build.example.com');
    const at = tampered.findIndex((_, i) => cn.every((b, j) => tampered[i + j] === b));
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'B'.charCodeAt(0);
    const forged = new x509.Pkcs10CertificateRequest(tampered);
    expect(forged.subject).toBe('C=SE, O=Example, CN=Build.example.com');
    const verified = await forged.verify();
    expect(verified).toBe(false);
  });
});

describe('validateChainForKey (importing the chain a CA issued)', () => {
  let root: TestCert;
  let intermediate: TestCert;
  let key: SigningKeyPair;
  let caSigningKey: CryptoKey;

  /** The CA side: read the request, check its signature, issue a certificate for its key. */
  async function issueFromRequest(
    csrDer: Uint8Array,
    o: { ku?: number | null; eku?: string[] | null; notBefore?: Date; notAfter?: Date } = {}
  ): Promise<Uint8Array> {
    const csr = new x509.Pkcs10CertificateRequest(toArrayBuffer(csrDer));
    if (!(await csr.verify())) throw new Error('bad CSR');
    const extensions: InstanceType<typeof x509.Extension>[] = [];
    if (o.ku !== null) extensions.push(new x509.KeyUsagesExtension(o.ku ?? x509.KeyUsageFlags.digitalSignature, true));
    if (o.eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku ?? [OIDS.codeSigning], false));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '0badc0de',
      subject: csr.subject,
      issuer: intermediate.subject,
      notBefore: o.notBefore ?? new Date('2020-01-01T00:00:00Z'),
      notAfter: o.notAfter ?? new Date('2100-01-01T00:00:00Z'),
      publicKey: csr.publicKey,
      signingKey: caSigningKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
      extensions
    });
    return new Uint8Array(cert.rawData);
  }

  beforeAll(async () => {
    const pki = await createTestChain({ keySpec: 'EC-384', caKeySpec: 'EC-384', intermediates: 1 });
    root = pki.root;
    intermediate = pki.intermediates[0]!;
    caSigningKey = await crypto.subtle.importKey('pkcs8', intermediate.key.pkcs8, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
    key = await keyFor('EC-256');
  });

  async function csr(): Promise<Uint8Array> {
    return createCertificateSigningRequest(key, { commonName: 'team-a signing', organization: 'Corp' });
  }

  it('accepts the chain issued for the key, leaf → intermediate → root, as PEM or DER', async () => {
    const leaf = await issueFromRequest(await csr());
    const pem = certificatesToPem([leaf, intermediate.der, root.der]);
    expect(pem).not.toMatch(/PRIVATE/);
    expect(await validateChainForKey(pem, key)).toEqual([leaf, intermediate.der, root.der]);
    expect(await validateChainForKey(concatBytes(leaf, intermediate.der, root.der), key)).toEqual([leaf, intermediate.der, root.der]);
    const parsed = await parseCertificates(new TextEncoder().encode(pem));
    expect(parsed[0]!.subject).toBe('CN=team-a signing,O=Corp');
  });

  it('refuses a chain issued for another key', async () => {
    const other = await createTestChain({ keySpec: 'EC-256', caKeySpec: 'EC-384', intermediates: 1 });
    await expectCode(
      validateChainForKey(certificatesToPem(other.chain), key),
      'ERR_CERT_KEY_MISMATCH',
      /leaf certificate "CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US" is for a different key \(EC P-256\), not this EC-256 key/
    );
    const rsa = await createTestChain({ keySpec: 'RSA-2048' });
    await expectCode(validateChainForKey(certificatesToPem(rsa.chain), key), 'ERR_CERT_KEY_MISMATCH', /RSA 2048-bit/);
  });

  it('says to reorder a chain whose leaf is not first', async () => {
    const leaf = await issueFromRequest(await csr());
    await expectCode(validateChainForKey(certificatesToPem([root.der, intermediate.der, leaf]), key), 'ERR_CERT_CHAIN_INVALID', /is number 3; put it first/);
  });

  it('refuses chains that break the Notary profile or chain rules', async () => {
    const ok = await issueFromRequest(await csr());
    await expectCode(validateChainForKey(certificatesToPem([ok, intermediate.der]), key), 'ERR_CERT_CHAIN_INVALID', /root certificate .* not self-signed/);
    await expectCode(validateChainForKey(certificatesToPem([ok, root.der]), key), 'ERR_CERT_CHAIN_INVALID', /is not issued by/);
    const serverAuth = await issueFromRequest(await csr(), { eku: [OIDS.serverAuth] });
    await expectCode(validateChainForKey(certificatesToPem([serverAuth, intermediate.der, root.der]), key), 'ERR_CERT_PROFILE', /must not contain ServerAuth eku/);
    const anyEku = await issueFromRequest(await csr(), { eku: [OIDS.anyExtendedKeyUsage] });
    await expectCode(validateChainForKey(certificatesToPem([anyEku, intermediate.der, root.der]), key), 'ERR_CERT_PROFILE', /must not contain Any eku/);
    const noKu = await issueFromRequest(await csr(), { ku: null });
    await expectCode(validateChainForKey(certificatesToPem([noKu, intermediate.der, root.der]), key), 'ERR_CERT_PROFILE', /key usage extension must be present/);
    const encipher = await issueFromRequest(await csr(), { ku: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment });
    await expectCode(validateChainForKey(certificatesToPem([encipher, intermediate.der, root.der]), key), 'ERR_CERT_PROFILE', /KeyEncipherment/);
    const expired = await issueFromRequest(await csr(), { notAfter: new Date('2021-01-01T00:00:00Z') });
    await expectCode(validateChainForKey(certificatesToPem([expired, intermediate.der, root.der]), key), 'ERR_CERT_EXPIRED', /was invalid at signing time/);
    await expectCode(validateChainForKey('no certificate here', key), 'ERR_CERT_INVALID');
    await expectCode(validateChainForKey(new Uint8Array(0), key), 'ERR_CERT_INVALID');
  });
});
