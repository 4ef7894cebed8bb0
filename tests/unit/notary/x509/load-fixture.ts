/**
 * readFixture, except that in Chromium the .pem/.crt vector files come from PEM_FIXTURES
 * (Vite refuses to serve those extensions; see pem-fixtures.ts).
 */
import { base64Decode, utf8Decode } from '../../../../src/lib/bytes';
import { readFixture } from '../../../helpers/fixtures';
import { PEM_FIXTURES } from './pem-fixtures';

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

export async function loadFixture(path: string): Promise<Uint8Array> {
  if (inBrowser && /\.(pem|crt)$/i.test(path)) {
    const b64 = PEM_FIXTURES[path];
    if (b64 === undefined) throw new Error(`${path} is not in PEM_FIXTURES; regenerate tests/unit/notary/x509/pem-fixtures.ts`);
    return base64Decode(b64);
  }
  return readFixture(path);
}

export async function loadFixtureText(path: string): Promise<string> {
  return utf8Decode(await loadFixture(path), path);
}
