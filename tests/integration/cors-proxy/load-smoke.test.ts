/**
 * Smoke test of the bounded load test (cors-proxy/bench/load.ts) with very small counts: it must
 * start the real registry and the real proxy CLI, measure every phase without errors, report
 * memory, and stop everything it started.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../cors-proxy/bench/load';

describe('cors-proxy load test', () => {
  it('runs a tiny bounded load and reports throughput, latency and memory', async () => {
    const result = await runLoad({ requests: 30, concurrency: 3, blobBytes: 4096, warmup: 3 });
    expect(result.phases.map((p) => p.name)).toEqual(['manifest direct', 'manifest via proxy', 'blob direct', 'blob via proxy']);
    for (const p of result.phases) {
      expect(p.requests, p.name).toBe(30);
      expect(p.errors, p.name).toBe(0);
      expect(p.throughputRps, p.name).toBeGreaterThan(0);
      expect(p.p50Ms, p.name).toBeGreaterThan(0);
      expect(p.p99Ms, p.name).toBeGreaterThanOrEqual(p.p50Ms);
    }
    expect(result.added.map((a) => a.what)).toEqual(['manifest', 'blob']);
    expect(result.proxyMemory.peakRssKb).toBeGreaterThanOrEqual(result.proxyMemory.endRssKb);
    expect(result.proxyMemory.startRssKb).toBeGreaterThan(10_000);
    // Every proxied request (measured and warm-up) left exactly one log line.
    expect(result.proxyLogLines).toBe(2 * (30 + 3));
  });
});
