/** Trust stores from the reference vectors (notation-go's verifier testdata), loaded in Node or Chromium. */
import { parseCertificates, type Certificate } from '../../src/lib/notary/x509/certificate';
import { trustStoreSet, type TrustStoreSet } from '../../src/lib/notary/verify/trust-stores';
import { readFixture } from './fixtures';

const ROOT = 'vectors/notation-go/verifier/testdata/truststore/x509';

/** Files of the stores the vector tests use (the directory listing, since browsers cannot list). */
export const VECTOR_STORES: Record<string, string[]> = {
  'ca:valid-trust-store': ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem', 'TestTimestamp.crt', 'TestTimestampNotYetValid.crt', 'wabbit-networks.io.crt'],
  'signingAuthority:valid-trust-store': ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem'],
  'ca:valid-trust-store-2': ['GlobalSign.der', 'GlobalSignRootCA.crt'],
  'signingAuthority:valid-trust-store-2': ['GlobalSign.der', 'GlobalSignRootCA.crt'],
  'tsa:test-timestamp': ['globalsignRoot.cer'],
  'tsa:test-mismatch': ['DigiCertTSARootSHA384.cer']
};

export async function loadVectorStores(extra: Record<string, string[]> = {}): Promise<TrustStoreSet> {
  const stores = new Map<string, Certificate[]>();
  for (const [key, files] of Object.entries(VECTOR_STORES)) {
    const [type, name] = key.split(':') as [string, string];
    const certs: Certificate[] = [];
    for (const file of files) certs.push(...(await parseCertificates(await readFixture(`${ROOT}/${type}/${name}/${file}`), file)));
    stores.set(key, certs);
  }
  for (const [key, paths] of Object.entries(extra)) {
    const certs: Certificate[] = [];
    for (const p of paths) certs.push(...(await parseCertificates(await readFixture(p), p)));
    stores.set(key, certs);
  }
  return trustStoreSet(stores);
}
