/**
 * The e2e harness: serves the built app (build/) from a loopback static server with the app's
 * CSP as a header, launches Debian's Chromium through Playwright, and hands each test a fresh
 * browser context (empty storage) and page. It records console errors, page errors and CSP
 * violations so tests can assert a clean run, and saves screenshots under test-results/e2e/.
 *
 *   const app = await startApp();                 // beforeAll
 *   const { page } = await app.newPage();
 *   await page.goto(app.url('/keys'));
 *   await app.screenshot(page, 'keys-empty');
 *   await app.close();                            // afterAll
 *
 * Node only. Build the app first (the e2e globalSetup does: tests/e2e/global-setup.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { startStaticServer, type StaticServer } from '../helpers/static-server';
import { artifactsDir, buildDir } from './paths';

// Debian's Chromium and the flags the unit-test browser project uses: one definition, in vite.config.ts.
export { chromiumArgs, chromiumPath };

export interface E2ePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught page errors and CSP violations seen so far, in order. */
  readonly problems: string[];
  close(): Promise<void>;
}

export interface E2eApp {
  /** Origin of the served app, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  readonly server: StaticServer;
  readonly browser: Browser;
  /** Absolute URL of an app path. */
  url(appPath: string): string;
  /** A new, isolated browser context (empty IndexedDB, storage, cookies) with one page. */
  newPage(options?: BrowserContextOptions): Promise<E2ePage>;
  /** Saves a full-page PNG as test-results/e2e/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install Debian's chromium package (scripts/install-tools does; or apt-get install chromium), or set SIGNET_CHROMIUM to its path`
    );
  }
}

export async function startApp(options: { root?: string } = {}): Promise<E2eApp> {
  requireChromium();
  const root = options.root ?? buildDir;
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the app (npx vite build), or run the e2e suite through its config, whose globalSetup builds it`);
  }
  const server = await startStaticServer({ root });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  } catch (e) {
    await server.close();
    throw e;
  }
  const pages: E2ePage[] = [];
  await mkdir(artifactsDir, { recursive: true });

  return {
    baseUrl: server.url,
    server,
    browser,
    url: (appPath) => new URL(appPath, `${server.url}/`).toString(),
    async newPage(contextOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // CSP violations are also logged to the console, but this catches report-only cases too.
      await context.exposeBinding('__signetCspViolation', (_source, text: string) => void problems.push(`csp: ${text}`));
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          (window as unknown as { __signetCspViolation: (t: string) => void }).__signetCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
        });
      });
      const entry: E2ePage = {
        context,
        page,
        problems,
        close: async () => {
          await context.close();
        }
      };
      pages.push(entry);
      return entry;
    },
    async screenshot(page, name) {
      const file = path.join(artifactsDir, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      for (const p of pages.splice(0)) await p.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    }
  };
}
