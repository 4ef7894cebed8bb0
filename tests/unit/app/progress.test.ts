import { describe, expect, it } from 'vitest';
import { describeStepCost, ProgressTracker, type ProgressStep } from '../../../src/lib/app/progress';
import type { HttpExchange } from '../../../src/lib/registry/http';

const exchange = (fromCache = false): HttpExchange => ({
  method: 'GET',
  url: 'https://r.example/v2/',
  status: 200,
  requestHeaders: {},
  responseHeaders: {},
  responseBytes: 2,
  durationMs: 1,
  fromCache
});

describe('ProgressTracker', () => {
  it('reports each step as it starts and ends, with its requests and outcome', async () => {
    const snapshots: (readonly ProgressStep[])[] = [];
    const p = new ProgressTracker((s) => snapshots.push(s));
    const value = await p.run(
      'Resolve',
      async () => {
        p.exchange(exchange());
        p.exchange(exchange(true));
        return 'sha256:abc';
      },
      (d) => `resolved to ${d}`
    );
    expect(value).toBe('sha256:abc');
    await expect(p.run('List', async () => Promise.reject(new Error('registry down')))).rejects.toThrow('registry down');
    const steps = p.snapshot();
    expect(steps.map((s) => [s.label, s.state, s.detail, s.requests, s.cacheHits])).toEqual([
      ['Resolve', 'done', 'resolved to sha256:abc', 2, 1],
      ['List', 'failed', 'registry down', 0, 0]
    ]);
    expect(snapshots[0]).toEqual([{ id: 1, label: 'Resolve', state: 'running', requests: 0, cacheHits: 0 }]);
    expect(describeStepCost(steps[0]!)).toMatch(/^2 requests \(1 from cache\), \d+ ms$/);
    // Requests outside any step are not counted anywhere.
    p.exchange(exchange());
    expect(p.snapshot().map((s) => s.requests)).toEqual([2, 0]);
  });

  it('keeps a throwing listener from breaking the flow', async () => {
    const p = new ProgressTracker(() => {
      throw new Error('view bug');
    });
    expect(await p.run('Step', async () => 1)).toBe(1);
  });
});
