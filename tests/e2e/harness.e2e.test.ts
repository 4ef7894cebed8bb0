/**
 * The harness itself: the served app runs under its strict CSP, and what a test calls "no
 * problems" really would have caught an inline script, a console error or an uncaught error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type E2eApp } from './harness';

let app: E2eApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

describe('e2e harness', () => {
  it('serves the app with its CSP header and records CSP violations, console errors and page errors', async () => {
    const { page, problems, close } = await app.newPage();
    try {
      const response = await page.goto(app.url('/'));
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[^']+'.*frame-ancestors 'none'/);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Signet');
      expect(problems).toEqual([]);

      const ran = await page.evaluate(async () => {
        const w = window as unknown as { inlineRan?: boolean };
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.append(s);
        await new Promise((r) => setTimeout(r, 100));
        console.error('deliberate console error');
        setTimeout(() => {
          throw new Error('deliberate uncaught error');
        });
        await new Promise((r) => setTimeout(r, 100));
        return w.inlineRan === true;
      });
      expect(ran).toBe(false); // the CSP blocked the inline script
      await expect.poll(() => problems.length).toBeGreaterThanOrEqual(3);
      expect(problems.some((p) => p.startsWith('csp: script-src'))).toBe(true);
      expect(problems).toContain('console: deliberate console error');
      expect(problems).toContain('page error: deliberate uncaught error');
    } finally {
      await close();
    }
  });

  it('gives each page a fresh context with empty storage', async () => {
    const a = await app.newPage();
    const b = await app.newPage();
    try {
      await a.page.goto(app.url('/'));
      await b.page.goto(app.url('/'));
      await a.page.evaluate(() => localStorage.setItem('probe', '1'));
      expect(await b.page.evaluate(() => localStorage.getItem('probe'))).toBeNull();
      expect(await a.page.evaluate(() => localStorage.getItem('probe'))).toBe('1');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
