import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/lib/bytes';
import { computeDigest, parseDigest, verifyDigest } from '../../../src/lib/oci/digest';
import { EMPTY_JSON } from '../../../src/lib/oci/media-types';
import { readFixture } from '../../helpers/fixtures';

describe('digests', () => {
  it('computes the well-known digest of the empty JSON blob', async () => {
    expect(await computeDigest(EMPTY_JSON.bytes)).toBe(EMPTY_JSON.digest);
  });

  it('computes sha384 and sha512 digests', async () => {
    expect(await computeDigest(utf8Encode('abc'), 'sha384')).toBe(
      'sha384:cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'
    );
    expect(await computeDigest(utf8Encode('abc'), 'sha512')).toMatch(/^sha512:ddaf35a193617aba/);
  });

  it('matches the digest recorded for a vector file', async () => {
    const bytes = await readFixture('vectors/notation-go/internal/testdata/cose_signature.sig');
    expect(await computeDigest(bytes)).toBe('sha256:e62cab38856b4f9b93be3a18929a199dd7459e1f0762dbe1ff6e5398caaa78c8');
  });

  it('rejects malformed digests with a typed error naming the problem', () => {
    expect(() => parseDigest('md5:abcd')).toThrowError(/must start with sha256:/);
    expect(() => parseDigest('sha256:ABC')).toThrowError(/64 lowercase hex/);
    expect(() => parseDigest(42)).toThrowError(/must be a string/);
    try {
      parseDigest('sha256:' + 'A'.repeat(64));
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_DIGEST_INVALID');
    }
  });

  it('detects content that does not match its digest', async () => {
    await expect(verifyDigest(utf8Encode('{ }'), EMPTY_JSON.digest, 'config blob')).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
      message: expect.stringContaining('config blob does not match its digest')
    });
    await expect(verifyDigest(EMPTY_JSON.bytes, EMPTY_JSON.digest)).resolves.toBeUndefined();
  });
});
