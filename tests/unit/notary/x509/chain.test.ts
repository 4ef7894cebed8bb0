import { describe, expect, it } from 'vitest';
import { base64Decode } from '../../../../src/lib/bytes';
import { isSignetError, type SignetErrorCode } from '../../../../src/lib/errors';
import { KEY_SPECS } from '../../../../src/lib/notary/algorithms';
import { parseCertificate, parseCertificates, type Certificate } from '../../../../src/lib/notary/x509/certificate';
import { validateCertificateChain, type ChainPurpose } from '../../../../src/lib/notary/x509/chain';
import { childrenOf, decodeOne, isContext } from '../../../../src/lib/notary/x509/der';
import { isSelfSigned } from '../../../../src/lib/notary/x509/signature';
import { readFixture, readFixtureJson, readFixtureText } from '../../../helpers/fixtures';
import { createSelfSignedLeaf, createTestChain, issueCertificate, type TestChainOptions } from '../../../helpers/test-pki';
import { loadFixture } from './load-fixture';

const TS = 'vectors/notation-go/verifier/testdata/truststore/x509';

async function parseAll(ders: readonly Uint8Array[]): Promise<Certificate[]> {
  return Promise.all(ders.map((d, i) => parseCertificate(d, `chain[${i}]`)));
}

async function chainOf(options: TestChainOptions = {}): Promise<Certificate[]> {
  return parseAll((await createTestChain(options)).chain);
}

async function expectChainError(
  chain: readonly Certificate[],
  purpose: ChainPurpose,
  code: SignetErrorCode,
  message: string | RegExp,
  options?: Parameters<typeof validateCertificateChain>[2]
): Promise<void> {
  try {
    await validateCertificateChain(chain, purpose, options);
  } catch (e) {
    expect(isSignetError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
    if (typeof message === 'string') expect((e as Error).message).toBe(message);
    else expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code} (${String(message)}), but the chain was accepted`);
}

/** The certificates carried in a CMS SignedData (timestamp token), in token order. */
async function tokenCertificates(path: string): Promise<Certificate[]> {
  const contentInfo = childrenOf(decodeOne(await readFixture(path)));
  const signedData = childrenOf(childrenOf(contentInfo[1]!)[0]!);
  const certs = signedData.find((n) => isContext(n, 0))!;
  return parseAll(childrenOf(certs).map((n) => n.raw));
}

const LEAF = '"CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US"';
const ROOT = '"CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US"';

describe('validateCertificateChain on real chains', () => {
  it('accepts every x5c chain of the JWS mock vectors (leaf DN == root DN, but signed by the root)', async () => {
    const vectors = (await readFixtureJson<{ vectors: { id: string; files: string[]; format: string }[] }>('vectors/vectors.json')).vectors;
    let n = 0;
    for (const v of vectors) {
      if (v.format !== 'jws' || !v.files[0]!.includes('mock')) continue;
      const envelope = JSON.parse(await readFixtureText(`vectors/${v.files[0]}`)) as { header: { x5c?: string[] } };
      if (!envelope.header.x5c) continue;
      const chain = await parseAll(envelope.header.x5c.map((b) => base64Decode(b)));
      await expect(validateCertificateChain(chain, 'codeSigning'), v.id).resolves.toBeUndefined();
      if (chain.length === 2) {
        // INDEX §5.8: same DN as its issuer, yet not self-signed.
        expect(chain[0]!.isSelfIssued).toBe(true);
        expect((await isSelfSigned(chain[0]!)).selfSigned).toBe(false);
        expect((await isSelfSigned(chain[1]!)).selfSigned).toBe(true);
      }
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(15);
  });

  it('accepts the self-signed leaves notation signs with as one-certificate chains', async () => {
    for (const path of [
      `${TS}/ca/valid-trust-store/wabbit-networks.io.crt`,
      `${TS}/ca/valid-trust-store/TestTimestamp.crt`,
      `${TS}/ca/valid-trust-store-self-signed/openssl-minimum-self-signed.pem`,
      'vectors/derived/leaf-certs-from-envelopes/alpine-2000-2123.9f5f5aecee24b5cf.pem'
    ]) {
      const chain = await parseCertificates(await loadFixture(path), path);
      await expect(validateCertificateChain(chain, 'codeSigning'), path).resolves.toBeUndefined();
    }
  });

  it('accepts the root + leaf bundle from the trust-store vectors as a chain', async () => {
    const certs = await parseCertificates(await loadFixture(`${TS}/ca/trust-store-with-leaf-certs-in-single-file/RootAndLeafCerts.crt`));
    await validateCertificateChain(certs, 'codeSigning');
  });

  it('accepts the GlobalSign TSA chain (RSA-3072/4096, SHA-384) as a timestamping chain, not as code signing', async () => {
    const [tsa, tsCa, r6Cross, r3] = await tokenCertificates('vectors/notation-go/verifier/testdata/timestamp/countersignature/TimeStampToken.p7s');
    const [r6] = await parseCertificates(await readFixture(`${TS}/tsa/test-timestamp/globalsignRoot.cer`));
    await validateCertificateChain([tsa!, tsCa!, r6!], 'timestamping');
    await validateCertificateChain([tsa!, tsCa!, r6Cross!, r3!], 'timestamping');
    await expectChainError(
      [tsa!, tsCa!, r6!],
      'codeSigning',
      'ERR_CERT_PROFILE',
      'certificate with subject "CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE": extended key usage must not contain Timestamping eku'
    );
    // Without the root the chain does not end in a self-signed certificate.
    await expectChainError(
      [tsa!, tsCa!],
      'timestamping',
      'ERR_CERT_CHAIN_INVALID',
      /^root certificate with subject "CN=GlobalSign Timestamping CA - SHA384 - G4,O=GlobalSign nv-sa,C=BE" is invalid or not self-signed\. Certificate chain must end with a valid self-signed root certificate\. Error: crypto\/rsa: verification error$/
    );
  });
});

describe('validateCertificateChain on generated chains', () => {
  it('accepts a conformant chain for every Notary key spec, with and without intermediates', async () => {
    for (const keySpec of KEY_SPECS) {
      await validateCertificateChain(await chainOf({ keySpec, intermediates: keySpec === 'EC-384' ? 2 : 0 }), 'codeSigning');
    }
    await validateCertificateChain(await chainOf({ keySpec: 'EC-256', caKeySpec: 'RSA-3072' }), 'codeSigning');
    await validateCertificateChain(await chainOf({ keySpec: 'RSA-2048', caKeySpec: 'EC-521' }), 'codeSigning');
    await validateCertificateChain(await chainOf({ keySpec: 'EC-256', purpose: 'timestamping', intermediates: 1 }), 'timestamping');
  });

  it('verifies RSA-PSS and ECDSA certificate signatures with SHA-256/384/512', async () => {
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      await validateCertificateChain(
        await chainOf({ leaf: { signatureScheme: 'pss', signatureHash: hash }, root: { signatureScheme: 'pss', signatureHash: hash } }),
        'codeSigning'
      );
      await validateCertificateChain(await chainOf({ keySpec: 'EC-384', caKeySpec: 'EC-384', leaf: { signatureHash: hash } }), 'codeSigning');
    }
  });

  it('rejects a tampered certificate', async () => {
    const pki = await createTestChain({});
    const tampered = pki.leaf.der.slice();
    // Change one byte of the validity period inside the signed part.
    const at = tampered.findIndex((b, i) => b === 0x17 && tampered[i + 1] === 0x0d); // UTCTime notBefore
    tampered[at + 3] = tampered[at + 3] === 0x31 ? 0x32 : 0x31;
    const chain = await parseAll([tampered, pki.root.der]);
    await expectChainError(
      chain,
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `invalid certificates or certificate with subject ${LEAF} is not issued by ${ROOT}. Error: crypto/rsa: verification error`
    );
    const ec = await createTestChain({ keySpec: 'EC-256' });
    const ecTampered = ec.leaf.der.slice();
    ecTampered[ecTampered.length - 3]! ^= 0x01; // inside the ECDSA signature
    await expectChainError(await parseAll([ecTampered, ec.root.der]), 'codeSigning', 'ERR_CERT_CHAIN_INVALID', /Error: x509: ECDSA verification failure$/);
  });

  it('rejects reordered, truncated and padded chains', async () => {
    const pki = await createTestChain({ intermediates: 1 });
    const [leaf, inter, root] = await parseAll(pki.chain);
    await expectChainError(
      [root!, inter!, leaf!],
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `leaf certificate with subject ${ROOT} is self-signed. Certificate chain must not contain self-signed leaf certificate`
    );
    await expectChainError(
      [leaf!, root!, inter!],
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `invalid certificates or certificate with subject ${LEAF} is not issued by ${ROOT}. Error: crypto/rsa: verification error`
    );
    await expectChainError(
      [leaf!, root!],
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      /^invalid certificates or certificate with subject "CN=Test Leaf.*" is not issued by "CN=Test Root.*"\. Error: crypto\/rsa: verification error$/
    );
    await expectChainError(
      [leaf!, inter!],
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      /^root certificate with subject "CN=Test Intermediate 1,O=Notary,L=Seattle,ST=WA,C=US" is invalid or not self-signed\./
    );
    await expectChainError(
      [leaf!, inter!, root!, root!],
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `intermediate certificate with subject ${ROOT} is self-signed. Certificate chain must not contain self-signed intermediate certificate`
    );
    await expectChainError([], 'codeSigning', 'ERR_CERT_CHAIN_INVALID', 'certificate chain must contain at least one certificate');
  });

  it('rejects a certificate whose issuer DN differs from its signer, even with a valid signature', async () => {
    const root = await issueCertificate('ca', { subject: 'CN=Test Root, O=Notary, L=Seattle, ST=WA, C=US', keySlot: 1 });
    const leaf = await issueCertificate('leaf', { issuerName: 'CN=Someone Else, O=Notary, L=Seattle, ST=WA, C=US' }, root);
    await expectChainError(await parseAll([leaf.der, root.der]), 'codeSigning', 'ERR_CERT_CHAIN_INVALID', `certificate with subject ${LEAF} is not issued by ${ROOT}`);
  });

  it('rejects a chain whose issuer is not allowed to sign certificates', async () => {
    const notCa = await createSelfSignedLeaf({ subject: 'CN=Not A CA, O=Notary, L=Seattle, ST=WA, C=US', keySlot: 7 });
    const leaf = await issueCertificate('leaf', {}, notCa);
    await expectChainError(
      await parseAll([leaf.der, notCa.der]),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `invalid certificates or certificate with subject ${LEAF} is not issued by "CN=Not A CA,O=Notary,L=Seattle,ST=WA,C=US". Error: x509: invalid signature: parent certificate cannot sign this kind of certificate`
    );
  });

  it('rejects SHA-1 certificate signatures anywhere, including a SHA-1 self-signed leaf', async () => {
    await expectChainError(
      await chainOf({ leaf: { signatureHash: 'SHA-1' } }),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `invalid certificates or certificate with subject ${LEAF} is not issued by ${ROOT}. Error: x509: cannot verify signature: insecure algorithm SHA1-RSA`
    );
    await expectChainError(
      await chainOf({ root: { signatureHash: 'SHA-1' } }),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      `root certificate with subject ${ROOT} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: x509: cannot verify signature: insecure algorithm SHA1-RSA`
    );
    await expectChainError(
      await chainOf({ keySpec: 'EC-256', leaf: { signatureHash: 'SHA-1' } }),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      /Error: x509: cannot verify signature: insecure algorithm ECDSA-SHA1$/
    );
    const single = await createSelfSignedLeaf({ signatureHash: 'SHA-1' });
    await expectChainError(
      await parseAll([single.der]),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      'invalid self-signed certificate. subject: "CN=Self Signed,O=Notary,L=Seattle,ST=WA,C=US". Error: x509: cannot verify signature: insecure algorithm SHA1-RSA'
    );
  });

  it('checks a single certificate as a self-signed, self-issued leaf', async () => {
    const notSelfIssued = await createSelfSignedLeaf({ issuerName: 'CN=Other, O=Notary, L=Seattle, ST=WA, C=US' });
    await expectChainError(
      await parseAll([notSelfIssued.der]),
      'codeSigning',
      'ERR_CERT_CHAIN_INVALID',
      'invalid self-signed certificate. subject: "CN=Self Signed,O=Notary,L=Seattle,ST=WA,C=US". Error: issuer(CN=Other,O=Notary,L=Seattle,ST=WA,C=US) and subject(CN=Self Signed,O=Notary,L=Seattle,ST=WA,C=US) are not the same'
    );
    await expectChainError(
      await parseAll([notSelfIssued.der]),
      'timestamping',
      'ERR_CERT_CHAIN_INVALID',
      /Error: issuer \(CN=Other,O=Notary,L=Seattle,ST=WA,C=US\) and subject \(CN=Self Signed,O=Notary,L=Seattle,ST=WA,C=US\) are not the same$/
    );
    const pki = await createTestChain({});
    const [leaf, root] = await parseAll(pki.chain);
    // A leaf alone is not self-signed.
    await expectChainError([leaf!], 'codeSigning', 'ERR_CERT_CHAIN_INVALID', `invalid self-signed certificate. subject: ${LEAF}. Error: crypto/rsa: verification error`);
    // A root alone is a CA, which a one-certificate chain must not be.
    await expectChainError(
      [root!],
      'codeSigning',
      'ERR_CERT_PROFILE',
      `invalid self-signed certificate. Error: certificate with subject ${ROOT}: if the basic constraints extension is present, the ca field must be set to false`
    );
    const tsaSelf = await createSelfSignedLeaf({ purpose: 'timestamping' });
    await validateCertificateChain(await parseAll([tsaSelf.der]), 'timestamping');
  });

  it('checks every certificate against the signing time when one is given', async () => {
    const chain = await chainOf({
      leaf: { notBefore: new Date('2024-06-18T07:20:31Z'), notAfter: new Date('2024-06-18T07:30:31Z') }
    });
    await validateCertificateChain(chain, 'codeSigning', { signingTime: new Date('2024-06-18T07:21:07Z') });
    await validateCertificateChain(chain, 'codeSigning', { signingTime: new Date('2024-06-18T07:30:31Z') }); // inclusive
    await expectChainError(
      chain,
      'codeSigning',
      'ERR_CERT_EXPIRED',
      `certificate with subject ${LEAF} was invalid at signing time of 2024-06-18 07:30:32 +0000 UTC. Certificate is valid from [2024-06-18 07:20:31 +0000 UTC] to [2024-06-18 07:30:31 +0000 UTC]`,
      { signingTime: new Date('2024-06-18T07:30:32Z') }
    );
    await expectChainError(chain, 'codeSigning', 'ERR_CERT_NOT_YET_VALID', /was invalid at signing time of 2019-01-01 00:00:00\.5 \+0000 UTC/, {
      signingTime: new Date('2019-01-01T00:00:00.500Z')
    });
  });
});
