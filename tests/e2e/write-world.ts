/**
 * The world the write-side e2e tests (Keys & Sign, Settings) run in, all real and on loopback:
 *  - the built app twice: `app` with a signet.config.json presetting the proxy for both
 *    registries (as a deployment running the proxy next to the app would), and `bare` without
 *    one (a deployment that leaves the proxy to each person's Settings);
 *  - distribution v3.1.1 with htpasswd auth (no Referrers API → tag index) and olareg v0.1.2
 *    (Referrers API), each holding an unsigned image `e2e/sign:v1`;
 *  - an RFC 3161 TSA (openssl ts behind a small HTTP server);
 *  - the REAL cors-proxy CLI allowing both app origins, both registries and the TSA.
 * Node only.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright';
import type { Descriptor } from '../../src/lib/oci/descriptor';
import { staticCredentials } from '../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../src/lib/registry/client';
import { buildImage, pushImage } from '../integration/registry/images';
import { startProxyProcess, type ProxyProcess } from '../helpers/proxy-peers';
import { startDistribution, startOlareg, TEST_USERS, type RunningRegistry } from '../helpers/registries';
import { startTsaServer, type TsaServer } from '../helpers/tsa-server';
import { startApp, type E2eApp } from './harness';
import { buildDir } from './paths';

export interface UnsignedImage {
  /** host/repository:tag as a person would paste it. */
  reference: string;
  repository: string;
  descriptor: Descriptor;
}

export interface WriteWorld {
  app: E2eApp;
  bare: E2eApp;
  proxy: ProxyProcess;
  distribution: RunningRegistry;
  olareg: RunningRegistry;
  tsa: TsaServer;
  onDistribution: UnsignedImage;
  onOlareg: UnsignedImage;
  stop(): Promise<void>;
}

export async function startWriteWorld(): Promise<WriteWorld> {
  const root = await mkdtemp(path.join(tmpdir(), 'signet-e2e-write-'));
  const bareRoot = await mkdtemp(path.join(tmpdir(), 'signet-e2e-bare-'));
  await Promise.all([cp(buildDir, root, { recursive: true }), cp(buildDir, bareRoot, { recursive: true })]);
  const [app, bare, distribution, olareg, tsa] = await Promise.all([
    startApp({ root }),
    startApp({ root: bareRoot }),
    startDistribution({ auth: { htpasswd: ['alice'] } }),
    startOlareg(),
    startTsaServer()
  ]);
  let proxy: ProxyProcess | undefined;
  const cleanup = async () => {
    await proxy?.stop();
    await Promise.all([app.close(), bare.close()]);
    await Promise.all([distribution.stop(), olareg.stop(), tsa.stop()]);
    await Promise.all([rm(root, { recursive: true, force: true }), rm(bareRoot, { recursive: true, force: true })]);
  };
  try {
    proxy = await startProxyProcess({
      allowedOrigins: [app.baseUrl, bare.baseUrl],
      registries: [distribution.url, olareg.url],
      timestampAuthorities: [tsa.url],
      allowAddressRanges: ['127.0.0.0/8']
    });
    await writeFile(path.join(root, 'signet.config.json'), JSON.stringify({ proxy: { url: proxy.url, scope: 'listed', registries: [distribution.host, olareg.host] } }));

    const client = createRegistryClient({
      fetch: globalThis.fetch,
      credentials: staticCredentials({ [distribution.host]: { username: 'alice', password: TEST_USERS.alice.password } })
    });
    const push = async (registry: RunningRegistry): Promise<UnsignedImage> => {
      const repository = `${registry.host}/e2e/sign`;
      const descriptor = await pushImage(client.repository(repository), await buildImage({ layerSize: 1024 }), 'v1');
      return { reference: `${repository}:v1`, repository, descriptor };
    };
    const [onDistribution, onOlareg] = await Promise.all([push(distribution), push(olareg)]);
    const p = proxy;
    return { app, bare, proxy: p, distribution, olareg, tsa, onDistribution, onOlareg, stop: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Drops files on the page the way a browser does (dragenter, dragover, drop with a DataTransfer). */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.getByRole('main').waitFor();
  await page.evaluate(
    async (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      const target = document.querySelector('main')!;
      target.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
      target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    files.map((f) => ({ name: f.name, bytes: [...f.bytes] }))
  );
}

/** Generates a key in the Keys page and gives it a self-signed test certificate. */
export async function keyWithCertificate(page: Page, name: string, spec = 'EC-256'): Promise<void> {
  await page.getByLabel('Key name').fill(name);
  await page.getByLabel('Key type').selectOption(spec);
  await page.getByRole('button', { name: 'Generate key' }).click();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await row.waitFor();
  await page.getByRole('button', { name: `Create a test certificate for ${name}` }).click();
  await page.getByRole('button', { name: `Download the certificate of ${name}` }).waitFor({ timeout: 20_000 });
}

/**
 * A viewport-sized screenshot starting at `target`, small enough for the README: saved as
 * test-results/e2e/screenshots/readme-<name>.png (docs/screenshots/ holds the committed copies).
 */
export async function readmeShot(page: Page, name: string, target: import('playwright').Locator): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  const { artifactsDir } = await import('./paths');
  const dir = path.join(artifactsDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  await target.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(dir, `readme-${name}.png`) });
  await page.evaluate(() => window.scrollTo(0, 0));
}

/**
 * axe-core (WCAG 2.1 A/AA + best practices) on the page as it is now, for states the route-level
 * axe test (axe.e2e.test.ts) never reaches. The page's context must bypass the CSP
 * (newPage({ bypassCSP: true })), since axe is injected as a script.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const { createRequire } = await import('node:module');
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })).violations;
  })) as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}
