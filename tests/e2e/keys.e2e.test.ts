/**
 * Keys page, end to end in Debian's Chromium against the built app: a key generated (or imported)
 * in the page survives a reload, signs a test message that verifies, and its private key cannot
 * be exported — checked both through the page and directly against IndexedDB.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_SPECS } from '../../src/lib/notary/algorithms';
import { parseCertificates, validateCertificateChain } from '../../src/lib/notary/x509';
import { OPENSSL_KEYS } from '../unit/keys/fixtures/openssl-keys';
import { startApp, type E2eApp } from './harness';
import { artifactsDir } from './paths';

let app: E2eApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

/** What the page's origin holds in IndexedDB, inspected with the raw IndexedDB API (not the app's code). */
async function inspectStoredKeys(page: import('playwright').Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('signet-keys');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const records = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const r = db.transaction('keys', 'readonly').objectStore('keys').getAll();
      r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
      r.onerror = () => reject(r.error);
    });
    db.close();
    const out = [];
    for (const record of records) {
      const privateKey = record.privateKey as CryptoKey;
      const publicKey = record.publicKey as CryptoKey;
      const refusals: string[] = [];
      for (const format of ['pkcs8', 'jwk'] as const) {
        try {
          await crypto.subtle.exportKey(format, privateKey);
          refusals.push(`${format}: EXPORTED`);
        } catch (e) {
          refusals.push(`${format}: ${(e as Error).name}`);
        }
      }
      const alg = privateKey.algorithm as { name: string; hash?: { name: string } };
      const params =
        alg.name === 'ECDSA'
          ? { name: 'ECDSA', hash: { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[(privateKey.algorithm as EcKeyAlgorithm).namedCurve] }
          : { name: 'RSA-PSS', saltLength: { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[alg.hash!.name] };
      const data = new TextEncoder().encode('e2e probe');
      const signature = await crypto.subtle.sign(params as EcdsaParams, privateKey, data);
      out.push({
        name: record.name as string,
        keySpec: record.keySpec as string,
        isCryptoKey: privateKey instanceof CryptoKey,
        extractable: privateKey.extractable,
        refusals,
        verifies: await crypto.subtle.verify(params as EcdsaParams, publicKey, signature, data)
      });
    }
    return out;
  });
}

describe('keys page', () => {
  it('generates a key that survives a reload, signs, and cannot be exported', async () => {
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/keys'));
      await expect.poll(() => page.getByText('No keys yet.').isVisible()).toBe(true);
      await app.screenshot(page, 'keys-empty');

      await page.getByLabel('Key name').fill('release-signing');
      await page.getByLabel('Key type').selectOption('EC-384');
      await page.getByRole('button', { name: 'Generate key' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Generated EC-384 key "release-signing" in \d+ ms\./);
      const row = () => page.getByRole('row', { name: /release-signing/ });
      await expect.poll(() => row().textContent()).toContain('exportKey refused');

      await page.reload();
      await expect.poll(() => row().isVisible()).toBe(true);
      expect(await row().textContent()).toContain('EC-384 (generated)');
      expect(await row().textContent()).toContain('default');
      await expect.poll(() => row().textContent()).toContain('exportKey refused');

      await page.getByRole('button', { name: 'Test sign with release-signing' }).click();
      await expect.poll(() => row().textContent()).toMatch(/signature verified \(\d+\.\d ms\)/);
      expect(await page.getByRole('status').textContent()).toContain('verified; private key export refused');

      // Independently of the page's code: the record in IndexedDB holds a CryptoKey that signs but will not export.
      const stored = await inspectStoredKeys(page);
      expect(stored).toEqual([
        { name: 'release-signing', keySpec: 'EC-384', isCryptoKey: true, extractable: false, refusals: ['pkcs8: InvalidAccessError', 'jwk: InvalidAccessError'], verifies: true }
      ]);

      // A test certificate, downloaded as PEM, that passes the Notary leaf profile.
      await page.getByRole('button', { name: 'Create a test certificate for release-signing' }).click();
      await expect.poll(() => row().textContent()).toContain('1 certificate(s)');
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download the certificate of release-signing' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('release-signing.crt');
      const file = path.join(artifactsDir, 'release-signing.crt');
      await download.saveAs(file);
      const { readFile } = await import('node:fs/promises');
      const pem = await readFile(file);
      expect(pem.toString('utf8')).not.toMatch(/PRIVATE KEY/);
      const certs = await parseCertificates(new Uint8Array(pem));
      expect(certs).toHaveLength(1);
      expect(certs[0]!.subject).toBe('CN=release-signing,O=Notary,L=Seattle,ST=WA,C=US');
      await validateCertificateChain(certs, 'codeSigning', { signingTime: new Date(), rejectAnyExtendedKeyUsage: true });

      await app.screenshot(page, 'keys-generated');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('imports an encrypted PKCS#8 key written by OpenSSL; the pasted text is cleared and the key stays non-extractable', async () => {
    const fixture = OPENSSL_KEYS.find((k) => k.name === 'pbes2-aes256-sha256-ec-256')!;
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/keys'));
      await expect.poll(() => page.getByText('No keys yet.').isVisible()).toBe(true);
      await page.getByLabel('Name for the imported key').fill('from-openssl');
      await page.getByLabel(/^Private key \(PEM/).fill(fixture.pem);
      await page.getByLabel(/^Passphrase/).fill('wrong passphrase');
      await page.getByRole('button', { name: 'Import key' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/passphrase for the pasted key is wrong/);

      await page.getByLabel(/^Passphrase/).fill(fixture.passphrase!);
      await page.getByRole('button', { name: 'Import key' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Imported EC-256 key "from-openssl".');
      expect(await page.getByLabel(/^Private key \(PEM/).inputValue()).toBe('');
      expect(await page.getByLabel(/^Passphrase/).inputValue()).toBe('');

      await page.reload();
      const row = page.getByRole('row', { name: /from-openssl/ });
      await expect.poll(() => row.textContent()).toContain('exportKey refused');
      expect(await row.textContent()).toContain('EC-256 (imported)');
      await page.getByRole('button', { name: 'Test sign with from-openssl' }).click();
      await expect.poll(() => row.textContent()).toMatch(/signature verified/);
      const stored = await inspectStoredKeys(page);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ keySpec: 'EC-256', extractable: false, verifies: true, refusals: ['pkcs8: InvalidAccessError', 'jwk: InvalidAccessError'] });
      await app.screenshot(page, 'keys-imported');
      // The refused passphrase produced the expected error message, nothing else went wrong.
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('generates all six key specs from the page, and records how long each took', async () => {
    const { page, problems, close } = await app.newPage();
    const times: Record<string, number> = {};
    try {
      await page.goto(app.url('/keys'));
      await expect.poll(() => page.getByText('No keys yet.').isVisible()).toBe(true);
      for (const spec of KEY_SPECS) {
        await page.getByLabel('Key name').fill(`key ${spec}`);
        await page.getByLabel('Key type').selectOption(spec);
        await page.getByRole('button', { name: 'Generate key' }).click();
        await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`Generated ${spec} key "key ${spec}" in \\d+ ms`));
        times[spec] = Number(/in (\d+) ms/.exec((await page.getByRole('status').textContent()) ?? '')![1]);
      }
      await page.reload();
      for (const spec of KEY_SPECS) {
        await expect.poll(() => page.getByRole('row', { name: new RegExp(`key ${spec}`) }).textContent()).toContain('exportKey refused');
      }
      const stored = await inspectStoredKeys(page);
      expect(stored.map((k) => k.keySpec).sort()).toEqual([...KEY_SPECS].sort());
      for (const k of stored) expect(k, k.keySpec).toMatchObject({ extractable: false, verifies: true, refusals: ['pkcs8: InvalidAccessError', 'jwk: InvalidAccessError'] });
      await app.screenshot(page, 'keys-all-specs');
      expect(problems).toEqual([]);
    } finally {
      await close();
      await writeFile(path.join(artifactsDir, 'key-generation-ms.json'), JSON.stringify(times, null, 2));
      console.log('key generation in Chromium (ms):', times);
    }
  });
});
