/**
 * The core verification benchmark inside Debian's Chromium: bench/browser/core-page.ts (the same
 * `measureCore` as in Node) is bundled with esbuild into a temporary directory, served from a
 * loopback static server (a secure context, so WebCrypto is there) and driven with Playwright.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop as stopEsbuild } from 'esbuild';
import { chromium, type Browser } from 'playwright';
import { startStaticServer } from '../../scripts/lib/static-server';
import type { KeySpec } from '../../src/lib/notary/algorithms';
import type { CoreBudget, CoreRow } from './core-cases';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Debian's Chromium, with the flags the brief and the project's tests use. */
export const CHROMIUM_PATH = process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  } catch (e) {
    throw new Error(`Chromium could not be started from ${CHROMIUM_PATH} (scripts/install-tools installs Debian's chromium package): ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface BrowserCoreResult {
  rows: CoreRow[];
  userAgent: string;
  chromiumVersion: string;
}

export async function measureCoreInChromium(budget: CoreBudget, log: (s: string) => void, keySpecs: readonly KeySpec[]): Promise<BrowserCoreResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-bench-page-'));
  try {
    await build({
      entryPoints: [path.join(here, '..', 'browser', 'core-page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outfile: path.join(dir, 'core.js'),
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error'
    });
    // End esbuild's service process now, so its CPU time is accounted as the bench's own.
    await stopEsbuild();
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>signet bench</title><script type="module" src="/core.js"></script>\n');
    const server = await startStaticServer({ root: dir });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => document.title === 'signet-bench-ready', undefined, { timeout: 60_000 }).catch(() => {
        throw new Error(`the bench page did not load: ${errors.join('; ') || 'no error reported'}`);
      });
      log('Chromium: measuring core verification…');
      const rows = await page.evaluate(([b, k]) => window.signetBench.core(b, k), [budget, keySpecs] as const);
      const userAgent = await page.evaluate(() => window.signetBench.userAgent);
      return { rows, userAgent, chromiumVersion: browser.version() };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
