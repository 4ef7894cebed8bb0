/**
 * "Behind the scenes" end to end in Debian's Chromium: the built app, REAL distribution (htpasswd,
 * tag index) and olareg (Referrers API) reached THROUGH the REAL cors-proxy (tests/e2e/registry-world.ts).
 * The panel opens from a verification and is driven by keyboard; its Objects view shows what the
 * registry holds; its Trace lists every request with its step and no credential (on screen and in
 * the exported HAR file); its Before/after view shows exactly what a signing added (the signing is
 * done from Node with Signet's signAndPush, as `notation sign` would be from a terminal); and it
 * works at 375 px. On Keys & Sign, the panel reads the registry when the artifact is resolved and
 * again after "Sign and push", and shows what the page's own signing added.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAndPush } from '../../src/lib/app/signatures';
import { EMPTY_JSON } from '../../src/lib/oci/media-types';
import { staticCredentials } from '../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../src/lib/registry/client';
import { TEST_USERS } from '../helpers/registries';
import { artifactsDir } from './paths';
import { unexpectedProblems } from './problems';
import { seedTrustMaterial, startWorld, type World } from './registry-world';
import { keyWithCertificate } from './write-world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PASSWORD = TEST_USERS.alice.password;
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString('base64');

async function lookUp(page: Page, reference: string): Promise<void> {
  await page.getByLabel('Artifact reference').fill(reference);
  await page.getByRole('button', { name: 'Look up' }).click();
}

async function signIn(page: Page): Promise<void> {
  const form = page.getByRole('form', { name: `Sign in to ${world.distribution.host}` });
  await form.waitFor({ timeout: 30_000 });
  await form.getByLabel('User name').fill('alice');
  await form.getByLabel('Password or access token').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in and retry' }).click();
}

const panel = (page: Page) => page.getByRole('region', { name: 'Behind the scenes' });
const tab = (page: Page, name: RegExp | string) => panel(page).getByRole('tab', { name });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

/** Opens the disclosure by keyboard (focus, Enter). */
async function openPanel(page: Page): Promise<void> {
  const toggle = panel(page).getByRole('button', { name: 'Behind the scenes' });
  await toggle.focus();
  expect(await toggle.getAttribute('aria-expanded')).toBe('false');
  await page.keyboard.press('Enter');
  expect(await toggle.getAttribute('aria-expanded')).toBe('true');
  // The views load on first opening.
  await panel(page).getByRole('tablist', { name: 'Behind the scenes views' }).waitFor();
}

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const waiting = page.waitForEvent('download');
  await panel(page).getByRole('button', { name: button }).click();
  const d = await waiting;
  const file = path.join(artifactsDir, d.suggestedFilename());
  await d.saveAs(file);
  return { name: d.suggestedFilename(), text: await readFile(file, 'utf8') };
}

const nodeClient = () =>
  createRegistryClient({
    fetch: globalThis.fetch,
    credentials: staticCredentials({ [world.distribution.host]: { username: 'alice', password: PASSWORD } })
  });

describe('behind the scenes', () => {
  it('opens from a verification: objects as the registry holds them, the trace per step without secrets, exports', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/'));
      await seedTrustMaterial(page, world.material);
      await lookUp(page, world.app1.reference);
      await signIn(page);
      await page.getByRole('group', { name: 'Referrers' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Verify signatures' }).click();
      await page.getByRole('region', { name: 'Verification result' }).waitFor({ timeout: 30_000 });

      await openPanel(page);
      // Tab reaches the selected tab; arrows, Home and End move between tabs.
      await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe('Objects');
      await page.keyboard.press('ArrowRight');
      expect(await focusedText(page)).toMatch(/^Trace \(\d+\)$/);
      expect(await tab(page, /^Trace/).getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('End');
      expect(await focusedText(page)).toBe('Before/after');
      await page.keyboard.press('ArrowRight');
      expect(await focusedText(page)).toBe('Objects');
      expect(await tab(page, 'Objects').getAttribute('aria-selected')).toBe('true');
      expect(await panel(page).getByRole('tabpanel', { name: 'Objects' }).isVisible()).toBe(true);
      expect(await panel(page).getByRole('tabpanel', { name: /^Trace/ }).isVisible()).toBe(false);

      // Objects: read on first view; the artifact, both signatures, the SBOM, the tag index and its tag.
      const objects = panel(page).getByRole('list', { name: 'Registry objects' });
      await objects.waitFor({ timeout: 30_000 });
      const text = (await objects.textContent()) ?? '';
      for (const digest of [world.app1.descriptor.digest, ...world.app1.signatureDigests, world.app1.sbomDigest, EMPTY_JSON.digest]) expect(text, digest).toContain(digest);
      expect(text).toContain('artifact manifest');
      expect(text).toContain('tag v1');
      expect(text).toContain('signature envelope (COSE)');
      expect(text).toContain('signature envelope (JWS)');
      expect(text).toContain('referrer (its subject is the object above)');
      const indexes = panel(page).getByRole('list', { name: 'Referrers tag indexes' });
      expect(await indexes.textContent()).toContain(`tag ${world.app1.descriptor.digest.replace(':', '-')}`);
      expect(await panel(page).textContent()).toContain('Referrers were found through the referrers tag index');
      // Raw JSON and the decoded envelope open by keyboard.
      const raw = objects.locator('summary', { hasText: 'Raw JSON of the artifact manifest' });
      await raw.focus();
      await page.keyboard.press('Enter');
      const rawText = (await objects.locator('details[open] pre').first().textContent()) ?? '';
      expect(JSON.parse(rawText).layers).toHaveLength(1);
      const decoded = objects.locator('summary', { hasText: 'Decoded signature envelope (COSE)' });
      await decoded.focus();
      await page.keyboard.press('Enter');
      const envelope = JSON.parse((await decoded.locator('xpath=..').locator('pre').textContent()) ?? '');
      expect(envelope.signedArtifact.digest).toBe(world.app1.descriptor.digest);
      expect(envelope.certificates[0].issuedTo).toBe('CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US');
      await world.app.screenshot(page, 'behind-the-scenes-objects');

      // Trace: the requests of the lookup and the verification, each with its step.
      await tab(page, /^Trace/).click();
      const table = panel(page).getByRole('table', { name: /HTTP requests in the order they were made/ });
      const rows = table.locator('tbody tr');
      const steps = (await rows.locator('td.step').allTextContents()).map((t) => t.replace(/^Step:\s*/, ''));
      const purposes = await rows.locator('.purpose').allTextContents();
      expect(steps.length).toBeGreaterThan(5);
      expect(steps[0]).toBe(`Resolve tag "v1" on ${world.distribution.host}`);
      expect(purposes[0]).toBe('resolve tag v1');
      expect(steps).toContain('Fetch and verify signatures');
      expect(steps).toContain('Behind the scenes: read the registry objects');
      expect(purposes.some((p) => p.startsWith('read the referrers tag index'))).toBe(true);
      expect(purposes.some((p) => /— signature envelope \((COSE|JWS)\)$/.test(p))).toBe(true);
      // The registry asked for credentials (401), then got them — shown only as "Basic ‹redacted›".
      expect(await rows.first().locator('.badge').textContent()).toBe('401');
      const tableText = (await table.textContent()) ?? '';
      expect(tableText).toContain('Basic ‹redacted›');
      expect(tableText).toContain('www-authenticate');
      expect(tableText).toContain('docker-content-digest');
      expect(tableText).toContain('from the digest cache');
      const html = await page.content();
      expect(html).not.toContain(PASSWORD);
      expect(html).not.toContain(BASIC);
      await world.app.screenshot(page, 'behind-the-scenes-trace');

      const har = await download(page, 'Export trace (HAR JSON)');
      expect(har.name).toMatch(/^signet-trace-.*\.har\.json$/);
      expect(har.text).not.toContain(PASSWORD);
      expect(har.text).not.toContain(BASIC);
      const log = JSON.parse(har.text).log;
      expect(log.version).toBe('1.2');
      expect(log.entries).toHaveLength(steps.length);
      expect(log.entries[0].request.method).toBe('HEAD');
      expect(log.entries[0].request.url).toBe(`http://${world.distribution.host}/v2/e2e/app/manifests/v1`);
      expect(log.entries[0].response.status).toBe(401);
      const authorized = log.entries.flatMap((e: { request: { headers: { name: string; value: string }[] } }) => e.request.headers.filter((h) => h.name === 'authorization'));
      expect(authorized.length).toBeGreaterThan(0);
      expect(new Set(authorized.map((h: { value: string }) => h.value))).toEqual(new Set(['Basic ‹redacted›']));
      expect(log.entries.map((e: { _signet: { step: string } }) => e._signet.step)).toContain('Fetch and verify signatures');
      const starts = log.entries.map((e: { startedDateTime: string }) => Date.parse(e.startedDateTime));
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);

      const graph = await download(page, 'Export objects (JSON)');
      const g = JSON.parse(graph.text);
      expect(g.mediaType).toBe('application/vnd.signet.object-graph.v1+json');
      expect(g.root).toBe(world.app1.descriptor.digest);
      expect(g.referrersVia).toBe('tag-schema');
      for (const digest of [...world.app1.signatureDigests, world.app1.sbomDigest]) expect(g.nodes.some((n: { id: string }) => n.id === digest), digest).toBe(true);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('before/after a signing on distribution: the new signature, its envelope, the new tag index; the tag moved and the old index is gone', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/'));
      await lookUp(page, world.app1.reference);
      await signIn(page);
      await page.getByRole('group', { name: 'Referrers' }).waitFor({ timeout: 30_000 });
      await openPanel(page);
      await page.keyboard.press('Tab');
      await page.keyboard.press('End');
      expect(await focusedText(page)).toBe('Before/after');
      const changes = panel(page).getByRole('tabpanel', { name: 'Before/after' });
      await changes.getByRole('button', { name: 'Take a snapshot' }).focus();
      await page.keyboard.press('Enter');
      await changes.getByText(/^Snapshot taken at .*: \d+ objects\.$/).waitFor({ timeout: 30_000 });

      // Sign from outside the page, as `notation sign` would.
      const repo = nodeClient().repository(world.app1.repository);
      const tagName = world.app1.descriptor.digest.replace(':', '-');
      const oldIndex = await repo.resolve(tagName);
      const signed = await signAndPush(repo, world.app1.descriptor, world.trusted, { format: 'cose', push: { settleMs: 300, maxReadAgeMs: 100 } });
      const newIndex = await repo.resolve(tagName);
      const envelopeDigest = signed.signed.signatureManifest.envelope.digest;

      await changes.getByRole('button', { name: 'Compare with the registry now' }).click();
      const list = changes.getByRole('list', { name: 'Changes in the registry' });
      await list.waitFor({ timeout: 30_000 });
      const items = (await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(items).toHaveLength(5);
      expect(items.find((t) => t.startsWith('Added signature manifest'))).toContain(signed.pushed.descriptor.digest);
      expect(items.find((t) => t.startsWith('Added signature envelope (COSE)'))).toContain(envelopeDigest);
      expect(items.find((t) => t.startsWith('Added referrers tag index'))).toContain(newIndex.digest);
      expect(items.find((t) => t.startsWith(`Moved referrers tag ${tagName}`))).toContain(`→ ${newIndex.digest} (was ${oldIndex.digest})`);
      expect(items.find((t) => t.startsWith('Gone referrers tag index'))).toContain(oldIndex.digest);
      expect(await changes.getByRole('status').last().textContent()).toMatch(/3 object\(s\) added, 1 tag\(s\) moved, 1 gone/);
      await world.app.screenshot(page, 'behind-the-scenes-before-after');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('at 375 px on olareg: opens, every view fits the width, and the before/after shows a new signature', async () => {
    const { page, problems, close } = await world.app.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    try {
      await page.goto(world.app.url(`/?ref=${encodeURIComponent(world.web.reference)}`));
      await page.getByRole('group', { name: 'Referrers' }).waitFor({ timeout: 30_000 });
      await openPanel(page);
      await panel(page).getByRole('list', { name: 'Registry objects' }).waitFor({ timeout: 30_000 });
      expect(await panel(page).textContent()).toContain('Referrers were found through the Referrers API');
      expect(await panel(page).getByRole('list', { name: 'Referrers tag indexes' }).count()).toBe(0);
      for (const summary of await panel(page).locator('summary').all()) await summary.click();
      expect(await overflow(), 'Objects view overflows sideways').toBeLessThanOrEqual(0);
      await tab(page, /^Trace/).click();
      for (const summary of await panel(page).locator('summary').all()) await summary.click();
      const rows = panel(page).locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(3);
      expect(await panel(page).getByRole('table').textContent()).not.toContain('authorization');
      expect(await overflow(), 'Trace view overflows sideways').toBeLessThanOrEqual(0);
      await world.app.screenshot(page, 'behind-the-scenes-phone-trace');

      await tab(page, 'Before/after').click();
      await panel(page).getByRole('button', { name: 'Take a snapshot' }).click();
      await panel(page).getByText(/^Snapshot taken at/).waitFor({ timeout: 30_000 });
      const repo = nodeClient().repository(world.web.repository);
      const signed = await signAndPush(repo, world.web.descriptor, world.trusted, { format: 'jws' });
      await panel(page).getByRole('button', { name: 'Compare with the registry now' }).click();
      const list = panel(page).getByRole('list', { name: 'Changes in the registry' });
      await list.waitFor({ timeout: 30_000 });
      const items = (await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      // The Referrers API indexes the subject itself and the config blob was already there: two objects.
      expect(items).toHaveLength(2);
      expect(items.find((t) => t.startsWith('Added signature manifest'))).toContain(signed.pushed.descriptor.digest);
      expect(items.some((t) => t.startsWith('Added signature envelope (JWS)'))).toBe(true);
      expect(await overflow(), 'Before/after view overflows sideways').toBeLessThanOrEqual(0);
      await world.app.screenshot(page, 'behind-the-scenes-phone-before-after');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('opens from a signing on Keys & Sign: before/after shows what "Sign and push" added, and the trace the pushes', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/keys'));
      await keyWithCertificate(page, 'bts-signer');
      const sign = page.getByRole('region', { name: 'Sign an artifact' });
      await sign.getByLabel('Artifact reference').fill(world.app1.reference);
      await sign.getByRole('button', { name: 'Resolve' }).click();
      await signIn(page);
      await expect.poll(() => page.getByTestId('sign-digest').textContent(), { timeout: 30_000 }).toBe(world.app1.descriptor.digest);

      // Resolving reads the registry once: that is the "before".
      await openPanel(page);
      await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowLeft');
      expect(await focusedText(page)).toBe('Before/after');
      const changes = panel(page).getByRole('tabpanel', { name: 'Before/after' });
      await changes.getByText(/^Snapshot taken at .*: \d+ objects\.$/).waitFor({ timeout: 30_000 });
      const tagName = world.app1.descriptor.digest.replace(':', '-');
      const repo = nodeClient().repository(world.app1.repository);
      const oldIndex = await repo.resolve(tagName);

      await sign.getByRole('button', { name: 'Sign and push' }).click();
      const result = sign.getByTestId('sign-result');
      await result.waitFor({ timeout: 30_000 });
      const signature = /Signature (sha256:[0-9a-f]{64})/.exec((await result.textContent()) ?? '')![1]!;
      const newIndex = await repo.resolve(tagName);
      expect(newIndex.digest).not.toBe(oldIndex.digest);
      const pushed = await repo.fetchManifest(signature);
      const envelopeDigest = JSON.parse(new TextDecoder().decode(pushed.bytes)).layers[0].digest as string;

      await changes.getByText('What the signing added to the registry, read before and after it pushed.').waitFor({ timeout: 30_000 });
      const list = changes.getByRole('list', { name: 'Changes in the registry' });
      await list.waitFor({ timeout: 30_000 });
      const items = (await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(items).toHaveLength(5);
      expect(items.find((t) => t.startsWith('Added signature manifest'))).toContain(signature);
      expect(items.find((t) => t.startsWith('Added signature envelope (COSE)'))).toContain(envelopeDigest);
      expect(items.find((t) => t.startsWith('Added referrers tag index'))).toContain(newIndex.digest);
      expect(items.find((t) => t.startsWith(`Moved referrers tag ${tagName}`))).toContain(`(was ${oldIndex.digest})`);
      expect(items.find((t) => t.startsWith('Gone referrers tag index'))).toContain(oldIndex.digest);
      await world.app.screenshot(page, 'behind-the-scenes-signing');

      // The trace shows the pushes under the signing's steps, authenticated, with no secret.
      await tab(page, /^Trace/).click();
      const rows = panel(page).locator('tbody tr');
      const steps = (await rows.locator('td.step').allTextContents()).map((t) => t.replace(/^Step:\s*/, ''));
      const purposes = await rows.locator('.purpose').allTextContents();
      const stepOf = (purpose: RegExp) => steps[purposes.findIndex((p) => purpose.test(p))];
      expect(stepOf(/^push manifest sha256:/)).toBe('Push the signature manifest');
      expect(stepOf(/^push a manifest as the referrers tag index/)).toBe('Update the referrers index');
      expect(steps).toContain('Upload the signature envelope');
      expect(purposes.some((p) => p.startsWith('finish the upload of blob'))).toBe(true);
      const tableText = (await panel(page).getByRole('table').textContent()) ?? '';
      expect(tableText).toContain('Basic ‹redacted›');
      const html = await page.content();
      expect(html).not.toContain(PASSWORD);
      expect(html).not.toContain(BASIC);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each(['light', 'dark'] as const)('has no axe-core violations in any view (%s theme), and the check can fail', async (scheme) => {
    // axe is injected into a context that bypasses the app's CSP (the app never loads it).
    const { page, problems, close } = await world.app.newPage({ bypassCSP: true, colorScheme: scheme });
    const violations = async (): Promise<string[]> => {
      const found = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Element, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const section = document.querySelector('section.bts')!;
        const result = await axe.run(section, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      })) as string[];
      return found;
    };
    try {
      await page.goto(world.app.url(`/?ref=${encodeURIComponent(world.web.reference)}`));
      await page.getByRole('group', { name: 'Referrers' }).waitFor({ timeout: 30_000 });
      await page.addScriptTag({ path: axePath });
      expect(await violations(), 'closed').toEqual([]);
      await openPanel(page);
      await panel(page).getByRole('list', { name: 'Registry objects' }).waitFor({ timeout: 30_000 });
      for (const summary of await panel(page).locator('summary').all()) await summary.click();
      expect(await violations(), 'Objects').toEqual([]);
      await tab(page, /^Trace/).click();
      for (const summary of await panel(page).locator('summary').all()) await summary.click();
      expect(await violations(), 'Trace').toEqual([]);
      await tab(page, 'Before/after').click();
      await panel(page).getByRole('button', { name: 'Take a snapshot' }).click();
      await panel(page).getByText(/^Snapshot taken at/).waitFor({ timeout: 30_000 });
      await panel(page).getByRole('button', { name: 'Compare with the registry now' }).click();
      await panel(page).getByText(/^No change: the registry holds the same \d+ objects as before\.$/).waitFor({ timeout: 30_000 });
      expect(await violations(), 'Before/after').toEqual([]);
      // A planted unnamed control inside the panel is reported.
      await page.evaluate(() => document.querySelector('section.bts')!.insertAdjacentHTML('beforeend', '<button type="button"></button>'));
      expect((await violations()).some((v) => v.startsWith('button-name'))).toBe(true);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });
});
