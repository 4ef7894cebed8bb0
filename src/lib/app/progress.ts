/**
 * Progress for people: each network step of a flow (resolve, list referrers, fetch signatures,
 * verify…) as an event with its state, how many HTTP requests it made, and a one-line outcome.
 * Framework-free; the UI keeps the latest snapshot in its own state.
 */
import type { HttpExchange } from '../registry/http';

export type StepState = 'running' | 'done' | 'failed';

export interface ProgressStep {
  readonly id: number;
  readonly label: string;
  readonly state: StepState;
  /** Outcome or failure, one line. */
  readonly detail?: string;
  /** HTTP requests made while the step ran (cache hits included). */
  readonly requests: number;
  readonly cacheHits: number;
  readonly durationMs?: number;
}

export type ProgressListener = (steps: readonly ProgressStep[]) => void;

/** Records steps in order; `exchange` attributes HTTP requests to the step(s) running. */
export class ProgressTracker {
  private steps: ProgressStep[] = [];
  private next = 1;
  private readonly started = new Map<number, number>();

  constructor(private readonly listener: ProgressListener = () => undefined) {}

  snapshot(): readonly ProgressStep[] {
    return this.steps;
  }

  /** Runs `fn` as a step; `describe` turns its result into the step's outcome line. */
  async run<T>(label: string, fn: () => Promise<T>, describe?: (value: T) => string | undefined): Promise<T> {
    const id = this.next++;
    this.started.set(id, now());
    this.update({ id, label, state: 'running', requests: 0, cacheHits: 0 });
    try {
      const value = await fn();
      const detail = describe?.(value);
      this.finish(id, 'done', detail);
      return value;
    } catch (e) {
      this.finish(id, 'failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /** Counts an HTTP exchange against the most recently started step still running. */
  exchange(exchange: HttpExchange): void {
    const running = [...this.steps].reverse().find((s) => s.state === 'running');
    if (!running) return;
    this.update({ ...running, requests: running.requests + 1, cacheHits: running.cacheHits + (exchange.fromCache ? 1 : 0) });
  }

  private finish(id: number, state: StepState, detail: string | undefined): void {
    const step = this.steps.find((s) => s.id === id);
    if (!step) return;
    const startedAt = this.started.get(id) ?? now();
    this.update({ ...step, state, ...(detail !== undefined ? { detail } : {}), durationMs: Math.round(now() - startedAt) });
  }

  private update(step: ProgressStep): void {
    this.steps = publishStep(this.steps, step, this.listener);
  }
}

/** The list with `step` added or replaced (by id), handed to the listener; a failing view cannot change the flow. */
export function publishStep(steps: readonly ProgressStep[], step: ProgressStep, listener: ProgressListener): ProgressStep[] {
  const i = steps.findIndex((s) => s.id === step.id);
  const next = i < 0 ? [...steps, step] : steps.map((s, j) => (j === i ? step : s));
  try {
    listener(next);
  } catch {
    // A listener is a view; it cannot change the flow.
  }
  return next;
}

/** Milliseconds from a monotonic clock where there is one. */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** "3 requests (1 from cache), 120 ms" */
export function describeStepCost(step: ProgressStep): string {
  const parts: string[] = [];
  if (step.requests > 0) {
    parts.push(`${step.requests} request${step.requests === 1 ? '' : 's'}${step.cacheHits > 0 ? ` (${step.cacheHits} from cache)` : ''}`);
  }
  if (step.durationMs !== undefined) parts.push(`${step.durationMs} ms`);
  return parts.join(', ');
}
