/**
 * The read side of the web app, end to end in Debian's Chromium against the built app, REAL
 * registries (distribution with htpasswd auth and the tag index; olareg with the Referrers API)
 * reached THROUGH the REAL cors-proxy, and signatures made with Signet's signAndPush:
 * paste → sign in → tree → verify (green) → download → inspect; a platform of an index; a failing
 * verification with its fix; a registry without CORS; a share link opened in a fresh context.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_USERS } from '../helpers/registries';
import { artifactsDir } from './paths';
import { unexpectedProblems } from './problems';
import { POLICY_NAME, seedTrustMaterial, startWorld, TRUST_STORE_NAME, type World } from './registry-world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

async function lookUp(page: Page, reference: string): Promise<void> {
  await page.getByLabel('Artifact reference').fill(reference);
  await page.getByRole('button', { name: 'Look up' }).click();
}

async function signIn(page: Page): Promise<void> {
  const form = page.getByRole('form', { name: `Sign in to ${world.distribution.host}` });
  await form.waitFor();
  await form.getByLabel('User name').fill('alice');
  await form.getByLabel('Password or access token').fill(TEST_USERS.alice.password);
  await form.getByRole('button', { name: 'Sign in and retry' }).click();
}

const verdict = (page: Page) => page.getByRole('region', { name: 'Verification result' });

describe('verify flow', () => {
  it('paste → sign in → tree → verify (green) → download the result → inspect', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/'));
      await seedTrustMaterial(page, world.material);
      await lookUp(page, world.app1.reference);

      // distribution asks for Basic auth; the page asks for it and retries.
      await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Sign-in needed');
      await signIn(page);

      const tree = page.getByRole('group', { name: 'Referrers' });
      await tree.waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('resolved-digest').textContent()).toBe(world.app1.descriptor.digest);
      expect(await page.getByText('Always verify the artifact using digest').textContent()).toContain('rather than a tag (:v1)');
      for (const digest of [...world.app1.signatureDigests, world.app1.sbomDigest]) {
        expect(await tree.getByText(digest, { exact: true }).count(), digest).toBe(1);
      }
      const treeText = (await tree.textContent()) ?? '';
      expect(treeText).toContain('CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US');
      expect(treeText).toContain('application/spdx+json');
      expect(treeText).toContain('2 signature(s), 1 SBOM(s)');
      expect(treeText).toContain('referrers tag index');
      // Every step was shown, each with its requests.
      const progress = (await page.getByRole('region', { name: 'Progress of the lookup and verification' }).textContent()) ?? '';
      expect(progress).toMatch(/Resolve tag "v1" on 127\.0\.0\.1:\d+.*done/);
      expect(progress).toMatch(/List referrers.*2 referrers via the tag index|List referrers.*3 referrers via the tag index/);
      await world.app.screenshot(page, 'home-tree');

      await page.getByRole('button', { name: 'Verify signatures' }).click();
      await verdict(page).waitFor({ timeout: 30_000 });
      const verdictText = (await verdict(page).textContent()) ?? '';
      expect(verdictText).toContain('Verified');
      expect(verdictText).toContain(`Successfully verified signature for ${world.app1.repository}@${world.app1.descriptor.digest}`);
      expect(verdictText).toContain(`Policy statement "${POLICY_NAME}" at level strict`);
      expect(verdictText).toContain('your trust material stored in this browser');
      const rows = verdict(page).getByRole('table', { name: 'Checks of signature 1' }).getByRole('row');
      expect(await rows.count()).toBe(6);
      for (const check of ['Integrity', 'Authenticity', 'Expiry', 'Authentic timestamp', 'Revocation']) {
        const row = verdict(page).getByRole('row', { name: new RegExp(`^${check}`) });
        expect(await row.textContent(), check).toContain('Passed');
        expect(await row.textContent(), check).toContain('enforced');
      }
      await world.app.screenshot(page, 'home-verified');

      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download result (JSON)' }).click();
      const download = await downloading;
      const file = path.join(artifactsDir, download.suggestedFilename());
      await download.saveAs(file);
      const report = JSON.parse(await readFile(file, 'utf8'));
      expect(report.result.verified).toBe(true);
      expect(report.result.reference).toBe(`${world.app1.repository}@${world.app1.descriptor.digest}`);
      expect(report.trustMaterial.kind).toBe('stored');
      expect(report.policyStatement.trustStores).toEqual([`ca:${TRUST_STORE_NAME}`]);
      expect(report.result.signatures[0].checks.map((c: { outcome: string }) => c.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);

      // Inspect the first signature from the tree.
      await tree.getByRole('link', { name: `Inspect signature ${world.app1.signatureDigests[0]}` }).click();
      await page.waitForURL(/\/inspect\?/);
      const inspector = page.getByRole('region', { name: `Signature ${world.app1.signatureDigests[0]}`, exact: true });
      await inspector.waitFor({ timeout: 30_000 });
      const signatureTree = inspector.getByRole('list', { name: 'Signature tree' });
      expect(await signatureTree.textContent()).toContain(`digest: ${world.app1.descriptor.digest}`);
      expect(await signatureTree.textContent()).toContain('signature algorithm: ECDSA-SHA-256');
      await inspector.getByLabel('JSON (notation inspect -o json)').check();
      const json = JSON.parse((await inspector.getByLabel('Signature as JSON').textContent()) ?? '');
      expect(json.Signatures[0].digest).toBe(world.app1.signatureDigests[0]);
      expect(json.Signatures[0].signedArtifact.digest).toBe(world.app1.descriptor.digest);
      expect(json.Signatures[0].mediaType).toBe('application/cose');
      const chain = inspector.getByRole('region', { name: 'Signing certificate chain' });
      expect(await chain.textContent()).toContain('CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US');
      expect(await chain.textContent()).toContain('codeSigning');
      await world.app.screenshot(page, 'inspect-registry');
      expect(unexpectedProblems(problems)).toEqual([]);
      // Every registry request went through the proxy; none went straight to the registry.
      expect(world.proxy.logs().length).toBeGreaterThan(5);
    } finally {
      await close();
    }
  });

  it('lists the platforms of an index and verifies the one chosen (olareg, Referrers API)', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url(`/?ref=${encodeURIComponent(world.multi.reference)}`));
      await seedTrustMaterial(page, world.material);
      const platforms = page.getByRole('group', { name: 'Multi-platform index: show and verify' });
      await platforms.waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('resolved-digest').textContent()).toBe(world.multi.descriptor.digest);
      await expect.poll(() => page.getByRole('group', { name: 'Referrers' }).textContent()).toContain('No referrers');
      await platforms.getByLabel(/linux\/arm64\/v8/).check();
      const tree = page.getByRole('group', { name: 'Referrers' });
      await expect.poll(() => tree.textContent(), { timeout: 30_000 }).toContain(world.multi.signatureDigests[0]!);
      expect(await tree.textContent()).toContain('the Referrers API');
      await page.getByRole('button', { name: 'Verify signatures' }).click();
      await verdict(page).waitFor({ timeout: 30_000 });
      expect(await verdict(page).textContent()).toContain(`Successfully verified signature for ${world.multi.repository}@${world.multi.arm64.digest}`);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the failing check and how to fix it when the signer is not trusted', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/'));
      await seedTrustMaterial(page, world.material);
      await lookUp(page, world.untrusted.reference);
      await page.getByRole('button', { name: 'Verify signatures' }).click({ timeout: 30_000 });
      await verdict(page).waitFor({ timeout: 30_000 });
      const text = (await verdict(page).textContent()) ?? '';
      expect(text).toContain('Not verified');
      expect(text).toContain(`signature verification failed for all the signatures associated with ${world.untrusted.repository}@${world.untrusted.descriptor.digest}`);
      const row = verdict(page).getByRole('row', { name: /^Authenticity/ });
      const rowText = (await row.textContent()) ?? '';
      expect(rowText).toContain('Failed');
      expect(rowText).toContain("the signature's certificate chain does not contain any trusted certificate");
      expect(rowText).toContain(`How to fix: None of the signer's certificates is in the trust stores your policy names (ca:${TRUST_STORE_NAME})`);
      expect(await verdict(page).getByRole('row', { name: /^Integrity/ }).textContent()).toContain('Passed');
      await world.app.screenshot(page, 'home-failed');
      await page.getByRole('heading', { name: 'Verification result' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await mkdir(path.join(artifactsDir, 'screenshots'), { recursive: true });
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'readme-verify-failed.png') });
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says to enable the proxy when a registry sends no CORS headers', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/'));
      await lookUp(page, world.direct.reference);
      const alert = page.getByRole('alert').filter({ hasText: 'CORS' });
      await alert.waitFor({ timeout: 30_000 });
      const text = (await alert.textContent()) ?? '';
      expect(text).toContain('The registry blocks this page (CORS)');
      expect(text).toContain('this registry sends no CORS headers: enable the proxy in Settings');
      expect(text).toContain('ERR_REGISTRY_CORS');
      expect(await alert.getByRole('link', { name: 'Open Settings' }).getAttribute('href')).toBe('/settings');
      // Chromium reports the refused cross-origin reads on the console; nothing else may go wrong.
      expect(unexpectedProblems(problems, [/blocked by CORS policy/, /net::ERR_FAILED/])).toEqual([]);
    } finally {
      await close();
    }
  });

  it("turns a deployment's demo preset (what npm start serves) into a green first verification with no setup", async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      const pinned = `${world.web.repository}@${world.web.descriptor.digest}`;
      await page.goto(`${world.demoSite.url}/?ref=${encodeURIComponent(pinned)}`);
      await page.getByRole('button', { name: 'Verify signatures' }).click({ timeout: 30_000 });
      await verdict(page).waitFor({ timeout: 30_000 });
      const text = (await verdict(page).textContent()) ?? '';
      expect(text).toContain(`Successfully verified signature for ${pinned}`);
      expect(text).toContain("your trust material stored in this browser (preloaded from this deployment's demo (signet-demo.json))");
      // The proxy came from the preset too: the registry is cross-origin and sends no CORS headers.
      expect(await page.getByText(/Revocation was checked online, through the proxy at/).count()).toBe(1);
      // Preloaded means stored: the Trust page shows it after a reload.
      await page.goto(`${world.demoSite.url}/trust`);
      await expect.poll(() => page.getByRole('region', { name: 'Your trust material' }).textContent()).toContain('Trust store ca:signet-demo');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('makes a share link that verifies in a fresh browser context with empty storage', async () => {
    const a = await world.app.newPage();
    let link: string;
    try {
      await a.page.goto(world.app.url('/'));
      await seedTrustMaterial(a.page, world.material);
      await lookUp(a.page, world.app1.reference);
      await signIn(a.page);
      await a.page.getByRole('button', { name: 'Verify signatures' }).click({ timeout: 30_000 });
      await verdict(a.page).waitFor({ timeout: 30_000 });
      await a.page.getByRole('button', { name: 'Create share link' }).click();
      const field = a.page.getByLabel(/^Share link/);
      await field.waitFor();
      link = await field.inputValue();
      expect(link.startsWith(`${world.app.baseUrl}/#share=1.`)).toBe(true);
      expect(new URL(link).search).toBe('');
      expect(unexpectedProblems(a.problems)).toEqual([]);
    } finally {
      await a.close();
    }

    // A new context: no trust material, no credentials, nothing in storage.
    const b = await world.app.newPage();
    try {
      await b.page.goto(link);
      expect(await b.page.evaluate(() => localStorage.length)).toBe(0);
      // The registry still wants its password: the receiver signs in, the link's trust material is used.
      await signIn(b.page);
      await verdict(b.page).waitFor({ timeout: 30_000 });
      const text = (await verdict(b.page).textContent()) ?? '';
      expect(text).toContain(`Successfully verified signature for ${world.app1.repository}@${world.app1.descriptor.digest}`);
      expect(text).toContain('the trust material in this share link');
      expect(text).toContain('not yours');
      expect(await b.page.getByText('Opened from a share link.').count()).toBe(1);
      const stored = await b.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
      expect(stored).not.toContain('signet-trust');
      await world.app.screenshot(b.page, 'share-opened');
      expect(unexpectedProblems(b.problems)).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
