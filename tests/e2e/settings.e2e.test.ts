/**
 * Settings, end to end in Debian's Chromium against REAL registries and the REAL cors-proxy
 * (write-world.ts): on a deployment without a preset proxy, a registry is refused by CORS until
 * the proxy URL is set in Settings (validated as typed), then it works; "never through a proxy"
 * overrides a deployment's proxy; credentials stay in the tab unless remembered, and forgetting
 * removes them; plain-HTTP registries and the theme are kept.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { TEST_USERS } from '../helpers/registries';
import { artifactsDir } from './paths';
import { unexpectedProblems } from './problems';
import { readmeShot, startWriteWorld, type WriteWorld } from './write-world';

let world: WriteWorld;
beforeAll(async () => {
  world = await startWriteWorld();
});
afterAll(async () => {
  await world?.stop();
});

const CORS_NOISE = [/blocked by CORS policy/, /net::ERR_FAILED/];
const tree = (page: Page) => page.getByRole('group', { name: 'Referrers' });

async function lookUp(page: Page, reference: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Verify' }).click();
  await page.getByLabel('Artifact reference').fill(reference);
  await page.getByRole('button', { name: 'Look up' }).click();
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
}

const storedCredentials = (page: Page) => page.evaluate(() => localStorage.getItem('signet.credentials.v1'));

describe('Settings', () => {
  it('a registry that needs the proxy works once the proxy URL is set; credentials stay in the tab unless remembered', async () => {
    const { page, problems, close } = await world.bare.newPage();
    try {
      await page.goto(world.bare.url('/'));
      await lookUp(page, world.onOlareg.reference);
      const cors = page.getByRole('alert').filter({ hasText: 'CORS' });
      await cors.waitFor({ timeout: 30_000 });
      await cors.getByRole('link', { name: 'Open Settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      expect(await page.getByTestId('proxy-in-force').textContent()).toContain('no proxy');

      const form = page.getByRole('form', { name: 'Proxy settings' });
      await form.getByLabel('Through the proxy, only for the registries listed').check();
      await form.getByLabel('Proxy URL').fill('proxy.example');
      await expect.poll(() => form.locator('#proxy-url-error').textContent()).toBe('proxy URL: "proxy.example" is not an absolute URL; expected e.g. https://proxy.example');
      expect(await form.getByLabel('Proxy URL').getAttribute('aria-invalid')).toBe('true');
      await form.getByLabel('Proxy URL').fill(`${world.proxy.url}/`);
      await form.getByLabel(/^Registries to reach through the proxy/).fill(`${world.olareg.host}\n${world.distribution.host.toUpperCase()}`);
      await form.getByRole('button', { name: 'Save proxy settings' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe(`Saved: ${world.olareg.host}, ${world.distribution.host} through ${world.proxy.url}.`);
      expect(await page.getByTestId('proxy-in-force').textContent()).toMatch(new RegExp(`only ${world.olareg.host}, ${world.distribution.host} through\\s+${world.proxy.url}, set by your settings`));

      // Credentials for this tab only.
      const creds = page.getByRole('form', { name: 'Add registry credentials' });
      await creds.getByLabel('Registry (host[:port])').fill(world.distribution.host);
      await creds.getByLabel('User name').fill('alice');
      await creds.getByLabel('Password or access token').fill(TEST_USERS.alice.password);
      await creds.getByRole('button', { name: 'Save credentials' }).click();
      await expect.poll(() => page.getByRole('region', { name: 'Registry credentials' }).textContent()).toContain(`${world.distribution.host} as alice — this tab only`);
      expect(await storedCredentials(page)).toBeNull();
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'settings-desktop-light.png'), fullPage: true });

      // Now both registries answer through the proxy; distribution takes the credentials without asking.
      const before = world.proxy.logs().length;
      await lookUp(page, world.onOlareg.reference);
      await expect.poll(() => tree(page).textContent(), { timeout: 30_000 }).toContain('No referrers');
      expect(await page.getByTestId('resolved-digest').textContent()).toBe(world.onOlareg.descriptor.digest);
      await lookUp(page, world.onDistribution.reference);
      await expect.poll(() => page.getByTestId('resolved-digest').textContent(), { timeout: 30_000 }).toBe(world.onDistribution.descriptor.digest);
      expect(await page.getByRole('form', { name: `Sign in to ${world.distribution.host}` }).count()).toBe(0);
      expect(world.proxy.logs().length).toBeGreaterThan(before + 3);

      // After a reload the proxy setting is still there, the tab-only credentials are not.
      await page.reload();
      await openSettings(page);
      expect(await page.getByTestId('proxy-in-force').textContent()).toContain('set by your settings');
      expect(await page.getByRole('region', { name: 'Registry credentials' }).textContent()).toContain('No credentials in this tab.');
      const creds2 = page.getByRole('form', { name: 'Add registry credentials' });
      await creds2.getByLabel('Registry (host[:port])').fill(world.distribution.host);
      await creds2.getByLabel('User name').fill('alice');
      await creds2.getByLabel('Password or access token').fill(TEST_USERS.alice.password);
      await creds2.getByLabel(/^Remember on this device/).check();
      await creds2.getByRole('button', { name: 'Save credentials' }).click();
      await expect.poll(() => storedCredentials(page)).toContain('"username":"alice"');
      await page.reload();
      await expect.poll(() => page.getByRole('region', { name: 'Registry credentials' }).textContent()).toContain(`${world.distribution.host} as alice — remembered on this device`);
      await page.getByRole('button', { name: `Forget the credentials for ${world.distribution.host}` }).click();
      await expect.poll(() => storedCredentials(page)).toBeNull();

      // Plain-HTTP registries and the theme are kept.
      const insecure = page.getByRole('form', { name: 'Plain-HTTP registries' });
      await insecure.getByLabel(/^Registries reached over http/).fill('registry.internal:5000\nbad host');
      await expect.poll(() => insecure.locator('#insecure-error').textContent()).toContain('plain-HTTP registry on line 2: "bad host" is not a registry host');
      await insecure.getByLabel(/^Registries reached over http/).fill('registry.internal:5000');
      await insecure.getByRole('button', { name: 'Save plain-HTTP registries' }).click();
      await page.getByRole('group', { name: 'Colours' }).getByLabel('Dark').check();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      const saved = JSON.parse((await page.evaluate(() => localStorage.getItem('signet.settings.v1'))) ?? '{}');
      expect(saved).toMatchObject({ theme: 'dark', insecureRegistries: ['registry.internal:5000'], proxy: { url: world.proxy.url, scope: 'listed', registries: [world.olareg.host, world.distribution.host] } });
      await page.screenshot({ path: path.join(artifactsDir, 'screenshots', 'settings-desktop-dark.png'), fullPage: true });
      await page.setViewportSize({ width: 375, height: 812 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await readmeShot(page, 'settings-phone-dark', page.getByRole('heading', { name: 'CORS proxy' }));
      expect(unexpectedProblems(problems, CORS_NOISE)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('"never through a proxy" overrides the deployment\'s proxy, and the deployment default brings it back', async () => {
    const { page, problems, close } = await world.app.newPage();
    try {
      await page.goto(world.app.url('/settings'));
      await expect.poll(() => page.getByTestId('proxy-in-force').textContent()).toContain("set by this deployment's signet.config.json");
      const form = page.getByRole('form', { name: 'Proxy settings' });
      await form.getByLabel('Directly, never through a proxy').check();
      await form.getByRole('button', { name: 'Save proxy settings' }).click();
      expect(await page.getByTestId('proxy-in-force').textContent()).toContain('no proxy (your choice)');
      await lookUp(page, world.onOlareg.reference);
      await page.getByRole('alert').filter({ hasText: 'CORS' }).waitFor({ timeout: 30_000 });
      await openSettings(page);
      await page.getByRole('form', { name: 'Proxy settings' }).getByLabel('As this deployment sets it').check();
      await page.getByRole('form', { name: 'Proxy settings' }).getByRole('button', { name: 'Save proxy settings' }).click();
      await lookUp(page, world.onOlareg.reference);
      await expect.poll(() => tree(page).textContent(), { timeout: 30_000 }).toContain('No referrers');
      expect(unexpectedProblems(problems, CORS_NOISE)).toEqual([]);
    } finally {
      await close();
    }
  });
});
