/**
 * Signet's browser-key code against the real tools (Node only: it runs processes):
 * - OpenSSL writes fresh keys in every encoding we import, and checks our PKCS#10 requests;
 * - notation v1.3.2: its `cert generate-test` key and certificate import into Signet, our
 *   self-signed certificate has the same shape as its own, and `notation verify` accepts
 *   signatures made with a non-extractable WebCrypto key and our certificate, for all six key
 *   specs in both envelope formats.
 * Missing tools fail the test with install advice; nothing is skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/lib/bytes';
import {
  certificateRequestToPem,
  certificatesToPem,
  createCertificateSigningRequest,
  createSelfSignedCertificate,
  notationTestSubject,
  validateChainForKey
} from '../../../src/lib/keys/certificates';
import { generateSigningKeyPair } from '../../../src/lib/keys/generate';
import { importPrivateKeyPem } from '../../../src/lib/keys/import';
import { createWebCryptoSigner } from '../../../src/lib/keys/webcrypto-signer';
import { KEY_SPECS, type KeySpec } from '../../../src/lib/notary/algorithms';
import { signArtifact } from '../../../src/lib/notary/sign/sign-artifact';
import { parseCertificate } from '../../../src/lib/notary/x509';
import { NotationHome, mapLimit, writeMinimalOciLayout } from '../../helpers/notation';
import { expectExportRefused, publicKeyFromPem, signAndVerify } from '../../unit/keys/helpers';

function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input });
  if (r.error) throw new Error(`openssl is not installed (${r.error.message}); install it with apt-get install openssl (scripts/install-tools expects it)`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** One key per spec for this file: RSA generation is the slow part of these tests. */
const keys = new Map<KeySpec, ReturnType<typeof generateSigningKeyPair>>();
function keyFor(spec: KeySpec): ReturnType<typeof generateSigningKeyPair> {
  let k = keys.get(spec);
  if (!k) keys.set(spec, (k = generateSigningKeyPair(spec)));
  return k;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signet-keys-interop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OpenSSL', () => {
  const PASS = 'interop passphrase';
  const cases: { name: string; keySpec: KeySpec; make: (file: string) => string[]; passphrase?: string }[] = [
    { name: 'PKCS#8 RSA-4096', keySpec: 'RSA-4096', make: (f) => ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out', f] },
    { name: 'PKCS#8 EC-521', keySpec: 'EC-521', make: (f) => ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', f] },
    { name: 'SEC1 EC-256', keySpec: 'EC-256', make: (f) => ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f] },
    { name: 'PKCS#1 RSA-3072', keySpec: 'RSA-3072', make: (f) => ['genrsa', '-traditional', '-out', f, '3072'] },
    {
      name: 'encrypted PKCS#8 EC-384 (genpkey default: PBES2, AES-256-CBC, HMAC-SHA256)',
      keySpec: 'EC-384',
      passphrase: PASS,
      make: (f) => ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-aes-256-cbc', '-pass', `pass:${PASS}`, '-out', f]
    }
  ];

  it.each(cases.map((c) => [c.name, c] as const))('imports a fresh %s as the same, non-extractable key', async (_, c) => {
    const file = join(dir, `${c.keySpec}.pem`);
    openssl(c.make(file));
    const pem = await readFile(file, 'utf8');
    const pub = openssl(['pkey', '-in', file, '-pubout', ...(c.passphrase ? ['-passin', `pass:${c.passphrase}`] : [])]);
    const pair = await importPrivateKeyPem(pem, c.passphrase ? { passphrase: c.passphrase } : {});
    expect(pair.keySpec).toBe(c.keySpec);
    await expectExportRefused(pair.privateKey);
    expect(await signAndVerify(c.keySpec, pair.privateKey, await publicKeyFromPem(pub, c.keySpec))).toBe(true);
  });

  it.each(KEY_SPECS)('accepts the %s certificate signing request as a valid PKCS#10 request for the key', async (keySpec) => {
    const pair = await keyFor(keySpec);
    const file = join(dir, `${keySpec}.csr`);
    await writeFile(file, certificateRequestToPem(await createCertificateSigningRequest(pair, { commonName: 'ci.example.com', organization: 'Example', country: 'NL' })));
    const text = openssl(['req', '-in', file, '-verify', '-noout', '-text']);
    expect(text).toMatch(/Subject: C = NL, O = Example, CN = ci\.example\.com/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\s/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+Code Signing\s/);
    // The request's public key is the key's.
    const requested = openssl(['req', '-in', file, '-pubkey', '-noout']);
    const ours = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const theirs = Uint8Array.from(atob(requested.replace(/-----[^-]+-----/g, '').replace(/\s/g, '')), (ch) => ch.charCodeAt(0));
    expect(toHex(theirs)).toBe(toHex(ours));
  });
});

describe('notation v1.3.2', () => {
  it('imports the key and certificate `notation cert generate-test` writes; ours has the same shape', async () => {
    const home = await NotationHome.create();
    try {
      const r = await home.run(['cert', 'generate-test', 'signet-interop']);
      expect(r.code, r.output).toBe(0);
      const keyPem = await readFile(join(home.notationDir, 'localkeys', 'signet-interop.key'), 'utf8');
      const certPem = await readFile(join(home.notationDir, 'localkeys', 'signet-interop.crt'), 'utf8');
      const pair = await importPrivateKeyPem(keyPem);
      expect(pair.keySpec).toBe('RSA-2048');
      await expectExportRefused(pair.privateKey);
      // notation's certificate belongs to the imported key and passes our chain checks.
      const [notationDer] = await validateChainForKey(certPem, pair);
      const theirs = await parseCertificate(notationDer!);
      const ours = await parseCertificate(await createSelfSignedCertificate(pair, { subject: notationTestSubject('signet-interop'), validityDays: 1 }));
      for (const field of ['subject', 'issuer', 'version', 'keyUsage', 'extendedKeyUsage', 'basicConstraints', 'isCA'] as const) {
        expect(ours[field], field).toEqual(theirs[field]);
      }
      expect(toHex(ours.publicKey.spki)).toBe(toHex(theirs.publicKey.spki));
      // Deliberate difference: Go signs with PKCS#1 v1.5; a WebCrypto RSA-PSS key can only sign PSS.
      expect(theirs.signatureAlgorithm.name).toBe('SHA256-RSA');
      expect(ours.signatureAlgorithm.name).toBe('SHA256-RSAPSS');
    } finally {
      await home.dispose();
    }
  });

  it('`notation verify` accepts signatures from non-extractable keys with Signet self-signed certificates (6 key specs × COSE, JWS)', async () => {
    const cases = KEY_SPECS.flatMap((keySpec) => (['cose', 'jws'] as const).map((format) => ({ keySpec, format })));
    const results = await mapLimit(cases, 4, async ({ keySpec, format }) => {
      const home = await NotationHome.create();
      try {
        const pair = await keyFor(keySpec);
        expect(pair.privateKey.extractable).toBe(false);
        const cert = await createSelfSignedCertificate(pair, { subject: notationTestSubject(`signet-${keySpec}`), validityDays: 1 });
        await home.addTrustStoreCertificates('ca', 'signet', [{ name: 'signet.crt', data: certificatesToPem([cert]) }]);
        await home.writeTrustPolicy({
          version: '1.0',
          trustPolicies: [
            {
              name: 'signet',
              registryScopes: ['local/app'],
              signatureVerification: { level: 'strict' },
              trustStores: ['ca:signet'],
              trustedIdentities: [`x509.subject: CN=signet-${keySpec},O=Notary,L=Seattle,ST=WA,C=US`]
            }
          ]
        });
        const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
        const manifestBytes = await readFile(join(layout.dir, 'blobs', 'sha256', layout.digest.slice(7)));
        const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: layout.digest, size: manifestBytes.length };
        const signed = await signArtifact(target, createWebCryptoSigner({ name: keySpec, ...pair, certificateChain: [cert] }), { format });
        const sm = signed.signatureManifest;
        const blobs = join(layout.dir, 'blobs', 'sha256');
        await mkdir(blobs, { recursive: true });
        await writeFile(join(blobs, sm.envelope.digest.slice(7)), signed.envelope);
        await writeFile(join(blobs, sm.config.digest.slice(7)), new TextEncoder().encode('{}'));
        await writeFile(join(blobs, sm.descriptor.digest.slice(7)), sm.manifest);
        const indexPath = join(layout.dir, 'index.json');
        const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: unknown[] };
        index.manifests.push(sm.descriptor);
        await writeFile(indexPath, JSON.stringify(index));
        const r = await home.run(['verify', '--oci-layout', `${layout.dir}@${layout.digest}`, '--scope', 'local/app'], { experimental: true });
        return { keySpec, format, code: r.code, output: r.output };
      } finally {
        await home.dispose();
      }
    });
    for (const r of results) {
      expect(r.code, `${r.keySpec} ${r.format}: ${r.output}`).toBe(0);
      expect(r.output).toMatch(/Successfully verified signature for/);
    }
  });
});
