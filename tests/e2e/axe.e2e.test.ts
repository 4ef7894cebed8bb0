// axe-core on every page, in light and dark themes, at desktop and phone width: zero violations
// of WCAG 2.1 A/AA and axe's best practices. axe is injected into a context that bypasses the
// app's CSP (the app itself never loads it).
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type E2eApp } from './harness';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let app: E2eApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

const ROUTES = ['/', '/inspect', '/trust', '/keys', '/settings'];

async function violationsOf(route: string, options: { scheme: 'light' | 'dark'; width: number; plant?: boolean }): Promise<string[]> {
  const { page, close } = await app.newPage({ bypassCSP: true, colorScheme: options.scheme, viewport: { width: options.width, height: 900 } });
  try {
    await page.goto(app.url(route));
    await page.getByRole('main').waitFor();
    if (options.plant) {
      // A control with no accessible name: the check must be able to fail.
      await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<button type="button"></button>'));
    }
    await page.addScriptTag({ path: axePath });
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
      return result.violations;
    })) as AxeViolation[];
    return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  } finally {
    await close();
  }
}

describe('axe-core', () => {
  it('reports a planted violation (the check can fail)', async () => {
    const found = await violationsOf('/', { scheme: 'light', width: 1280, plant: true });
    expect(found.some((v) => v.startsWith('button-name'))).toBe(true);
  });

  it.each(ROUTES.flatMap((route) => (['light', 'dark'] as const).flatMap((scheme) => [[route, scheme, 1280], [route, scheme, 375]] as const)))(
    '%s in %s theme at %i px has no violations',
    async (route, scheme, width) => {
      const readable = await violationsOf(route, { scheme, width });
      expect(readable, readable.join('\n')).toEqual([]);
    }
  );
});
