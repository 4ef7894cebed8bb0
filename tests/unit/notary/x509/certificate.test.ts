import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, concatBytes, utf8Encode } from '../../../../src/lib/bytes';
import { isSignetError, type SignetErrorCode } from '../../../../src/lib/errors';
import { algorithmByJws, algorithmByKeySpec } from '../../../../src/lib/notary/algorithms';
import {
  MAX_CERTIFICATE_BYTES,
  importVerificationKey,
  parseCertificate,
  parseCertificates,
  signatureAlgorithmForCertificate
} from '../../../../src/lib/notary/x509/certificate';
import { readFixture, readFixtureJson, readFixtureText } from '../../../helpers/fixtures';
import { loadFixture, loadFixtureText } from './load-fixture';
import { createSelfSignedLeaf, createTestChain, toPem } from '../../../helpers/test-pki';

const TS = 'vectors/notation-go/verifier/testdata/truststore/x509';

async function expectCode(p: Promise<unknown>, code: SignetErrorCode, message?: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(isSignetError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Node's X509Certificate prints DNs forward with ", "; Go prints them reversed with ",". */
function nodeStyle(goDn: string): string {
  return goDn.split(',').reverse().join(', ');
}

interface ChainEntry {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  key: string;
  ca: boolean;
  eku?: string[];
  sha256: string;
}
interface VectorRecord {
  id: string;
  files: string[];
  format: string;
  decoded?: { certChain?: ChainEntry[] };
}

describe('parseCertificate / parseCertificates on the vector certificates', () => {
  it('parses the Notation test root with Go-style DNs, key, constraints and usages', async () => {
    const [root, ...rest] = await parseCertificates(await loadFixture(`${TS}/ca/valid-trust-store/NotationTestRoot.pem`), 'NotationTestRoot.pem');
    expect(rest).toHaveLength(0);
    expect(root!.subject).toBe('CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US');
    expect(root!.issuer).toBe(root!.subject);
    expect(root!.isSelfIssued).toBe(true);
    expect(root!.subjectAttributes).toEqual([
      { oid: '2.5.4.6', type: 'C', value: 'US' },
      { oid: '2.5.4.8', type: 'ST', value: 'WA' },
      { oid: '2.5.4.7', type: 'L', value: 'Seattle' },
      { oid: '2.5.4.10', type: 'O', value: 'Notary' },
      { oid: '2.5.4.3', type: 'CN', value: 'Notation Test Root' }
    ]);
    expect(root!.publicKey.keyType).toBe('RSA');
    expect(root!.publicKey.keySize).toBe(3072);
    expect(root!.isCA).toBe(true);
    expect(root!.basicConstraints).toEqual({ critical: true, cA: true, pathLenConstraint: 1 });
    expect(root!.keyUsage).toEqual({ critical: true, usages: ['keyCertSign'] });
    expect(root!.extendedKeyUsage?.oids).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(root!.signatureAlgorithm.name).toBe('SHA256-RSA');
    expect(root!.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.11');
    expect(root!.notBefore.toISOString()).toBe('2020-09-09T07:00:00.000Z');
    expect(root!.notAfter.toISOString()).toBe('2122-09-05T20:38:45.000Z');
    expect(root!.sha256Fingerprint).toMatch(/^86df80412a63eb55[0-9a-f]{48}$/);
    expect(Object.isFrozen(root)).toBe(true);
    expect(Object.isFrozen(root!.subjectAttributes[0])).toBe(true);
    expect(Object.isFrozen(root!.keyUsage!.usages)).toBe(true);
  });

  it('reads the same GlobalSign R3 root from DER and PEM files with identical bytes and fingerprint', async () => {
    const [fromDer] = await parseCertificates(await readFixture(`${TS}/ca/valid-trust-store/GlobalSign.der`));
    const [fromPem] = await parseCertificates(await loadFixture(`${TS}/ca/valid-trust-store/GlobalSignRootCA.crt`));
    expect(fromDer!.sha256Fingerprint).toBe(fromPem!.sha256Fingerprint);
    expect(fromDer!.der).toEqual(fromPem!.der);
    expect(fromDer!.subject).toBe('CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign');
    expect(fromDer!.serialNumber).toBe('4000000000121585308a2');
    expect(fromDer!.keyUsage?.usages).toEqual(['keyCertSign', 'cRLSign']);
    expect(fromDer!.extendedKeyUsage).toBeUndefined();
    expect(fromDer!.basicConstraints).toEqual({ critical: true, cA: true });
  });

  it('reads a PEM bundle holding several certificates, in order', async () => {
    const certs = await parseCertificates(await loadFixture(`${TS}/ca/trust-store-with-leaf-certs-in-single-file/RootAndLeafCerts.crt`));
    expect(certs.map((c) => c.subject)).toEqual([
      'CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US',
      'CN=wabbit-networks.io CA,O=Notary,L=Seattle,ST=WA,C=US'
    ]);
    expect(certs[0]!.issuer).toBe(certs[1]!.subject);
    expect(certs[0]!.isSelfIssued).toBe(false);
    expect(certs[0]!.rawIssuer).toEqual(certs[1]!.rawSubject);
  });

  it('reads TSA roots and SHA-384 signatures', async () => {
    const [r6] = await parseCertificates(await readFixture(`${TS}/tsa/test-timestamp/globalsignRoot.cer`));
    expect(r6!.subject).toBe('CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign');
    expect(r6!.publicKey).toMatchObject({ keyType: 'RSA', keySize: 4096 });
    expect(r6!.signatureAlgorithm.name).toBe('SHA384-RSA');
    const [nonSelfIssued] = await parseCertificates(await loadFixture(`${TS}/tsa/test-nonSelfIssued/nonSelfIssued.crt`));
    expect(nonSelfIssued!.isSelfIssued).toBe(false);
    expect(nonSelfIssued!.issuer).toBe('CN=Notation Test Revokable RSA Chain Cert Root,O=Notary,L=Seattle,ST=WA,C=US');
    expect(nonSelfIssued!.extendedKeyUsage?.oids).toEqual(['1.3.6.1.5.5.7.3.8']);
  });

  it('matches the fingerprint embedded in every derived leaf file name', async () => {
    const names = [
      'alpine-2000-2123.9f5f5aecee24b5cf.pem',
      'testTSA-2000-2001.92ef4ca811f31720.pem',
      'testTSA-expired-20240618.6381e2ac01a6d939.pem',
      'testcert11.a10293ee855ac897.pem',
      'testcert2.dadee19c843e94b9.pem',
      'testcert3.3678adce9daa3a82.pem',
      'testcert7.1717fa9d18f7e9c0.pem',
      'wabbit-networks.io-20230111.074394bc2532db1d.pem'
    ];
    for (const name of names) {
      const [cert] = await parseCertificates(await loadFixture(`vectors/derived/leaf-certs-from-envelopes/${name}`), name);
      expect(cert!.sha256Fingerprint.slice(0, 16)).toBe(name.split('.').at(-2));
      expect(cert!.isSelfIssued).toBe(true);
    }
  });

  it('parses every x5c chain in the JWS vectors exactly as vectors.json records it', async () => {
    const vectors = (await readFixtureJson<{ vectors: VectorRecord[] }>('vectors/vectors.json')).vectors;
    let chains = 0;
    for (const v of vectors) {
      const expected = v.decoded?.certChain;
      if (v.format !== 'jws' || !expected || expected.length === 0) continue;
      const envelope = JSON.parse(await readFixtureText(`vectors/${v.files[0]}`)) as { header: { x5c: string[] } };
      const chain = await Promise.all(envelope.header.x5c.map((b64, i) => parseCertificate(base64Decode(b64), `${v.id} x5c[${i}]`)));
      expect(chain).toHaveLength(expected.length);
      chain.forEach((cert, i) => {
        const e = expected[i]!;
        expect(cert.sha256Fingerprint, v.id).toBe(e.sha256);
        expect(nodeStyle(cert.subject), v.id).toBe(e.subject);
        expect(nodeStyle(cert.issuer), v.id).toBe(e.issuer);
        expect(cert.notBefore.toISOString()).toBe(e.notBefore);
        expect(cert.notAfter.toISOString()).toBe(e.notAfter);
        expect(`${cert.publicKey.keyType.toLowerCase()}-${cert.publicKey.keySize}`).toBe(e.key);
        expect(cert.isCA).toBe(e.ca);
        expect([...(cert.extendedKeyUsage?.oids ?? [])]).toEqual(e.eku ?? []);
      });
      chains++;
    }
    expect(chains).toBeGreaterThanOrEqual(20);
  });
});

describe('malformed certificates', () => {
  const good = readFixture(`${TS}/ca/valid-trust-store/GlobalSign.der`);

  it('rejects empty, random, truncated and oversized input with ERR_CERT_INVALID', async () => {
    const der = await good;
    await expectCode(parseCertificate(new Uint8Array(0)), 'ERR_CERT_INVALID', /empty/);
    await expectCode(parseCertificate(crypto.getRandomValues(new Uint8Array(512)), 'x5c[0]'), 'ERR_CERT_INVALID', /^x5c\[0\] is not a valid X\.509 certificate/);
    for (const cut of [1, 2, 10, 100, der.length - 1]) {
      await expectCode(parseCertificate(der.subarray(0, cut)), 'ERR_CERT_INVALID');
    }
    await expectCode(parseCertificate(new Uint8Array(MAX_CERTIFICATE_BYTES + 1)), 'ERR_CERT_INVALID', /at most 65536 bytes/);
    // A DER header claiming 4 GiB of content must not allocate or hang.
    await expectCode(parseCertificate(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00])), 'ERR_CERT_INVALID');
    await expectCode(parseCertificate(new Uint8Array([0x30, 0x80, 0x00, 0x00])), 'ERR_CERT_INVALID', /indefinite length/);
  });

  it('rejects trailing data and single flipped structure bytes, never throwing a raw error', async () => {
    const der = await good;
    await expectCode(parseCertificate(concatBytes(der, new Uint8Array([0]))), 'ERR_CERT_INVALID', /trailing data/);
    // Flip each header/structure byte of the first 200 bytes: either it still parses or it is ERR_CERT_INVALID.
    for (let i = 0; i < 200; i++) {
      const copy = der.slice();
      copy[i] = copy[i]! ^ 0xff;
      try {
        await parseCertificate(copy);
      } catch (e) {
        expect(isSignetError(e, 'ERR_CERT_INVALID'), `byte ${i}: ${String(e)}`).toBe(true);
      }
    }
  });

  it('rejects mismatched inner/outer signature algorithms as Go does', async () => {
    const der = (await good).slice();
    // The outer AlgorithmIdentifier sha256WithRSA (…01 0b) sits right after the tbsCertificate.
    const outerAlg = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    let last = -1;
    for (let i = 0; i + outerAlg.length <= der.length; i++) {
      if (outerAlg.every((b, j) => der[i + j] === b)) last = i;
    }
    expect(last).toBeGreaterThan(0);
    der[last + outerAlg.length - 1] = 0x0c; // sha384WithRSA
    await expectCode(parseCertificate(der), 'ERR_CERT_INVALID', /inner and outer signature algorithm/);
  });

  it('rejects files with no certificate, damaged PEM and non-certificate PEM blocks', async () => {
    await expectCode(parseCertificates(new Uint8Array(0), 'empty.pem'), 'ERR_CERT_INVALID', /empty\.pem is empty/);
    await expectCode(parseCertificates(utf8Encode('not a certificate\n'), 'invalid'), 'ERR_CERT_INVALID', /^invalid is not a valid X\.509 certificate/);
    await expectCode(
      parseCertificates(utf8Encode('-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n'), 'bad.pem'),
      'ERR_CERT_INVALID',
      /not valid base64/
    );
    await expectCode(
      parseCertificates(utf8Encode('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'key.pem'),
      'ERR_CERT_INVALID',
      /"PRIVATE KEY", expected "CERTIFICATE"/
    );
    const pem = await loadFixtureText(`${TS}/ca/valid-trust-store/NotationTestRoot.pem`);
    const truncated = pem.slice(0, pem.length - 200) + '\n-----END CERTIFICATE-----\n';
    await expectCode(parseCertificates(utf8Encode(truncated), 'cut.pem'), 'ERR_CERT_INVALID');
    await expectCode(parseCertificates(await loadFixture(`${TS}/ca/trust-store-with-invalid-certs/invalid`), 'invalid'), 'ERR_CERT_INVALID', /^invalid is not a valid X\.509 certificate: malformed certificate$/);
  });

  it('accepts PEM with surrounding text and CRLF line ends, and concatenated DER', async () => {
    const pem = await loadFixtureText(`${TS}/ca/valid-trust-store/NotationTestRoot.pem`);
    const crlf = `Subject: test\r\n${pem.replace(/\n/g, '\r\n')}trailing words\r\n`;
    const [a] = await parseCertificates(utf8Encode(crlf));
    expect(a!.subject).toBe('CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US');
    const der = await good;
    const both = await parseCertificates(concatBytes(der, a!.der));
    expect(both.map((c) => c.subject)).toEqual([
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
      'CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US'
    ]);
  });

  it('never throws anything but ERR_CERT_INVALID on arbitrary bytes or mutated certificates (property)', async () => {
    const der = await good;
    const onlyTypedErrors = async (bytes: Uint8Array, parse: (b: Uint8Array) => Promise<unknown>) => {
      try {
        await parse(bytes);
      } catch (e) {
        if (!isSignetError(e, 'ERR_CERT_INVALID')) throw e;
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), (bytes) => onlyTypedErrors(bytes, (b) => parseCertificates(b))),
      { numRuns: 300 }
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const m = der.slice();
        for (const [at, value] of edits) m[at] = value;
        return onlyTypedErrors(m, (b) => parseCertificate(b));
      }),
      { numRuns: 500 }
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.base64String({ maxLength: 400 }), (text, body) =>
        onlyTypedErrors(utf8Encode(`${text}\n-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n${text}`), (b) => parseCertificates(b))
      ),
      { numRuns: 300 }
    );
  });

  it('round-trips generated chains through PEM', async () => {
    const pki = await createTestChain({ keySpec: 'EC-256', intermediates: 1 });
    const certs = await parseCertificates(utf8Encode(pki.chain.map(toPem).join('')), 'chain.pem');
    expect(certs.map((c) => c.der)).toEqual(pki.chain);
  });

  it('stays fast on hostile PEM (thousands of unmatched BEGIN lines of distinct types)', async () => {
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 3_500_000; i++) {
      lines.push(`-----BEGIN T${i}-----\n${'A'.repeat(40)}\n`);
      size += lines.at(-1)!.length;
    }
    const text = lines.join('') + '-----END T0-----\n';
    const started = Date.now();
    await expectCode(parseCertificates(utf8Encode(text), 'hostile.pem'), 'ERR_CERT_INVALID');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a file that is too large', async () => {
    await expectCode(parseCertificates(new Uint8Array(4 * 1024 * 1024 + 1)), 'ERR_CERT_INVALID', /at most/);
  });
});

describe('keys and algorithms', () => {
  it('binds the key to its Notary algorithm and imports it for verification', async () => {
    const [root] = await parseCertificates(await loadFixture(`${TS}/ca/valid-trust-store/NotationTestRoot.pem`));
    expect(signatureAlgorithmForCertificate(root!).jws).toBe('PS384');
    const key = await importVerificationKey(root!, algorithmByJws('PS384'));
    expect(key.type).toBe('public');
    expect(key.algorithm).toMatchObject({ name: 'RSA-PSS', hash: { name: 'SHA-384' } });
    const [rsa4096] = await parseCertificates(await loadFixture(`${TS}/ca/valid-trust-store-self-signed/openssl-minimum-self-signed.pem`));
    expect(signatureAlgorithmForCertificate(rsa4096!).keySpec).toBe('RSA-4096');
  });

  it('refuses algorithm substitution with ERR_ALGORITHM_MISMATCH', async () => {
    const [root] = await parseCertificates(await loadFixture(`${TS}/ca/valid-trust-store/NotationTestRoot.pem`));
    await expectCode(importVerificationKey(root!, algorithmByJws('PS256')), 'ERR_ALGORITHM_MISMATCH', /PS256 .* RSA-3072 key, which requires PS384/);
    await expectCode(importVerificationKey(root!, algorithmByJws('ES384')), 'ERR_ALGORITHM_MISMATCH');
  });

  it('reports unsupported key sizes with ERR_ALGORITHM_UNSUPPORTED', async () => {
    const generated = await createSelfSignedLeaf({ keySpec: 'RSA-1024' });
    const cert = await parseCertificate(generated.der);
    expect(cert.publicKey).toMatchObject({ keyType: 'RSA', keySize: 1024 });
    expect(() => signatureAlgorithmForCertificate(cert)).toThrowError(/RSA 1024-bit key/);
    await expectCode(importVerificationKey(cert, algorithmByKeySpec('RSA-2048')), 'ERR_ALGORITHM_UNSUPPORTED');
  });

  it('recognises EC keys of each Notary curve', async () => {
    for (const [curve, spec] of [
      ['P-256', 'EC-256'],
      ['P-384', 'EC-384'],
      ['P-521', 'EC-521']
    ] as const) {
      const generated = await createSelfSignedLeaf({ keySpec: spec, subject: `CN=${curve}, O=Notary, ST=WA, C=US` });
      const cert = await parseCertificate(generated.der);
      expect(cert.publicKey.curve).toBe(curve);
      expect(cert.signatureAlgorithm.name).toBe('ECDSA-SHA256');
      const alg = signatureAlgorithmForCertificate(cert);
      expect(alg.keySpec).toBe(spec);
      const key = await importVerificationKey(cert, alg);
      expect(key.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: curve });
    }
  });
});
