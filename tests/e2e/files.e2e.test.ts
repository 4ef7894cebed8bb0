/**
 * Files, end to end in Debian's Chromium against the built app: a signature dropped anywhere is
 * decoded like `notation inspect`; the same through the file picker (the keyboard path); a
 * signature manifest; a file dropped with its .sig is verified against the stored trust material
 * (notation blob semantics, spec digest §13), and a changed file fails with notation's words and a
 * fix. Signatures are made here with Signet's signer over a test PKI; nothing is uploaded anywhere.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../../src/lib/notary/sign/sign-artifact';
import { computeDigest } from '../../src/lib/oci/digest';
import type { TrustMaterialData } from '../../src/lib/app/trust-storage';
import { chainSigner } from '../helpers/pki-signer';
import { startApp, type E2eApp } from './harness';
import { unexpectedProblems } from './problems';
import { blobDescriptor, POLICY_NAME, seedTrustMaterial, trustPolicyJson, TRUST_STORE_NAME } from './registry-world';

let app: E2eApp;
let signer: Awaited<ReturnType<typeof chainSigner>>;
let material: TrustMaterialData;
let dir: string;
const blob = new TextEncoder().encode('{"release":"1.2.3","notes":"signed as a file"}\n');
const ARTIFACT = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1234 };

beforeAll(async () => {
  [app, signer] = await Promise.all([startApp(), chainSigner('EC-384')]);
  material = {
    schema: 1,
    policy: trustPolicyJson(),
    stores: [{ type: 'ca', name: TRUST_STORE_NAME, files: [{ name: 'root.crt', bytes: signer.pki.root.der }] }],
    updatedAt: new Date().toISOString()
  };
  dir = await mkdtemp(path.join(tmpdir(), 'signet-e2e-files-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Drops files on the page the way a browser does (dragenter, dragover, drop with a DataTransfer). */
async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.getByRole('main').waitFor(); // the app has started and listens for drops
  await page.evaluate(
    async (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      const target = document.querySelector('main')!;
      target.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
      target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      // The overlay tells what will happen while dragging.
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const shown = document.body.textContent?.includes('Drop a signature (.sig, COSE or JWS)') ?? false;
      target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
      if (!shown) throw new Error('the drop overlay did not appear while dragging');
    },
    files.map((f) => ({ name: f.name, bytes: [...f.bytes] }))
  );
}

describe('signature files', () => {
  it('decodes a COSE .sig dropped anywhere, like notation inspect', async () => {
    const signed = await signArtifact(ARTIFACT, signer, { format: 'cose', expirySeconds: 3600 });
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/'));
      await dropFiles(page, [{ name: 'app.sig', bytes: signed.envelope }]);
      await page.waitForURL(/\/inspect$/);
      const inspector = page.getByRole('region', { name: 'Signature file app.sig' });
      await inspector.waitFor({ timeout: 20_000 });
      const tree = (await inspector.getByRole('list', { name: 'Signature tree' }).textContent()) ?? '';
      expect(tree).toContain('media type: application/cose');
      expect(tree).toContain('signature algorithm: ECDSA-SHA-384');
      expect(tree).toContain(`digest: ${ARTIFACT.digest}`);
      expect(tree).toContain('expiry:');
      await inspector.getByLabel('Text').check();
      const text = (await inspector.getByLabel('Signature as text').textContent()) ?? '';
      expect(text.split('\n')[0]).toBe('(signature file)');
      expect(text).toContain('└── signed artifact');
      const chain = (await inspector.getByRole('region', { name: 'Signing certificate chain' }).textContent()) ?? '';
      expect(chain).toContain('CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US');
      expect(chain).toContain('EC P-384');
      await app.screenshot(page, 'inspect-dropped-cose');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('opens a JWS .sig and a signature manifest through the file picker (the keyboard path)', async () => {
    const signed = await signArtifact(ARTIFACT, signer, { format: 'jws' });
    const sigFile = path.join(dir, 'app.jws.sig');
    const manifestFile = path.join(dir, 'signature-manifest.json');
    await writeFile(sigFile, signed.envelope);
    await writeFile(manifestFile, signed.signatureManifest.manifest);
    const { page, problems, close } = await app.newPage();
    // Playwright turns on file-chooser interception when the first listener is added, asynchronously:
    // add one before the page loads so a quick key press cannot open the native dialog instead.
    page.on('filechooser', () => undefined);
    try {
      await page.goto(app.url('/inspect'));
      const picker = page.getByRole('button', { name: 'Choose signature files…' });
      // SvelteKit settles focus once the first page has started; focus the picker after that.
      await page.waitForLoadState('networkidle');
      await expect
        .poll(async () => {
          await picker.focus();
          await page.waitForTimeout(50);
          return picker.evaluate((el) => el === document.activeElement);
        })
        .toBe(true);
      const choosing = page.waitForEvent('filechooser');
      await page.keyboard.press('Enter');
      await (await choosing).setFiles(sigFile);
      const inspector = page.getByRole('region', { name: 'Signature file app.jws.sig' });
      await inspector.waitFor({ timeout: 20_000 });
      expect(await inspector.getByRole('list', { name: 'Signature tree' }).textContent()).toContain('media type: application/jose+json');

      const choosing2 = page.waitForEvent('filechooser');
      await picker.click();
      await (await choosing2).setFiles(manifestFile);
      const manifest = page.getByRole('region', { name: 'Manifest of Signature manifest signature-manifest.json' });
      await manifest.waitFor({ timeout: 20_000 });
      const text = (await manifest.textContent()) ?? '';
      expect(text).toContain(ARTIFACT.digest);
      expect(text).toContain('application/jose+json');
      expect(text).toContain('Chain thumbprint 2');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('verifies a file dropped with its .sig against the stored trust material, and rejects a changed file with a fix', async () => {
    // An EC-384 key signs files under their sha384 digest (spec digest §13); a payload naming the
    // sha256 digest is what a wrong signer would make, and must not verify.
    const sha384 = { mediaType: 'application/octet-stream', digest: await computeDigest(blob, 'sha384'), size: blob.length };
    const signed = await signArtifact(await blobDescriptor(blob), signer, { format: 'cose' });
    const good = await signArtifact(sha384, signer, { format: 'cose' });
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/'));
      await seedTrustMaterial(page, material);
      await dropFiles(page, [
        { name: 'release.json', bytes: blob },
        { name: 'release.json.cose.sig', bytes: good.envelope }
      ]);
      await page.waitForURL(/\/inspect$/);
      const section = page.getByRole('region', { name: 'File signature verification' });
      await expect.poll(() => section.textContent(), { timeout: 20_000 }).toContain('Successfully verified signature release.json.cose.sig for release.json');
      expect(await section.textContent()).toContain(`Checked with statement "${POLICY_NAME}"`);
      expect(await section.textContent()).toContain(sha384.digest);
      for (const check of ['Integrity', 'Authenticity', 'Expiry', 'Authentic timestamp', 'Revocation']) {
        expect(await section.getByRole('row', { name: new RegExp(`^${check}`) }).textContent(), check).toContain('Passed');
      }
      await app.screenshot(page, 'inspect-file-verified');

      // The same file, changed after signing; and a signature made over the sha256 digest, which an EC-384 key never makes.
      const changed = new TextEncoder().encode('{"release":"1.2.4","notes":"signed as a file"}\n');
      await dropFiles(page, [
        { name: 'release.json', bytes: changed },
        { name: 'release.json.cose.sig', bytes: good.envelope }
      ]);
      await expect.poll(() => section.textContent(), { timeout: 20_000 }).toContain('integrity check failed. signature does not match the given blob');
      expect(await section.textContent()).toContain('How to fix: This signature was made for other content');
      await dropFiles(page, [
        { name: 'release.json', bytes: blob },
        { name: 'release.json.cose.sig', bytes: signed.envelope }
      ]);
      await expect.poll(() => section.textContent(), { timeout: 20_000 }).toContain('integrity check failed. signature does not match the given blob');
      await app.screenshot(page, 'inspect-file-failed');
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says what it accepts when a dropped file is not a signature', async () => {
    const { page, problems, close } = await app.newPage();
    try {
      await page.goto(app.url('/'));
      await dropFiles(page, [{ name: 'notes.txt', bytes: new TextEncoder().encode('just text') }]);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('cannot tell what to do with notes.txt: drop one signature file (.sig, COSE or JWS)');
      expect(page.url()).toBe(app.url('/'));
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      await close();
    }
  });
});
