/**
 * Keys & Sign, end to end in Debian's Chromium against REAL registries through the REAL
 * cors-proxy (write-world.ts): a key and test certificate made in the page sign an image on
 * distribution (htpasswd, tag index; COSE) and on olareg (Referrers API; JWS with expiry, user
 * metadata and an RFC 3161 timestamp from a real TSA reached through the proxy). Each push is
 * shown step by step, the new signature appears in the referrer tree, the Verify page verifies it
 * green, and the REAL `notation verify` v1.3.2 accepts both signatures with the certificate
 * exported from the page. A file signed in the page downloads as <file>.cose.sig, and dropping
 * the file with it verifies. A failing push names the step that failed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificates } from '../../src/lib/notary/x509/certificate';
import { NotationHome } from '../helpers/notation';
import { createTestChain, toPem } from '../helpers/test-pki';
import { createTestRoot, openssl, opensslRun } from '../helpers/tsa-server';
import { TEST_USERS } from '../helpers/registries';
import { artifactsDir } from './paths';
import { unexpectedProblems } from './problems';
import { seedTrustMaterial } from './registry-world';
import { axeViolations, dropFiles, keyWithCertificate, readmeShot, startWriteWorld, type WriteWorld } from './write-world';

let world: WriteWorld;
beforeAll(async () => {
  world = await startWriteWorld();
});
afterAll(async () => {
  await world?.stop();
});

const SIGNER = 'e2e-signer';
const SUBJECT = `CN=${SIGNER},O=Notary,L=Seattle,ST=WA,C=US`;
const section = (page: Page, name: string) => page.getByRole('region', { name });

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir, 'screenshots', `${name}.png`), fullPage: true });
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; file: string }> {
  const downloading = page.waitForEvent('download');
  await click();
  const d = await downloading;
  const file = path.join(artifactsDir, `sign-${d.suggestedFilename()}`);
  await d.saveAs(file);
  return { name: d.suggestedFilename(), file };
}

async function resolve(page: Page, reference: string): Promise<void> {
  const sign = section(page, 'Sign an artifact');
  await sign.getByLabel('Artifact reference').fill(reference);
  await sign.getByRole('button', { name: 'Resolve' }).click();
}

async function signAndWait(page: Page): Promise<string> {
  const sign = section(page, 'Sign an artifact');
  await sign.getByRole('button', { name: 'Sign and push' }).click();
  const result = sign.getByTestId('sign-result');
  await result.waitFor({ timeout: 30_000 });
  const digest = /Signature (sha256:[0-9a-f]{64})/.exec((await result.textContent()) ?? '')?.[1];
  expect(digest).toBeDefined();
  // The tree is read again from the registry and holds the new signature.
  await expect.poll(() => sign.getByRole('group', { name: 'Referrers' }).textContent(), { timeout: 30_000 }).toContain(digest!);
  return digest!;
}

async function stepsText(page: Page): Promise<string[]> {
  return (await page.getByRole('region', { name: 'Progress of signing and pushing' }).getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

describe('Keys & Sign', () => {
  it('signs images on distribution (COSE) and olareg (JWS, expiry, metadata, timestamp); Verify and notation verify accept both', async () => {
    // bypassCSP lets axe-core be injected; the other tests run the page under its CSP.
    const { page, problems, close } = await world.app.newPage({ bypassCSP: true });
    try {
      await page.goto(world.app.url('/keys'));
      await keyWithCertificate(page, SIGNER);
      // The chain of the key, described in the Certificates section.
      await expect.poll(() => page.getByRole('list', { name: `Certificate chain of ${SIGNER}` }).textContent()).toContain(SUBJECT);
      const cert = await download(page, () => page.getByRole('button', { name: `Download the certificate of ${SIGNER}` }).click());
      expect(cert.name).toBe(`${SIGNER}.crt`);
      const certPem = await readFile(cert.file, 'utf8');
      expect(certPem).not.toContain('PRIVATE KEY');
      expect((await parseCertificates(new TextEncoder().encode(certPem)))[0]!.subject).toBe(SUBJECT);

      // 1. distribution: sign-in asked, tag resolved to the digest shown, COSE (default).
      await resolve(page, world.onDistribution.reference);
      const signin = page.getByRole('form', { name: `Sign in to ${world.distribution.host}` });
      await signin.waitFor({ timeout: 30_000 });
      await signin.getByLabel('User name').fill('alice');
      await signin.getByLabel('Password or access token').fill(TEST_USERS.alice.password);
      await signin.getByRole('button', { name: 'Sign in and retry' }).click();
      await expect.poll(() => page.getByTestId('sign-digest').textContent(), { timeout: 30_000 }).toBe(world.onDistribution.descriptor.digest);
      const coseDigest = await signAndWait(page);
      const coseSteps = await stepsText(page);
      const expected = [`✓ Sign with key "${SIGNER}" (COSE, EC-256)`, '✓ Upload the signature envelope', '✓ Upload the empty config blob', '✓ Push the signature manifest', '✓ Update the referrers index'];
      expect(coseSteps).toHaveLength(expected.length);
      expected.forEach((label, i) => expect(coseSteps[i]).toContain(`${label} : done`));
      expect(coseSteps[3]).toContain(coseDigest);
      expect(coseSteps[4]).toContain('added to the referrers tag index');
      const sign = section(page, 'Sign an artifact');
      expect(await sign.getByRole('group', { name: 'Referrers' }).textContent()).toContain(SUBJECT);
      await screenshot(page, 'keys-signed-desktop-light');

      // 2. olareg: JWS, expiry, user metadata, timestamp through the proxy.
      await resolve(page, world.onOlareg.reference);
      await expect.poll(() => page.getByTestId('sign-digest').textContent(), { timeout: 30_000 }).toBe(world.onOlareg.descriptor.digest);
      const options = page.getByRole('form', { name: 'Signature options', exact: true });
      await options.getByLabel('JWS (notation\'s default)').check();
      await options.getByLabel(/^Expiry/).fill('24h');
      await options.getByRole('button', { name: 'Add metadata' }).click();
      await options.getByLabel('Metadata key 1').fill('io.signet.e2e');
      await options.getByLabel('Metadata value 1').fill('yes');
      await options.getByLabel(/^Add an RFC 3161 timestamp/).check();
      await options.getByLabel('Timestamp authority URL').fill(world.tsa.url);
      await options.getByLabel(/^TSA root certificate/).fill(world.tsa.rootCertPem);
      const requestsBefore = world.tsa.requests;
      const jwsDigest = await signAndWait(page);
      expect(world.tsa.requests).toBe(requestsBefore + 1);
      const jwsSteps = await stepsText(page);
      expect(jwsSteps[0]).toContain(`Sign with key "${SIGNER}" (JWS, EC-256)`);
      expect(jwsSteps[1]).toContain(`Get an RFC 3161 timestamp from ${new URL(world.tsa.url).host} (through the proxy)`);
      expect(jwsSteps[1]).toContain('token verified against the TSA root');
      expect(jwsSteps.at(-1)).toContain('the registry indexed it (Referrers API)');
      const result = (await page.getByTestId('sign-result').textContent()) ?? '';
      expect(result).toContain('JWS');
      expect(result).toContain('timestamped');
      expect(result).toMatch(/expires \d{4}-/);
      // Every request went through the proxy: the TSA and the registries.
      expect(world.proxy.logs().some((l) => JSON.stringify(l).includes(new URL(world.tsa.url).host))).toBe(true);
      await screenshot(page, 'keys-signed-jws-timestamp');
      await readmeShot(page, 'keys-sign-desktop-light', page.getByRole('region', { name: 'Progress of signing and pushing' }));
      // Keys, a certificate chain, signing options, progress, result and tree on screen: no accessibility violation.
      const axe = await axeViolations(page);
      expect(axe, axe.join('\n')).toEqual([]);

      // 3. The REAL notation verifies both, with the certificate exported from the page.
      const home = await NotationHome.create();
      try {
        await home.addTrustStoreCertificates('ca', 'signet', [{ name: `${SIGNER}.crt`, data: certPem }]);
        await home.addTrustStoreCertificates('tsa', 'signet-tsa', [{ name: 'tsa-root.crt', data: world.tsa.rootCertPem }]);
        // Timestamps are required where a tsa store is named: the olareg signature has one, the distribution one not.
        const identity = `x509.subject: ${SUBJECT.split(',').reverse().join(', ')}`;
        await home.writeTrustPolicy({
          version: '1.0',
          trustPolicies: [
            { name: 'dist', registryScopes: [world.onDistribution.repository], signatureVerification: { level: 'strict' }, trustStores: ['ca:signet'], trustedIdentities: [identity] },
            { name: 'ola', registryScopes: [world.onOlareg.repository], signatureVerification: { level: 'strict' }, trustStores: ['ca:signet', 'tsa:signet-tsa'], trustedIdentities: [identity] }
          ]
        });
        const onDist = await home.run([
          'verify',
          '--insecure-registry',
          '--username',
          'alice',
          '--password',
          TEST_USERS.alice.password,
          `${world.onDistribution.repository}@${world.onDistribution.descriptor.digest}`
        ]);
        expect(onDist.output).toContain(`Successfully verified signature for ${world.onDistribution.repository}@${world.onDistribution.descriptor.digest}`);
        expect(onDist.code).toBe(0);
        const onOla = await home.run(['verify', '--insecure-registry', '-m', 'io.signet.e2e=yes', `${world.onOlareg.repository}@${world.onOlareg.descriptor.digest}`]);
        expect(onOla.output).toContain('io.signet.e2e');
        expect(onOla.code).toBe(0);
        const inspect = await home.run(['inspect', '--insecure-registry', '-o', 'json', `${world.onOlareg.repository}@${world.onOlareg.descriptor.digest}`], { experimental: false });
        expect(inspect.code).toBe(0);
        const sig = (JSON.parse(inspect.stdout) as { Signatures: { digest: string; mediaType: string; signedAttributes: Record<string, string>; unsignedAttributes: Record<string, unknown> }[] }).Signatures.find(
          (s) => s.digest === jwsDigest
        )!;
        expect(sig.mediaType).toBe('application/jose+json');
        expect(sig.signedAttributes.expiry).toBeDefined();
        expect(sig.unsignedAttributes.signingAgent).toBe('Signet/0.1.0');
        expect((sig as unknown as { userDefinedAttributes: Record<string, string> }).userDefinedAttributes).toEqual({ 'io.signet.e2e': 'yes' });
        expect(sig.unsignedAttributes.timestampSignature).toBeDefined();
      } finally {
        await home.dispose();
      }

      // 4. The Verify page verifies the new signatures green (trust material: the exported certificate).
      const der = (await parseCertificates(new TextEncoder().encode(certPem)))[0]!.der;
      await seedTrustMaterial(page, {
        schema: 1,
        policy: JSON.stringify({
          version: '1.0',
          trustPolicies: [{ name: 'ola', registryScopes: [world.onOlareg.repository], signatureVerification: { level: 'strict' }, trustStores: ['ca:signet', 'tsa:signet-tsa'], trustedIdentities: ['*'] }]
        }),
        stores: [
          { type: 'ca', name: 'signet', files: [{ name: `${SIGNER}.crt`, bytes: der }] },
          { type: 'tsa', name: 'signet-tsa', files: [{ name: 'tsa-root.crt', bytes: world.tsa.rootCertDer }] }
        ],
        updatedAt: new Date().toISOString()
      });
      await page.getByRole('link', { name: 'Verify it on the Verify page' }).click();
      await page.getByRole('button', { name: 'Verify signatures' }).click({ timeout: 30_000 });
      const verdict = page.getByRole('region', { name: 'Verification result' });
      await verdict.waitFor({ timeout: 30_000 });
      expect(await verdict.textContent()).toContain(`Successfully verified signature for ${world.onOlareg.repository}@${world.onOlareg.descriptor.digest}`);
      expect(await verdict.getByRole('row', { name: /^Authentic timestamp/ }).textContent()).toContain('Passed');
      expect(unexpectedProblems(problems)).toEqual([]);
      void coseDigest;
    } finally {
      await close();
    }
  });

  it('signs a file: downloads <file>.cose.sig, and dropping both verifies', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/keys'));
      await keyWithCertificate(page, 'file-signer', 'EC-384');
      const cert = await download(page, () => page.getByRole('button', { name: 'Download the certificate of file-signer' }).click());
      const fileSection = section(page, 'Sign a file');
      const blob = new TextEncoder().encode('release notes for 1.2.3\n');
      const choosing = page.waitForEvent('filechooser');
      await fileSection.getByRole('button', { name: 'Choose a file to sign…' }).click();
      await (await choosing).setFiles({ name: 'release.txt', mimeType: 'text/plain', buffer: Buffer.from(blob) });
      expect(await fileSection.getByTestId('file-to-sign').textContent()).toBe(`release.txt (${blob.length} bytes)`);
      const sig = await download(page, () => fileSection.getByRole('button', { name: 'Sign file and download the signature' }).click());
      expect(sig.name).toBe('release.txt.cose.sig');
      expect(await fileSection.getByTestId('file-sign-result').textContent()).toContain('sha384:');

      const der = (await parseCertificates(await readFile(cert.file)))[0]!.der;
      await seedTrustMaterial(page, {
        schema: 1,
        policy: JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'files', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:files'], trustedIdentities: ['*'] }] }),
        stores: [{ type: 'ca', name: 'files', files: [{ name: 'file-signer.crt', bytes: der }] }],
        updatedAt: new Date().toISOString()
      });
      await dropFiles(page, [
        { name: 'release.txt', bytes: blob },
        { name: sig.name, bytes: new Uint8Array(await readFile(sig.file)) }
      ]);
      await page.waitForURL(/\/inspect$/);
      const verification = page.getByRole('region', { name: 'File signature verification' });
      await expect.poll(() => verification.textContent(), { timeout: 20_000 }).toContain('Successfully verified signature release.txt.cose.sig for release.txt');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('exports a CSR that a real OpenSSL CA issues, imports the issued chain, and signs with it (notation verify trusts the CA)', async () => {
    const { page, problems, close } = await world.app.newPage();
    const ca = await mkdtemp(path.join(tmpdir(), 'signet-e2e-ca-'));
    try {
      await page.goto(world.app.url('/keys'));
      await page.getByLabel('Key name').fill('enterprise');
      await page.getByLabel('Key type').selectOption('EC-384');
      await page.getByRole('button', { name: 'Generate key' }).click();
      await page.getByRole('row', { name: /enterprise/ }).waitFor();
      const certs = section(page, 'Certificates');
      await certs.getByText('Certificate signing request (CSR) for your CA').click();
      await certs.getByLabel('Common name (CN)').fill('release.acme.example');
      await certs.getByLabel('Organization (O)').fill('Acme Rockets');
      await certs.getByLabel('State or province (ST)').fill('WA');
      await certs.getByLabel('Country (C, two letters)').fill('us');
      const csr = await download(page, () => certs.getByRole('button', { name: 'Download CSR' }).click());
      expect(csr.name).toBe('enterprise.csr');
      // The real OpenSSL checks the request's self-signature and reads the subject; a test CA issues a code-signing certificate.
      const checked = await opensslRun(['req', '-in', csr.file, '-verify', '-noout', '-subject'], ca);
      expect(`${checked.stdout.toString()}${checked.stderr}`).toMatch(/verify OK/i);
      expect(checked.stdout.toString()).toContain('subject=C = US, ST = WA, O = Acme Rockets, CN = release.acme.example');
      const caPem = await createTestRoot(ca, 'Acme Test Enterprise CA', 'ec-p384', 30);
      await writeFile(path.join(ca, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n');
      await openssl(['x509', '-req', '-in', csr.file, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-sha384', '-days', '10', '-extfile', 'leaf.ext', '-out', 'leaf.crt'], ca);
      const chainPem = (await readFile(path.join(ca, 'leaf.crt'), 'utf8')) + caPem;

      // The chain in the wrong order is refused with a fix; in the right order it is imported.
      await certs.getByText('Import the certificate chain your CA issued').click();
      await certs.getByLabel('Certificate chain, PEM, leaf first').fill(caPem + (await readFile(path.join(ca, 'leaf.crt'), 'utf8')));
      await certs.getByRole('button', { name: 'Import certificate chain' }).click();
      await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('is number 2; put it first and order the chain leaf → intermediates → root');
      await certs.getByLabel('Certificate chain, PEM, leaf first').fill(chainPem);
      await certs.getByRole('button', { name: 'Import certificate chain' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Imported a chain of 2 certificate(s) for "enterprise"');
      await expect.poll(() => page.getByRole('list', { name: 'Certificate chain of enterprise' }).textContent()).toContain('CN=Acme Test Enterprise CA,O=Signet Tests');

      await resolve(page, world.onOlareg.reference);
      await page.getByTestId('sign-digest').waitFor({ timeout: 30_000 });
      const keySelect = page.getByRole('form', { name: 'Signature options', exact: true }).getByLabel('Signing key');
      expect(await keySelect.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe('enterprise — EC-384 (default)');
      await signAndWait(page);

      const home = await NotationHome.create();
      try {
        await home.addTrustStoreCertificates('ca', 'acme', [{ name: 'ca.crt', data: caPem }]);
        await home.writeTrustPolicy({
          version: '1.0',
          trustPolicies: [{ name: 'acme', registryScopes: [world.onOlareg.repository], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme Rockets, CN=release.acme.example'] }]
        });
        const verified = await home.run(['verify', '--insecure-registry', `${world.onOlareg.repository}@${world.onOlareg.descriptor.digest}`]);
        expect(verified.output).toContain('Successfully verified signature');
        expect(verified.code).toBe(0);
      } finally {
        await home.dispose();
      }
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await rm(ca, { recursive: true, force: true });
      await close();
    }
  });

  it('names the step that failed when the TSA cannot be used, and pushes nothing', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/keys'));
      await keyWithCertificate(page, 'tsa-fail');
      await resolve(page, world.onOlareg.reference);
      await page.getByTestId('sign-digest').waitFor({ timeout: 30_000 });
      const options = page.getByRole('form', { name: 'Signature options', exact: true });
      await options.getByLabel(/^Add an RFC 3161 timestamp/).check();
      await options.getByLabel('Timestamp authority URL').fill(world.tsa.url);
      // A root that is not the TSA's: the token must not be accepted.
      await options.getByLabel(/^TSA root certificate/).fill(toPem((await createTestChain({ keySpec: 'EC-256' })).root.der));
      await section(page, 'Sign an artifact').getByRole('button', { name: 'Sign and push' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Failed step' });
      await alert.waitFor({ timeout: 30_000 });
      const text = (await alert.textContent()) ?? '';
      expect(text).toContain(`Failed step: Get an RFC 3161 timestamp from ${new URL(world.tsa.url).host}`);
      expect(text).toContain("the timestamp authority's token failed verification");
      expect(text).toContain('Nothing was indexed');
      const steps = await stepsText(page);
      expect(steps.at(-1)).toMatch(/^✗ Get an RFC 3161 timestamp/);
      expect(steps.some((s) => s.includes('Upload'))).toBe(false);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });
});
