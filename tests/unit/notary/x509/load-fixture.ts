/** Fixture loading for the x509 tests: the shared loader, which reads raw bytes in Node and Chromium alike. */
import { utf8Decode } from '../../../../src/lib/bytes';
import { readFixture } from '../../../helpers/fixtures';

export const loadFixture = readFixture;

export async function loadFixtureText(path: string): Promise<string> {
  return utf8Decode(await loadFixture(path), path);
}
