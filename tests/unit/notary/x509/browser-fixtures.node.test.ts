import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { base64Decode } from '../../../../src/lib/bytes';
import { readFixture } from '../../../helpers/fixtures';
import { BROWSER_FIXTURES, needsBrowserCopy } from './load-fixture';

describe('BROWSER_FIXTURES (browser copies of vector files Vite cannot serve raw)', () => {
  it('holds every such vector file that the x509 tests read, byte for byte', async () => {
    const root = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
    const onDisk = (await readdir(`${root}vectors`, { recursive: true }))
      .map((p) => `vectors/${p.split('\\').join('/')}`)
      .filter((p) => /\.(pem|crt)$/i.test(p) && !p.includes('SYMLINK'))
      .concat(['vectors/notation-go/verifier/testdata/truststore/x509/ca/trust-store-with-invalid-certs/invalid'])
      .sort();
    expect(Object.keys(BROWSER_FIXTURES).sort()).toEqual(onDisk);
    for (const path of onDisk) {
      expect(needsBrowserCopy(path), path).toBe(true);
      expect(base64Decode(BROWSER_FIXTURES[path]!), path).toEqual(await readFixture(path));
    }
  });
});
