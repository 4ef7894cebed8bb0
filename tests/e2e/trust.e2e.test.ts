/**
 * The Trust page, end to end in Debian's Chromium against the built app: notation's folder
 * imported through the folder picker and by a REAL folder drop (Chromium's own drag and drop of a
 * directory, driven through the DevTools protocol, so the page walks real directory entries), a
 * zip made by Info-ZIP, and trustpolicy.json; every store judged with notation's messages; the
 * policy edited in the form with notation's errors shown then fixed; single certificates added;
 * and the export read back by the REAL notation v1.3.2 (policy import, cert ls, policy show) and
 * re-imported into a fresh browser with the same result.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotationHome } from '../helpers/notation';
import { createTestChain, toPem } from '../helpers/test-pki';
import { startApp, type E2eApp } from './harness';
import { artifactsDir, buildDir } from './paths';
import { unexpectedProblems } from './problems';
import { axeViolations, readmeShot } from './write-world';

const run = promisify(execFile);

let app: E2eApp;
let dir: string;
let notationDir: string;
let zipPath: string;
let chain: Awaited<ReturnType<typeof createTestChain>>;
let other: Awaited<ReturnType<typeof createTestChain>>;

const POLICY = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'acme-images',
      registryScopes: ['registry.example/acme/app'],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:acme', 'tsa:stamps'],
      trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=Test Leaf']
    }
  ]
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'signet-e2e-trust-'));
  // A copy of the build, so a rebuild elsewhere cannot change the app under the test.
  await cp(buildDir, path.join(dir, 'app'), { recursive: true });
  [app, chain, other] = await Promise.all([startApp({ root: path.join(dir, 'app') }), createTestChain({ keySpec: 'EC-256' }), createTestChain({ keySpec: 'EC-384', root: { subject: 'CN=Other Root, O=Elsewhere, C=US' } })]);
  // A notation configuration folder as notation itself lays it out.
  notationDir = path.join(dir, 'notation');
  const store = async (type: string, name: string, files: Record<string, string | Uint8Array>) => {
    const d = path.join(notationDir, 'truststore', 'x509', type, name);
    await mkdir(d, { recursive: true });
    for (const [f, data] of Object.entries(files)) await writeFile(path.join(d, f), data);
  };
  await store('ca', 'acme', { 'root.pem': toPem(chain.root.der) });
  await store('tsa', 'stamps', { 'tsa-root.crt': other.root.der });
  await store('ca', 'leafy', { 'leaf.pem': toPem(chain.leaf.der) });
  await writeFile(path.join(notationDir, 'trustpolicy.json'), JSON.stringify(POLICY, null, 2));
  await writeFile(path.join(notationDir, 'signingkeys.json'), '{"keys":[]}');
  // A second layout, zipped by Info-ZIP (deflate), as someone would send it.
  const zipDir = path.join(dir, 'zipped');
  await mkdir(path.join(zipDir, 'truststore', 'x509', 'signingAuthority', 'sa'), { recursive: true });
  await writeFile(path.join(zipDir, 'truststore', 'x509', 'signingAuthority', 'sa', 'sa-root.pem'), toPem(other.root.der).repeat(1));
  zipPath = path.join(dir, 'sa-store.zip');
  await run('zip', ['-r', '-q', zipPath, 'truststore'], { cwd: zipDir });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const report = (page: Page) => page.getByRole('region', { name: 'Import report' });
const storeArticle = (page: Page, key: string) => page.getByRole('article', { name: `Trust store ${key}` });

async function pickFolder(page: Page, folder: string): Promise<void> {
  await page.locator('input[webkitdirectory]').setInputFiles(folder);
}

/** Chromium's own drop of a directory from outside the page (DevTools protocol Input.dispatchDragEvent). */
async function dropFolder(page: Page, folder: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [folder], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x: 300, y: 300, data });
  await cdp.detach();
}

async function download(page: Page, name: string): Promise<string> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name }).click();
  const d = await downloading;
  const file = path.join(dir, d.suggestedFilename());
  await d.saveAs(file);
  return file;
}

describe('Trust page', () => {
  it('imports a notation folder (picked, then dropped for real) and an Info-ZIP zip, judging each store with notation\'s words', async () => {
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/trust'));
      await expect.poll(() => page.getByText('No trust store in this browser yet.').isVisible()).toBe(true);
      await pickFolder(page, notationDir);
      await report(page).waitFor({ timeout: 20_000 });
      const text = (await report(page).textContent()) ?? '';
      expect(text).toContain('Trust policy: from notation/trustpolicy.json');
      expect(text).toMatch(/Trust store ca:acme \(1 file\):\s*valid/);
      expect(text).toMatch(/Trust store tsa:stamps \(1 file\):\s*valid/);
      expect(text).toContain('Trust store ca:leafy (1 file): invalid failed to validate the trusted certificate leaf.pem in trust store leafy of type ca');
      expect(text).toContain('is not a CA certificate or self-signed signing certificate');
      await report(page).getByText('1 file(s) not used').click();
      expect(await report(page).textContent()).toContain("notation/signingkeys.json: not part of notation's trust policy or trust store layout");
      expect(await storeArticle(page, 'ca:acme').textContent()).toContain('CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US');
      expect(await storeArticle(page, 'ca:leafy').textContent()).toContain('notation: failed to validate the trusted certificate leaf.pem');
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'trust-imported.png'), fullPage: true });
      await readmeShot(page, 'trust-import-desktop-light', page.getByRole('heading', { name: 'Import from notation' }));

      // The zip, dropped with the app's drop handling (a File in the DataTransfer).
      const zip = new Uint8Array(await readFile(zipPath));
      await page.evaluate(async (bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'sa-store.zip', { type: 'application/zip' }));
        const main = document.querySelector('main')!;
        for (const type of ['dragenter', 'dragover', 'drop']) main.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }, [...zip]);
      await expect.poll(() => report(page).textContent(), { timeout: 20_000 }).toMatch(/Trust store signingAuthority:sa \(1 file\):\s*valid/);
      expect(await report(page).textContent()).toContain('Trust policy: none found (the stored one is kept)');
      expect(page.url()).toBe(app.url('/trust')); // the app-wide drop handler (which opens signatures) did not take it
      expect(await page.getByRole('article').count()).toBe(4);

      // A fresh browser: the folder dropped from outside the page, as a person would.
      const second = await app.newPage();
      try {
        await second.page.goto(app.url('/trust'));
        await second.page.getByText('No trust store in this browser yet.').waitFor();
        await dropFolder(second.page, notationDir);
        await report(second.page).waitFor({ timeout: 20_000 });
        expect(await report(second.page).textContent()).toContain('Trust policy: from notation/trustpolicy.json');
        expect(await second.page.getByRole('article').count()).toBe(3);
        expect(unexpectedProblems(second.problems)).toEqual([]);
      } finally {
        await second.close();
      }
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('edits the policy with notation\'s errors shown then fixed, adds certificates, exports what the real notation reads, and re-imports it', async () => {
    // bypassCSP lets axe-core be injected; the first test runs the page under its CSP.
    const { page, problems, close } = await app.newPage({ bypassCSP: true });
    const home = await NotationHome.create();
    try {
      await page.goto(app.url('/trust'));
      await page.getByText('No trust store in this browser yet.').waitFor();
      await pickFolder(page, notationDir);
      await report(page).waitFor({ timeout: 20_000 });

      const statement = page.getByRole('group', { name: 'Statement 1: acme-images' });
      await statement.waitFor();
      const scopes = statement.getByLabel(/^Registry scopes/);
      expect(await scopes.inputValue()).toBe('registry.example/acme/app');
      // A tag in a scope: notation's error appears under the field, on its line, and saving is blocked.
      await scopes.fill('registry.example/acme/app\nregistry.example/acme/tools:v1');
      const problemsBox = page.locator('#policy-problems');
      await expect.poll(() => problemsBox.textContent()).toContain('notation would refuse this policy');
      expect(await statement.locator('.field-issues').first().textContent()).toContain('Line 2: registry scope "registry.example/acme/tools:v1" is not valid');
      expect(await scopes.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByRole('button', { name: 'Save policy' }).isDisabled()).toBe(true);
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'trust-policy-error.png'), fullPage: true });
      await readmeShot(page, 'trust-policy-editor-desktop-light', page.getByRole('heading', { name: 'Trust policy', exact: true }));
      // An invalid store, an import report and a policy error on screen: still no accessibility violation.
      const axe = await axeViolations(page);
      expect(axe, axe.join('\n')).toEqual([]);
      await scopes.fill('registry.example/acme/app\nregistry.example/acme/tools');
      await expect.poll(() => problemsBox.textContent()).toContain('notation accepts this policy');
      expect(await page.getByLabel('Trust policy JSON').textContent()).toContain('"registry.example/acme/tools"');

      // A second statement: skip with stores is notation's error until they are cleared.
      await page.getByRole('button', { name: 'Add statement' }).click();
      const second = page.getByRole('group', { name: /^Statement 2/ });
      await second.getByLabel('Name', { exact: true }).fill('skip-test');
      await second.getByLabel(/^Registry scopes/).fill('registry.example/test');
      await second.getByLabel('Verification level').selectOption('skip');
      await expect.poll(() => problemsBox.textContent()).toContain('is set to skip signature verification but configured with trust stores and/or trusted identities');
      await second.getByLabel(/^Trust stores/).fill('');
      await second.getByLabel(/^Trusted identities/).fill('');
      await expect.poll(() => problemsBox.textContent()).toContain('notation accepts this policy');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved the trust policy; Verify uses it from now on.');

      // notation cert add: a root into a new store, then a leaf notation will refuse at verification (a warning, as notation adds it).
      const add = page.getByRole('form', { name: 'Add certificates' });
      await add.getByLabel('Store name').fill('extra');
      let choosing = page.waitForEvent('filechooser');
      await add.getByRole('button', { name: 'Choose certificate files…' }).click();
      await (await choosing).setFiles({ name: 'other-root.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(toPem(other.root.der)) });
      await add.getByRole('button', { name: 'Add to trust store' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Added other-root.pem to ca:extra.');
      choosing = page.waitForEvent('filechooser');
      await add.getByRole('button', { name: 'Choose certificate files…' }).click();
      await (await choosing).setFiles({ name: 'leaf.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(toPem(chain.leaf.der)) });
      await add.getByRole('button', { name: 'Add to trust store' }).click();
      await expect.poll(() => add.textContent()).toContain('notation refuses this store at verification time: failed to validate the trusted certificate leaf.pem in trust store extra of type ca');
      await page.getByRole('button', { name: 'Remove leaf.pem from ca:extra' }).click();
      await expect.poll(() => storeArticle(page, 'ca:extra').textContent()).not.toContain('leaf.pem');
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'trust-desktop-light.png'), fullPage: true });

      // Export, and the real notation reads both.
      const policyFile = await download(page, 'Download trustpolicy.json');
      const zipFile = await download(page, 'Download trust store (.zip)');
      expect(path.basename(policyFile)).toBe('trustpolicy.json');
      const imported = await home.run(['policy', 'import', '--force', policyFile]);
      expect(imported.output).toContain('Trust policy configuration imported successfully.');
      expect(imported.code).toBe(0);
      await run('unzip', ['-q', zipFile, '-d', home.notationDir]);
      const certs = await home.run(['cert', 'ls']);
      expect(certs.code).toBe(0);
      const rows = certs.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).join(' '));
      expect(rows).toEqual(['ca acme root.pem', 'ca extra other-root.pem', 'ca leafy leaf.pem', 'tsa stamps tsa-root.crt']);
      expect(await readFile(path.join(home.notationDir, 'truststore/x509/tsa/stamps/tsa-root.crt'))).toEqual(Buffer.from(other.root.der));
      const shown = await home.run(['policy', 'show']);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toEqual({
        version: '1.0',
        trustPolicies: [
          { ...POLICY.trustPolicies[0], registryScopes: ['registry.example/acme/app', 'registry.example/acme/tools'] },
          { name: 'skip-test', registryScopes: ['registry.example/test'], signatureVerification: { level: 'skip' } }
        ]
      });
      const jsonView = await page.getByLabel('Trust policy JSON').textContent();
      const storeKeys = await page.getByRole('article').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      expect(unexpectedProblems(problems)).toEqual([]);

      // Re-import in a fresh browser: the same stores, the same policy.
      const fresh = await app.newPage();
      try {
        await fresh.page.goto(app.url('/trust'));
        await fresh.page.getByText('No trust store in this browser yet.').waitFor();
        const picking = fresh.page.waitForEvent('filechooser');
        await fresh.page.getByRole('button', { name: 'Choose files (trustpolicy.json, .zip)…' }).click();
        await (await picking).setFiles([zipFile, policyFile]);
        await report(fresh.page).waitFor({ timeout: 20_000 });
        await expect.poll(() => fresh.page.getByRole('article').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(storeKeys);
        expect(await fresh.page.getByLabel('Trust policy JSON').textContent()).toBe(jsonView);
        expect(unexpectedProblems(fresh.problems)).toEqual([]);
      } finally {
        await fresh.close();
      }
    } finally {
      await home.dispose();
      await close();
    }
  });
});
