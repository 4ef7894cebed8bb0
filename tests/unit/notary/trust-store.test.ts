import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import { isSignetError } from '../../../src/lib/errors';
import { validateTrustStore, type TrustStoreFile, type TrustStoreInput } from '../../../src/lib/notary/trust-store';
import { createSelfSignedLeaf, createTestChain } from '../../helpers/test-pki';
import { loadFixture } from './x509/load-fixture';

const ROOT = 'vectors/notation-go/verifier/testdata/truststore/x509';

/** The vector stores and their files (listed here because the browser cannot list directories). */
const STORES: Record<string, string[]> = {
  'ca/valid-trust-store': [
    'GlobalSign.der',
    'GlobalSignRootCA.crt',
    'NotationTestRoot.pem',
    'TestTimestamp.crt',
    'TestTimestampNotYetValid.crt',
    'wabbit-networks.io.crt'
  ],
  'signingAuthority/valid-trust-store': ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem'],
  'ca/valid-trust-store-2': ['GlobalSign.der', 'GlobalSignRootCA.crt'],
  'signingAuthority/valid-trust-store-2': ['GlobalSign.der', 'GlobalSignRootCA.crt'],
  'ca/valid-trust-store-self-signed': ['openssl-minimum-self-signed.pem'],
  'ca/trust-store-with-invalid-certs': ['invalid'],
  'ca/trust-store-with-leaf-certs': ['GlobalSignRootCA.crt', 'non-ca.crt'],
  'ca/trust-store-with-leaf-certs-in-single-file': ['RootAndLeafCerts.crt'],
  'tsa/test-timestamp': ['globalsignRoot.cer'],
  'tsa/test-mismatch': ['DigiCertTSARootSHA384.cer'],
  'tsa/test-nonCA': ['wabbit-networks.io.crt'],
  'tsa/test-nonSelfIssued': ['nonSelfIssued.crt']
};

async function vectorStore(path: string): Promise<TrustStoreInput> {
  const [type, name] = path.split('/') as [string, string];
  const files = await Promise.all(STORES[path]!.map(async (f) => ({ name: f, bytes: await loadFixture(`${ROOT}/${path}/${f}`) })));
  return { type, name, files };
}

async function expectStoreError(input: TrustStoreInput, message: string, inner?: string | RegExp): Promise<void> {
  try {
    await validateTrustStore(input);
  } catch (e) {
    expect(isSignetError(e, 'ERR_TRUST_STORE_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toBe(message);
    if (inner !== undefined) {
      const cause = (e as Error).cause as Error | undefined;
      expect(cause, 'inner error').toBeInstanceOf(Error);
      if (typeof inner === 'string') expect(cause!.message).toBe(inner);
      else expect(cause!.message).toMatch(inner);
    }
    return;
  }
  throw new Error(`expected ERR_TRUST_STORE_INVALID: ${message}`);
}

describe('validateTrustStore on the notation-go vector stores (INDEX §1d)', () => {
  it('loads ca/valid-trust-store, including self-signed non-CA leaves', async () => {
    const store = await validateTrustStore(await vectorStore('ca/valid-trust-store'));
    expect(store.type).toBe('ca');
    expect(store.name).toBe('valid-trust-store');
    expect(store.files.map((f) => f.name)).toEqual(STORES['ca/valid-trust-store']);
    expect(store.certificates.map((c) => c.subject)).toEqual([
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
      'CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US',
      'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US',
      'CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US',
      'CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US'
    ]);
    expect(store.certificates.filter((c) => !c.isCA)).toHaveLength(3);
  });

  it('loads the other valid ca, signingAuthority and tsa stores', async () => {
    const counts: Record<string, number> = {
      'signingAuthority/valid-trust-store': 3,
      'ca/valid-trust-store-2': 2,
      'signingAuthority/valid-trust-store-2': 2,
      'ca/valid-trust-store-self-signed': 1,
      'tsa/test-timestamp': 1,
      'tsa/test-mismatch': 1
    };
    for (const [path, n] of Object.entries(counts)) {
      const store = await validateTrustStore(await vectorStore(path));
      expect(store.certificates, path).toHaveLength(n);
    }
  });

  it('refuses a file that is not a certificate', async () => {
    await expectStoreError(
      await vectorStore('ca/trust-store-with-invalid-certs'),
      'failed to read the trusted certificate invalid in trust store trust-store-with-invalid-certs of type ca',
      /^invalid is not a valid X\.509 certificate/
    );
  });

  it('refuses a leaf issued by a CA, alone or bundled with its root', async () => {
    const inner = 'certificate with subject "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US" is not a CA certificate or self-signed signing certificate';
    await expectStoreError(
      await vectorStore('ca/trust-store-with-leaf-certs'),
      'failed to validate the trusted certificate non-ca.crt in trust store trust-store-with-leaf-certs of type ca',
      inner
    );
    await expectStoreError(
      await vectorStore('ca/trust-store-with-leaf-certs-in-single-file'),
      'failed to validate the trusted certificate RootAndLeafCerts.crt in trust store trust-store-with-leaf-certs-in-single-file of type ca',
      inner
    );
  });

  it('refuses tsa stores holding a non-CA or a non-self-issued certificate', async () => {
    await expectStoreError(
      await vectorStore('tsa/test-nonCA'),
      'trusted certificate wabbit-networks.io.crt in trust store test-nonCA of type tsa is invalid: certificate with subject "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: x509: invalid signature: parent certificate cannot sign this kind of certificate'
    );
    await expectStoreError(
      await vectorStore('tsa/test-nonSelfIssued'),
      'trusted certificate nonSelfIssued.crt in trust store test-nonSelfIssued of type tsa is invalid: certificate with subject "CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: issuer (CN=Notation Test Revokable RSA Chain Cert Root,O=Notary,L=Seattle,ST=WA,C=US) and subject (CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US) are not the same'
    );
  });

  it('accepts the same certificates in a ca store that a tsa store refuses', async () => {
    const nonCa = await vectorStore('tsa/test-nonCA');
    await expect(validateTrustStore({ ...nonCa, type: 'ca' })).resolves.toMatchObject({ type: 'ca' });
    const nonSelfIssued = await vectorStore('tsa/test-nonSelfIssued');
    await expect(validateTrustStore({ ...nonSelfIssued, type: 'signingAuthority' })).resolves.toMatchObject({ type: 'signingAuthority' });
  });

  it('refuses sub-directories and symlinks (the placeholder entries of the vector tree)', async () => {
    const gs = await loadFixture(`${ROOT}/trust-store-with-directories/GlobalSignRootCA.crt`);
    await expectStoreError(
      { type: 'ca', name: 'trust-store-with-directories', files: [{ name: 'GlobalSignRootCA.crt', bytes: gs }, { name: 'sub-dir', kind: 'directory' }] },
      'trusted certificate sub-dir in trust store trust-store-with-directories of type ca is not a regular file (directories or symlinks are not supported)'
    );
    await expectStoreError(
      {
        type: 'ca',
        name: 'trust-store-with-cert-symlinks',
        files: [
          { name: 'GlobalSignRootCA.crt', bytes: gs },
          { name: 'GlobalSignRootCA_SYMLINK.crt', kind: 'symlink' }
        ]
      },
      'trusted certificate GlobalSignRootCA_SYMLINK.crt in trust store trust-store-with-cert-symlinks of type ca is not a regular file (directories or symlinks are not supported)'
    );
  });
});

describe('validateTrustStore rules', () => {
  it('refuses an empty store and an empty file', async () => {
    await expectStoreError({ type: 'ca', name: 'empty', files: [] }, 'no x509 certificates were found in trust store "empty" of type "ca"');
    await expectStoreError(
      { type: 'tsa', name: 'store', files: [{ name: 'zero.pem', bytes: new Uint8Array(0) }] },
      'failed to validate the trusted certificate zero.pem in trust store store of type tsa',
      'input certs cannot be empty'
    );
  });

  it('refuses bad store names and types', async () => {
    for (const name of ['', 'a/b', 'a b', '..\\x', 'ünïcode', 'name:1']) {
      await expectStoreError({ type: 'ca', name, files: [] }, `trust store name needs to follow [a-zA-Z0-9_.-]+ format, ${name} is invalid`);
    }
    await validateTrustStore({ type: 'ca', name: 'A-z_0.9', files: [{ name: 'x', bytes: (await createSelfSignedLeaf()).der }] });
    await expectStoreError({ type: 'CA', name: 'x', files: [] }, 'unsupported trust store type: CA');
    await expectStoreError({ type: 'x509', name: 'x', files: [] }, 'unsupported trust store type: x509');
  });

  it('accepts intermediates in ca stores but only self-signed roots in tsa stores', async () => {
    const pki = await createTestChain({ intermediates: 1 });
    const intermediate = { name: 'intermediate.der', bytes: pki.intermediates[0]!.der };
    await expect(validateTrustStore({ type: 'ca', name: 'inter', files: [intermediate] })).resolves.toBeTruthy();
    await expectStoreError(
      { type: 'tsa', name: 'inter', files: [{ name: 'root.der', bytes: pki.root.der }, intermediate] },
      'trusted certificate intermediate.der in trust store inter of type tsa is invalid: certificate with subject "CN=Test Intermediate 1,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: crypto/rsa: verification error'
    );
    await expect(validateTrustStore({ type: 'tsa', name: 'root', files: [{ name: 'root.der', bytes: pki.root.der }] })).resolves.toBeTruthy();
  });

  it('accepts a self-signed leaf signed with SHA-1 as notation does (Go CheckSignature allows it here)', async () => {
    const sha1 = await createSelfSignedLeaf({ signatureHash: 'SHA-1', subject: 'CN=Old, O=Notary, L=Seattle, ST=WA, C=US' });
    const store = await validateTrustStore({ type: 'ca', name: 'old', files: [{ name: 'old.der', bytes: sha1.der }] });
    expect(store.certificates[0]!.signatureAlgorithm.name).toBe('SHA1-RSA');
  });

  it('reports the first bad file in name order, and concatenates PEM files', async () => {
    const leaf = (await createTestChain({})).leaf.der;
    const files: TrustStoreFile[] = [
      { name: 'b-leaf.der', bytes: leaf },
      { name: 'a-garbage.pem', bytes: utf8Encode('hello') }
    ];
    await expectStoreError({ type: 'ca', name: 's', files }, 'failed to read the trusted certificate a-garbage.pem in trust store s of type ca');
    const pem = await loadFixture(`${ROOT}/ca/valid-trust-store/NotationTestRoot.pem`);
    const wabbit = await loadFixture(`${ROOT}/ca/valid-trust-store/wabbit-networks.io.crt`);
    const bundle = new Uint8Array([...pem, ...utf8Encode('\n'), ...wabbit]);
    const store = await validateTrustStore({ type: 'signingAuthority', name: 'bundle', files: [{ name: 'bundle.pem', bytes: bundle }] });
    expect(store.files[0]!.certificates.map((c) => c.subject)).toEqual([
      'CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US',
      'CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US'
    ]);
  });
});
