import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { base64Decode } from '../../../../src/lib/bytes';
import { readFixture } from '../../../helpers/fixtures';
import { PEM_FIXTURES } from './pem-fixtures';

describe('PEM_FIXTURES (browser copies of .pem/.crt vectors)', () => {
  it('holds every .pem/.crt vector file, byte for byte', async () => {
    const root = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
    const onDisk = (await readdir(`${root}vectors`, { recursive: true }))
      .filter((p) => /\.(pem|crt)$/i.test(p) && !p.includes('SYMLINK'))
      .map((p) => `vectors/${p.split('\\').join('/')}`)
      .sort();
    expect(Object.keys(PEM_FIXTURES).sort()).toEqual(onDisk);
    for (const path of onDisk) {
      expect(base64Decode(PEM_FIXTURES[path]!), path).toEqual(await readFixture(path));
    }
  });
});
