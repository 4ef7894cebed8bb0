/**
 * Differential test against the Go code notation v1.3.2 runs (Go's crypto/x509 parser,
 * notation-core-go v1.3.0 chain rules, notation-go v1.3.2 trust-store loader): the same inputs go
 * through Signet and through go-oracle/main.go, and the decisions and messages must be identical.
 * Needs the Go toolchain and the module cache that `scripts/install-tools notation` fills; it
 * builds offline (GOPROXY=off).
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { lstat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { validateCertificateChain, type ChainPurpose } from '../../../../src/lib/notary/x509/chain';
import { validateTrustStore, type TrustStoreFile } from '../../../../src/lib/notary/trust-store';
import { OIDS, createSelfSignedLeaf, createTestChain, issueCertificate } from '../../../helpers/test-pki';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/vectors/', import.meta.url));
const HARNESS = fileURLToPath(new URL('./go-oracle/main.go', import.meta.url));
const VECTOR_STORES = fileURLToPath(new URL('../../../fixtures/vectors/notation-go/verifier/testdata/truststore/x509/', import.meta.url));

interface OracleOutput {
  parses: Record<string, string>;
  chains: Record<string, string>;
  stores: Record<string, string>;
}

let work: string;
const chainCases: { name: string; purpose: ChainPurpose; chain: Uint8Array[] }[] = [];
const parseCases: { name: string; der: Uint8Array }[] = [];
const storeCases: { name: string; type: string; store: string }[] = [];
let oracle: OracleOutput;

function runOracle(input: unknown): OracleOutput {
  const env = { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', GOSUMDB: 'off', GOTOOLCHAIN: 'local', GOWORK: 'off' };
  const run = spawnSync('go', ['run', '.'], { cwd: join(work, 'oracle'), input: JSON.stringify(input), env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('the Go toolchain is not on PATH; install Go >= 1.25 and run scripts/install-tools notation (it fills the module cache this test builds from)');
  }
  if (run.status !== 0) {
    throw new Error(
      `go-oracle failed (status ${run.status}). If modules are missing, run scripts/install-tools notation to fill the Go module cache.\n${run.stderr}`
    );
  }
  return JSON.parse(run.stdout) as OracleOutput;
}

/** Deterministic byte edits (replace, flip, insert, delete). */
function mutations(der: Uint8Array, count: number, seed: number): Uint8Array[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    let m = der.slice();
    for (let e = 1 + Math.floor(rnd() * 2); e > 0; e--) {
      const pos = Math.floor(rnd() * m.length);
      const mode = rnd();
      if (mode < 0.4) m[pos] = Math.floor(rnd() * 256);
      else if (mode < 0.75) m[pos] = m[pos]! ^ (1 << Math.floor(rnd() * 8));
      else if (mode < 0.9) m = new Uint8Array([...m.subarray(0, pos), Math.floor(rnd() * 256), ...m.subarray(pos)]);
      else m = new Uint8Array([...m.subarray(0, pos), ...m.subarray(pos + 1)]);
    }
    out.push(m);
  }
  return out;
}

async function storeFiles(dir: string): Promise<TrustStoreFile[]> {
  const files: TrustStoreFile[] = [];
  for (const name of await readdir(dir)) {
    const st = await lstat(join(dir, name));
    if (st.isSymbolicLink()) files.push({ name, kind: 'symlink' });
    else if (st.isDirectory()) files.push({ name, kind: 'directory' });
    else files.push({ name, bytes: new Uint8Array(await readFile(join(dir, name))) });
  }
  return files;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'signet-go-oracle-'));
  await mkdir(join(work, 'oracle'));
  await copyFile(HARNESS, join(work, 'oracle', 'main.go'));
  await writeFile(
    join(work, 'oracle', 'go.mod'),
    'module signet.local/go-oracle\n\ngo 1.25\n\nrequire (\n\tgithub.com/notaryproject/notation-core-go v1.3.0\n\tgithub.com/notaryproject/notation-go v1.3.2\n)\n'
  );

  // Chains: conformant ones and one per rule notation-core-go enforces.
  const add = (name: string, chain: readonly Uint8Array[], purpose: ChainPurpose = 'codeSigning') => chainCases.push({ name, purpose, chain: [...chain] });
  const base = await createTestChain({ intermediates: 1 });
  add('ok-rsa', base.chain);
  add('ok-ec', (await createTestChain({ keySpec: 'EC-521', caKeySpec: 'EC-384' })).chain);
  add('ok-pss', (await createTestChain({ leaf: { signatureScheme: 'pss', signatureHash: 'SHA-384' }, root: { signatureScheme: 'pss', signatureHash: 'SHA-512' } })).chain);
  add('ok-ts', (await createTestChain({ purpose: 'timestamping', keySpec: 'EC-256' })).chain, 'timestamping');
  add('reordered', [base.root.der, base.intermediates[0]!.der, base.leaf.der]);
  add('skipped-intermediate', [base.leaf.der, base.root.der]);
  add('no-root', [base.leaf.der, base.intermediates[0]!.der]);
  add('duplicate-root', [...base.chain, base.root.der]);
  const tampered = base.leaf.der.slice();
  tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 1;
  add('tampered', [tampered, ...base.chain.slice(1)]);
  add('sha1-leaf', (await createTestChain({ leaf: { signatureHash: 'SHA-1' } })).chain);
  add('sha1-root', (await createTestChain({ root: { signatureHash: 'SHA-1' } })).chain);
  add('sha1-ecdsa', (await createTestChain({ keySpec: 'EC-256', leaf: { signatureHash: 'SHA-1' } })).chain);
  add('sha1-self-signed', [(await createSelfSignedLeaf({ signatureHash: 'SHA-1' })).der]);
  const root = await issueCertificate('ca', { subject: 'CN=Test Root, O=Notary, L=Seattle, ST=WA, C=US', keySlot: 1 });
  add('wrong-issuer-dn', [(await issueCertificate('leaf', { issuerName: 'CN=Else, O=Notary' }, root)).der, root.der]);
  add('leaf-dn-equals-root-dn', [(await issueCertificate('leaf', { subject: 'CN=Test Root, O=Notary, L=Seattle, ST=WA, C=US' }, root)).der, root.der]);
  const notCa = await createSelfSignedLeaf({ keySlot: 7, subject: 'CN=NotCA, O=Notary' });
  add('issuer-not-ca', [(await issueCertificate('leaf', {}, notCa)).der, notCa.der]);
  add('single-root', [root.der]);
  add('single-leaf', [base.leaf.der]);
  add('single-not-self-issued', [(await createSelfSignedLeaf({ issuerName: 'CN=Other' })).der]);
  add('single-not-self-issued-ts', [(await createSelfSignedLeaf({ issuerName: 'CN=Other', purpose: 'timestamping' })).der], 'timestamping');
  add('pathlen', (await createTestChain({ intermediates: 1, root: { basicConstraints: { cA: true, pathLength: 0 } } })).chain);
  add('ca-no-bc', (await createTestChain({ root: { basicConstraints: null } })).chain);
  add('ca-bc-noncritical', (await createTestChain({ root: { basicConstraints: { cA: true, critical: false } } })).chain);
  add('ca-ku-noncritical', (await createTestChain({ root: { keyUsage: { usages: ['keyCertSign'], critical: false } } })).chain);
  add('ca-ku-noncritical-ts', (await createTestChain({ purpose: 'timestamping', root: { keyUsage: { usages: ['keyCertSign'], critical: false } } })).chain, 'timestamping');
  add('ca-ku-missing', (await createTestChain({ root: { keyUsage: null } })).chain);
  add('intermediate-without-certsign', (await createTestChain({ intermediates: 1, intermediate: [{ keyUsage: { usages: ['cRLSign'] } }] })).chain);
  add('leaf-ca', (await createTestChain({ leaf: { basicConstraints: { cA: true } } })).chain);
  add('leaf-ku-noncritical', (await createTestChain({ leaf: { keyUsage: { usages: ['digitalSignature'], critical: false } } })).chain);
  add('leaf-ku-missing', (await createTestChain({ leaf: { keyUsage: null } })).chain);
  add('leaf-ku-extra-bits', (await createTestChain({ leaf: { keyUsage: { usages: ['digitalSignature', 'keyEncipherment', 'decipherOnly'] } } })).chain);
  add('leaf-ku-no-digitalsignature', (await createTestChain({ leaf: { keyUsage: { usages: ['nonRepudiation'] } } })).chain);
  add('leaf-eku-serverauth', (await createTestChain({ leaf: { extendedKeyUsage: { oids: [OIDS.codeSigning, OIDS.serverAuth] } } })).chain);
  add('leaf-eku-ocsp', (await createTestChain({ leaf: { extendedKeyUsage: { oids: [OIDS.ocspSigning] } } })).chain);
  add('leaf-eku-any', (await createTestChain({ leaf: { extendedKeyUsage: { oids: [OIDS.anyExtendedKeyUsage] } } })).chain);
  add('leaf-rsa1024', (await createTestChain({ keySpec: 'RSA-1024' })).chain);
  add('ts-eku-noncritical', (await createTestChain({ purpose: 'timestamping', leaf: { extendedKeyUsage: { oids: [OIDS.timeStamping], critical: false } } })).chain, 'timestamping');
  add('ts-eku-two', (await createTestChain({ purpose: 'timestamping', leaf: { extendedKeyUsage: { oids: [OIDS.timeStamping, OIDS.codeSigning], critical: true } } })).chain, 'timestamping');
  add('ts-ku-noncritical', (await createTestChain({ purpose: 'timestamping', leaf: { keyUsage: { usages: ['digitalSignature'], critical: false } } })).chain, 'timestamping');

  // Parses: the vector certificates and byte-level mutations of a few of them.
  const sources = [
    'notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/GlobalSign.der',
    'notation-go/verifier/testdata/truststore/x509/tsa/test-timestamp/globalsignRoot.cer',
    'notation-go/verifier/testdata/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer'
  ];
  for (const [i, src] of sources.entries()) {
    const der = new Uint8Array(await readFile(join(FIXTURES, src)));
    parseCases.push({ name: `vector-${i}`, der });
    mutations(der, 400, 1000 + i).forEach((m, j) => parseCases.push({ name: `mutation-${i}-${j}`, der: m }));
  }
  parseCases.push({ name: 'generated-ec', der: (await createTestChain({ keySpec: 'EC-384' })).leaf.der });

  // Trust stores: the vector tree, plus generated stores, symlinks and a sub-directory.
  const configRoot = join(work, 'config');
  const x509Dir = join(configRoot, 'truststore', 'x509');
  for (const type of ['ca', 'signingAuthority', 'tsa']) {
    for (const store of await readdir(join(VECTOR_STORES, type))) {
      if (store.includes('SYMLINK')) continue;
      await mkdir(join(x509Dir, type, store), { recursive: true });
      for (const f of await readdir(join(VECTOR_STORES, type, store))) {
        await copyFile(join(VECTOR_STORES, type, store, f), join(x509Dir, type, store, f));
      }
      storeCases.push({ name: `${type}/${store}`, type, store });
    }
  }
  const put = async (type: string, store: string, files: Record<string, Uint8Array>) => {
    await mkdir(join(x509Dir, type, store), { recursive: true });
    for (const [f, b] of Object.entries(files)) await writeFile(join(x509Dir, type, store, f), b);
    storeCases.push({ name: `${type}/${store}`, type, store });
  };
  await put('tsa', 'with-intermediate', { 'root.der': base.root.der, 'intermediate.der': base.intermediates[0]!.der });
  await put('ca', 'with-intermediate', { 'intermediate.der': base.intermediates[0]!.der });
  await put('ca', 'sha1-self-signed', { 'old.der': (await createSelfSignedLeaf({ signatureHash: 'SHA-1', keySlot: 3 })).der });
  await put('ca', 'empty-file', { 'empty.pem': new Uint8Array(0) });
  await put('signingAuthority', 'leaf', { 'leaf.der': base.leaf.der });
  await put('tsa', 'self-signed-leaf', { 'leaf.der': (await createSelfSignedLeaf({ purpose: 'timestamping', keySlot: 4 })).der });
  await mkdir(join(x509Dir, 'ca', 'empty'), { recursive: true });
  storeCases.push({ name: 'ca/empty', type: 'ca', store: 'empty' });
  await put('ca', 'with-symlink', { 'root.der': base.root.der });
  await symlink(join(x509Dir, 'ca', 'with-symlink', 'root.der'), join(x509Dir, 'ca', 'with-symlink', 'link.der'));
  await put('ca', 'with-subdir', { 'root.der': base.root.der });
  await mkdir(join(x509Dir, 'ca', 'with-subdir', 'sub'));

  oracle = runOracle({
    parses: await Promise.all(
      parseCases.map(async (p) => {
        const file = join(work, `${p.name}.der`);
        await writeFile(file, p.der);
        return { name: p.name, file };
      })
    ),
    chains: await Promise.all(
      chainCases.map(async (c) => ({
        name: c.name,
        purpose: c.purpose,
        files: await Promise.all(
          c.chain.map(async (d, i) => {
            const file = join(work, `chain-${c.name}-${i}.der`);
            await writeFile(file, d);
            return file;
          })
        )
      }))
    ),
    stores: storeCases.map((s) => ({ name: s.name, root: configRoot, type: s.type, store: s.store }))
  });
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Signet agrees with the Go code notation runs', () => {
  it('accepts and rejects the same certificate encodings, and renders subjects identically', async () => {
    let accepted = 0;
    for (const p of parseCases) {
      let ours: string;
      try {
        ours = `OK ${(await parseCertificate(p.der)).subject}`;
        accepted++;
      } catch {
        ours = 'ERR';
      }
      const go = oracle.parses[p.name]!;
      expect(ours.startsWith('OK') ? ours : 'ERR', `${p.name}: Go said ${go}`).toBe(go.startsWith('OK') ? go : 'ERR');
    }
    // The mutations must exercise both outcomes.
    expect(accepted).toBeGreaterThan(100);
    expect(parseCases.length - accepted).toBeGreaterThan(100);
  });

  it('reaches the same chain decisions with the same messages (one deliberate difference: SHA-1 self-signed leaves)', async () => {
    for (const c of chainCases) {
      let ours = 'OK';
      try {
        await validateCertificateChain(await Promise.all(c.chain.map((d) => parseCertificate(d))), c.purpose);
      } catch (e) {
        ours = (e as Error).message;
      }
      const go = oracle.chains[c.name]!;
      if (c.name === 'sha1-self-signed') {
        // Go's CheckSignature still accepts SHA-1 on a certificate's own signature; the spec forbids SHA-1 in chains.
        expect(go).toBe('OK');
        expect(ours).toMatch(/insecure algorithm SHA1-RSA$/);
        continue;
      }
      expect(ours, c.name).toBe(go);
    }
  });

  it('loads and refuses the same trust stores with the same messages', async () => {
    const x509Dir = join(work, 'config', 'truststore', 'x509');
    for (const s of storeCases) {
      let ours: string;
      try {
        const store = await validateTrustStore({ type: s.type, name: s.store, files: await storeFiles(join(x509Dir, s.type, s.store)) });
        ours = `OK ${store.certificates.length}`;
      } catch (e) {
        ours = (e as Error).message;
      }
      expect(ours, s.name).toBe(oracle.stores[s.name]);
    }
    expect(storeCases.length).toBeGreaterThanOrEqual(20);
  });
});
