/**
 * A small in-memory cache of content by digest. Only bytes that were already checked against the
 * digest they are stored under go in, so a hit can be trusted without hashing again. Bounded by
 * total size; least recently used entries go first.
 */
export class DigestCache {
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly entries = new Map<string, Uint8Array>();
  private total = 0;

  constructor(options: { maxBytes?: number; maxEntryBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxEntryBytes = options.maxEntryBytes ?? 4 * 1024 * 1024;
  }

  get(digest: string): Uint8Array | undefined {
    const hit = this.entries.get(digest);
    if (hit === undefined) return undefined;
    this.entries.delete(digest);
    this.entries.set(digest, hit);
    return hit.slice();
  }

  /** Stores verified bytes (a copy, so later changes by the caller cannot poison the cache). */
  set(digest: string, verifiedBytes: Uint8Array): void {
    if (verifiedBytes.length > this.maxEntryBytes || this.entries.has(digest)) return;
    this.entries.set(digest, verifiedBytes.slice());
    this.total += verifiedBytes.length;
    for (const [key, value] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(key);
      this.total -= value.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
