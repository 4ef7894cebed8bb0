/**
 * Timing helpers shared by every bench section; they use only `performance.now()` so the same
 * code runs in Node and in Chromium.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function minOf(values: readonly number[]): number {
  return values.reduce((a, b) => Math.min(a, b), Infinity);
}

export interface RateBudget {
  /** Keep going at least this long (ms)… */
  minMs: number;
  /** …and at least this many iterations… */
  minIterations: number;
  /** …but never more than this many (bounds the work on a fast machine). */
  maxIterations: number;
}

/**
 * Runs `fn` one call at a time (the next starts when the previous resolved) and returns calls per
 * second. Sequential on purpose: it measures the latency of one verification, which is what a
 * user waiting for a verdict sees, not the throughput of a saturated thread pool.
 */
export async function rate(fn: () => Promise<unknown>, budget: RateBudget): Promise<{ opsPerSecond: number; iterations: number }> {
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    await fn();
    iterations++;
    elapsed = performance.now() - start;
    // A coarse clock (browsers round performance.now()) must not turn a short run into ∞/s.
  } while (elapsed <= 0 || ((elapsed < budget.minMs || iterations < budget.minIterations) && iterations < budget.maxIterations));
  return { opsPerSecond: iterations / (elapsed / 1000), iterations };
}

/**
 * Measures several functions in interleaved rounds (A B C, A B C, …) so that a burst of load from
 * another process hits all of them alike; returns the median rate of each over the rounds.
 */
export async function interleavedRates<K extends string>(
  fns: Readonly<Record<K, () => Promise<unknown>>>,
  rounds: number,
  budget: RateBudget,
  warmupIterations: number
): Promise<Record<K, { opsPerSecond: number; iterations: number }>> {
  const keys = Object.keys(fns) as K[];
  for (const k of keys) for (let i = 0; i < warmupIterations; i++) await fns[k]();
  const samples = new Map<K, number[]>(keys.map((k) => [k, []]));
  const counts = new Map<K, number>(keys.map((k) => [k, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const { opsPerSecond, iterations } = await rate(fns[k], budget);
      samples.get(k)!.push(opsPerSecond);
      counts.set(k, counts.get(k)! + iterations);
    }
  }
  const out = {} as Record<K, { opsPerSecond: number; iterations: number }>;
  for (const k of keys) out[k] = { opsPerSecond: median(samples.get(k)!), iterations: counts.get(k)! };
  return out;
}

/** Wall time of one async call in milliseconds, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Rounds to `digits` significant figures for tables and JSON (keeps small numbers readable). */
export function sig(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}
