import { describe, expect, it } from 'vitest';
import { DigestCache } from '../../../src/lib/registry/cache';

const digest = (n: number) => 'sha256:' + n.toString(16).padStart(64, '0');

describe('DigestCache', () => {
  it('returns copies, so neither the caller nor a reader can change what is cached', () => {
    const cache = new DigestCache();
    const bytes = new Uint8Array([1, 2, 3]);
    cache.set(digest(1), bytes);
    bytes[0] = 9;
    const hit = cache.get(digest(1))!;
    expect([...hit]).toEqual([1, 2, 3]);
    hit[1] = 9;
    expect([...cache.get(digest(1))!]).toEqual([1, 2, 3]);
  });

  it('evicts least recently used entries beyond the byte budget and skips oversized entries', () => {
    const cache = new DigestCache({ maxBytes: 10, maxEntryBytes: 6 });
    cache.set(digest(1), new Uint8Array(4));
    cache.set(digest(2), new Uint8Array(4));
    cache.get(digest(1)); // 1 is now the most recently used
    cache.set(digest(3), new Uint8Array(4)); // 12 bytes > 10: evict 2
    expect(cache.get(digest(2))).toBeUndefined();
    expect(cache.get(digest(1))).toBeDefined();
    expect(cache.get(digest(3))).toBeDefined();
    cache.set(digest(4), new Uint8Array(7));
    expect(cache.get(digest(4))).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
