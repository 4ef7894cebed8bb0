/** The e2e static server serves the built app as a deployment would (tests/helpers/static-server.ts). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspFromHtml, startStaticServer, type StaticServer } from '../helpers/static-server';
import { buildDir } from './paths';

describe('static server', () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'signet-static-'));
    await mkdir(path.join(root, '_app', 'immutable'), { recursive: true });
    await writeFile(
      path.join(root, 'index.html'),
      `<!doctype html><html><head><meta http-equiv="content-security-policy" content="default-src 'self'; script-src 'self' 'sha256-abc='"></head><body>app</body></html>`
    );
    await writeFile(path.join(root, '_app', 'immutable', 'a.js'), 'export {}');
    await writeFile(path.join(root, '..', `${path.basename(root)}-secret.txt`), 'secret');
    server = await startStaticServer({ root });
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
    await rm(path.join(root, '..', `${path.basename(root)}-secret.txt`), { force: true });
  });

  it('serves files with types, caching and the meta CSP as a header (plus frame-ancestors)', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const html = await fetch(`${server.url}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self' 'sha256-abc='; frame-ancestors 'none'");
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await fetch(`${server.url}/_app/immutable/a.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).toBeNull();
    expect(await js.text()).toBe('export {}');
  });

  it('falls back to index.html for page paths, but not for missing assets', async () => {
    const page = await fetch(`${server.url}/keys/deep/link?x=1`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<body>app</body>');
    expect((await fetch(`${server.url}/_app/immutable/missing.js`)).status).toBe(404);
  });

  it('never serves files outside its root and only answers GET/HEAD', async () => {
    const name = `${path.basename(root)}-secret.txt`;
    for (const p of [`/../${name}`, `/%2e%2e/${name}`, `/..%2f${name}`, `/a/..%2f..%2f${name}`]) {
      const r = await fetch(`${server.url}${p}`);
      expect(await r.text(), p).not.toBe('secret');
    }
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('reads the CSP of the real build', async () => {
    const { readFile } = await import('node:fs/promises');
    const csp = cspFromHtml(await readFile(path.join(buildDir, 'index.html'), 'utf8'));
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  });
});
