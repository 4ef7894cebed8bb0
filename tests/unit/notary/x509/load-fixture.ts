/**
 * readFixture, except that in Chromium the vector files Vite cannot serve raw (.pem/.crt are
 * denied, extensionless files are transformed as JS) come from BROWSER_FIXTURES.
 */
import { base64Decode, utf8Decode } from '../../../../src/lib/bytes';
import { readFixture } from '../../../helpers/fixtures';
import { BROWSER_FIXTURES } from './browser-fixtures';

export { BROWSER_FIXTURES };

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/** True for fixture paths the browser must not fetch directly. */
export function needsBrowserCopy(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /\.(pem|crt)$/i.test(base) || !base.includes('.');
}

export async function loadFixture(path: string): Promise<Uint8Array> {
  if (inBrowser && needsBrowserCopy(path)) {
    const b64 = BROWSER_FIXTURES[path];
    if (b64 === undefined) throw new Error(`${path} is not in BROWSER_FIXTURES; regenerate tests/unit/notary/x509/browser-fixtures.ts`);
    return base64Decode(b64);
  }
  return readFixture(path);
}

export async function loadFixtureText(path: string): Promise<string> {
  return utf8Decode(await loadFixture(path), path);
}
