/**
 * Paste-to-verdict in the built web app, in Debian's Chromium, through the REAL cors-proxy
 * (cors-proxy/src/node.ts `startProxy`): a copy of build/ with a signet.config.json that presets
 * the proxy, trust material seeded into IndexedDB the way the app stores it, then the person's
 * steps — type the reference, "Look up", "Verify signatures" — timed until the verdict shows.
 *
 * Requests: those the proxy forwarded to the registry are counted by the counting proxy behind
 * it (the registry host the page names IS the counting proxy); those the page sent to the proxy,
 * CORS preflights included, are counted from the proxy's own log.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { parseProxyConfig } from '../../cors-proxy/src/config';
import type { ProxyLogLine } from '../../cors-proxy/src/handler';
import { startProxy } from '../../cors-proxy/src/node';
import { startStaticServer } from '../../scripts/lib/static-server';
import { TRUST_DATABASE_NAME, TRUST_MATERIAL_SCHEMA, TRUST_OBJECT_STORE_NAME, TRUST_RECORD_KEY } from '../../src/lib/app/trust-storage';
import { base64Encode } from '../../src/lib/bytes';
import type { RegistryFixture, Signers } from './fixtures';
import { median, sig } from './measure';

export interface AppFlowRow {
  registry: string;
  signatures: number;
  /** Typing done → "Look up" → referrer tree shown (resolve + list + per-signature summaries). */
  lookUpMs: number;
  /** "Verify signatures" → verdict shown. */
  verifyMs: number;
  /** Both: paste to verdict. */
  totalMs: number;
  /** Requests the proxy forwarded to the registry, in all and during the look-up step. */
  registryRequests: number;
  lookUpRegistryRequests: number;
  /** Requests the page sent to the proxy, preflights included. */
  proxyRequests: number;
  preflights: number;
  /** The same reference looked up and verified again in the same page (the app's digest cache). */
  repeatTotalMs: number;
  repeatRegistryRequests: number;
}

export type AppFlowSection = { available: true; rows: AppFlowRow[] } | { available: false; reason: string };

/** The controls the flow needs on the home page; when one is missing the flow does not exist yet. */
async function probe(page: Page): Promise<string | undefined> {
  const input = page.getByLabel('Artifact reference');
  // The SPA renders after its modules load; give it time before concluding the control is absent.
  const shown = await input.first().waitFor({ state: 'visible', timeout: 20_000 }).then(
    () => true,
    () => false
  );
  if (!shown) return 'the home page shows no input labelled "Artifact reference" within 20 s';
  if ((await page.getByRole('button', { name: 'Look up' }).count()) === 0) return 'the home page has no "Look up" button';
  return undefined;
}

/** Writes trust material into the app's IndexedDB record (src/lib/app/trust-storage.ts layout). */
async function seedTrust(page: Page, policy: string, rootDer: Uint8Array): Promise<void> {
  await page.evaluate(
    async ({ db, store, key, schema, policy, root }) => {
      const bytes = Uint8Array.from(atob(root), (c) => c.charCodeAt(0));
      const value = { schema, policy, stores: [{ type: 'ca', name: 'trusted', files: [{ name: 'root.crt', bytes }] }], updatedAt: new Date().toISOString() };
      const open = indexedDB.open(db);
      open.onupgradeneeded = () => open.result.createObjectStore(store);
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = database.transaction(store, 'readwrite');
        tx.objectStore(store).put(value, key);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      database.close();
    },
    { db: TRUST_DATABASE_NAME, store: TRUST_OBJECT_STORE_NAME, key: TRUST_RECORD_KEY, schema: TRUST_MATERIAL_SCHEMA, policy, root: base64Encode(rootDer) }
  );
}

/** One paste → look up → verify in `page`; returns the two phase times. */
async function pasteToVerdict(
  page: Page,
  reference: string,
  signatures: number,
  timeoutMs: number,
  afterLookUp: () => Promise<void> = async () => undefined
): Promise<{ lookUpMs: number; verifyMs: number }> {
  const verdict = page.getByRole('region', { name: 'Verification result' });
  const verifyButton = page.getByRole('button', { name: 'Verify signatures' });
  await page.getByLabel('Artifact reference').fill(reference);
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Look up' }).click();
  await verdict.waitFor({ state: 'detached', timeout: timeoutMs });
  await verifyButton.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === 'Verify signatures');
    return b !== undefined && !b.disabled;
  }, undefined, { timeout: timeoutMs });
  const lookUpMs = performance.now() - t0;
  await afterLookUp();
  const t1 = performance.now();
  await verifyButton.click();
  await verdict.waitFor({ state: 'visible', timeout: timeoutMs });
  const verifyMs = performance.now() - t1;
  const text = (await verdict.textContent()) ?? '';
  if (!/\bVerified\b/.test(text) || !text.includes('Successfully verified signature')) {
    throw new Error(`the app did not reach "Verified" for ${reference}: ${text.slice(0, 400)}`);
  }
  const shown = await verdict.getByRole('heading', { level: 3 }).count();
  if (shown !== signatures) throw new Error(`the app examined ${shown} signature(s) of ${reference}, expected ${signatures}`);
  return { lookUpMs, verifyMs };
}

export interface AppFlowOptions {
  buildDir: string;
  reps: number;
  timeoutMs: number;
}

/** Measures every image of every fixture; `fixtures` stay running (the caller closes them). */
export async function measureAppFlow(
  browser: Browser,
  fixtures: readonly RegistryFixture[],
  signers: Signers,
  policyJson: string,
  options: AppFlowOptions,
  log: (s: string) => void
): Promise<AppFlowSection> {
  const root = await mkdtemp(path.join(tmpdir(), 'signet-bench-app-'));
  const proxyLog: ProxyLogLine[] = [];
  try {
    await cp(options.buildDir, root, { recursive: true });
    const server = await startStaticServer({ root });
    const proxy = await startProxy(
      parseProxyConfig({
        listen: { host: '127.0.0.1', port: 0 },
        allowedOrigins: [server.url],
        registries: fixtures.map((f) => f.proxy.url),
        allowAddressRanges: ['127.0.0.0/8']
      }),
      { log: (line) => proxyLog.push(line) }
    );
    try {
      await writeFile(path.join(root, 'signet.config.json'), JSON.stringify({ proxy: { url: proxy.url, scope: 'all', registries: [] } }));
      const rows: AppFlowRow[] = [];
      for (const fixture of fixtures) {
        for (const image of fixture.images) {
          const lookUp: number[] = [];
          const verify: number[] = [];
          const repeat: number[] = [];
          let registryRequests = 0;
          let lookUpRegistryRequests = 0;
          let proxyRequests = 0;
          let preflights = 0;
          let repeatRegistryRequests = 0;
          for (let rep = 0; rep < options.reps; rep++) {
            const context = await browser.newContext();
            try {
              const page = await context.newPage();
              const errors: string[] = [];
              page.on('pageerror', (e) => errors.push(e.message));
              await page.goto(`${server.url}/`);
              const missing = await probe(page);
              if (missing) return { available: false, reason: `${missing} (built app in ${options.buildDir})` };
              await seedTrust(page, policyJson, signers.trusted.pki.root.der);
              await page.reload();
              await page.getByLabel('Artifact reference').waitFor();

              await fixture.proxy.reset();
              proxyLog.length = 0;
              const cold = await pasteToVerdict(page, image.reference, image.signatures, options.timeoutMs, async () => {
                lookUpRegistryRequests = (await fixture.proxy.counts()).total;
              });
              lookUp.push(cold.lookUpMs);
              verify.push(cold.verifyMs);
              registryRequests = (await fixture.proxy.counts()).total;
              proxyRequests = proxyLog.length;
              preflights = proxyLog.filter((l) => l.method === 'OPTIONS').length;

              await fixture.proxy.reset();
              const again = await pasteToVerdict(page, image.reference, image.signatures, options.timeoutMs);
              repeat.push(again.lookUpMs + again.verifyMs);
              repeatRegistryRequests = (await fixture.proxy.counts()).total;
              if (errors.length > 0) throw new Error(`page errors during the app flow: ${errors.join('; ')}`);
            } finally {
              await context.close();
            }
          }
          const row: AppFlowRow = {
            registry: fixture.kind,
            signatures: image.signatures,
            lookUpMs: sig(median(lookUp)),
            verifyMs: sig(median(verify)),
            totalMs: sig(median(lookUp.map((l, i) => l + verify[i]!))),
            registryRequests,
            lookUpRegistryRequests,
            proxyRequests,
            preflights,
            repeatTotalMs: sig(median(repeat)),
            repeatRegistryRequests
          };
          rows.push(row);
          log(`app ${fixture.kind} ${image.signatures} sig: look up ${row.lookUpMs} ms + verify ${row.verifyMs} ms; ${row.registryRequests} registry req (${row.lookUpRegistryRequests} in look up), ${row.proxyRequests} proxy req (${row.preflights} preflights); repeat ${row.repeatTotalMs} ms / ${row.repeatRegistryRequests} req`);
        }
      }
      return { available: true, rows };
    } finally {
      await proxy.close();
      await server.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
