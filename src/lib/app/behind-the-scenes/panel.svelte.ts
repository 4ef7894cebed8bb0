/**
 * The "behind the scenes" panel's state (Svelte 5 runes) for a page: a TraceRecorder fed by the
 * app's registry client while the page is open, the object graph of the page's artifact (read on
 * demand through the same client, so its requests are in the trace too), and a before/after
 * comparison — from a snapshot the person takes, or handed over by a signing flow. A view over
 * trace.ts, objects.ts and diff.ts, which load on first use so a page's first load stays small:
 * exchanges reported before the recorder has loaded are kept (already redacted by the transport)
 * with their step and time, and replayed into it.
 */
import type { HttpExchange } from '../../registry/http';
import type { Descriptor } from '../../oci/descriptor';
import { appState } from '../app-state.svelte';
import { describeError, type DescribedError } from '../messages';
import type { ProgressStep } from '../progress';
import type { GraphDiff } from './diff';
import type { ObjectGraph } from './graph';
import type { TraceEntry, TraceRecorder } from './trace';

/** The artifact the Objects view describes. */
export interface GraphTarget {
  /** `registry/repository`. */
  readonly repository: string;
  readonly descriptor: Descriptor;
  /** The tag the person typed, if any. */
  readonly tag?: string;
}

/** Step label for the graph's own reads, so the trace tells them apart from the flow's. */
export const GRAPH_STEP = 'Behind the scenes: read the registry objects';

/** The step a flow's ProgressTracker is running (the most recent one still running). */
export function runningStep(steps: readonly ProgressStep[]): string | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.state === 'running') return steps[i]!.label;
  return undefined;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.timeOrigin + performance.now() : Date.now();
}

/** Exchanges kept until the recorder loads; more than this and the oldest go. */
const MAX_PENDING = 2000;

export class BehindTheScenesState {
  entries = $state.raw<readonly TraceEntry[]>([]);
  target = $state.raw<GraphTarget | null>(null);
  graph = $state.raw<ObjectGraph | null>(null);
  graphBusy = $state(false);
  graphError = $state.raw<DescribedError | null>(null);
  /** The "before" of the comparison. */
  before = $state.raw<ObjectGraph | null>(null);
  after = $state.raw<ObjectGraph | null>(null);
  diff = $state.raw<GraphDiff | null>(null);
  /** Where the comparison came from: a snapshot taken here, or a signing. */
  diffSource = $state<'snapshot' | 'signing' | null>(null);
  compareBusy = $state(false);
  compareError = $state.raw<DescribedError | null>(null);
  /** Why a signing's before/after cannot be shown (said instead of a wrong comparison). */
  notice = $state<string | null>(null);

  private recorder: TraceRecorder | null = null;
  private recorderLoad: Promise<TraceRecorder> | undefined;
  private pending: { exchange: HttpExchange; step: string | undefined; at: number }[] = [];
  private graphRun = 0;
  /** The graph a signing is compared against, fixed when the signing starts. */
  private signingBase: ObjectGraph | null = null;
  /** Set while the panel reads the graph, so those requests carry its own step. */
  private ownStep: string | undefined;
  private readonly stepOf: () => string | undefined;

  constructor(options: { stepOf?: () => string | undefined } = {}) {
    this.stepOf = options.stepOf ?? (() => undefined);
  }

  private currentStep(): string | undefined {
    if (this.ownStep !== undefined) return this.ownStep;
    try {
      return this.stepOf();
    } catch {
      return undefined;
    }
  }

  /** Loads the recorder (once) and replays what was reported before it was there. */
  loadRecorder(): Promise<TraceRecorder> {
    this.recorderLoad ??= import('./trace').then(({ TraceRecorder }) => {
      const recorder = new TraceRecorder({ stepOf: () => this.currentStep() });
      recorder.subscribe((entries) => (this.entries = entries));
      for (const p of this.pending) recorder.record(p.exchange, p.step, p.at);
      this.pending = [];
      this.recorder = recorder;
      return recorder;
    });
    return this.recorderLoad;
  }

  private observe = (exchange: HttpExchange): void => {
    const at = now();
    // The step is read once the other listeners of this exchange have run: some flows start a
    // step when they see its first request (SigningSteps), after this listener was called.
    // Microtasks run in order and before the flow can move on, so order and step are kept.
    queueMicrotask(() => {
      const step = this.currentStep();
      if (this.recorder) {
        this.recorder.record(exchange, step, at);
        return;
      }
      this.pending.push({ exchange, step, at });
      if (this.pending.length > MAX_PENDING) this.pending.shift();
    });
  };

  /**
   * Records every exchange of the app's registry client until the returned function is called
   * (use as an $effect's or onMount's cleanup).
   */
  attach(): () => void {
    let stop: () => void = () => undefined;
    const open = new Promise<void>((resolve) => (stop = resolve));
    void appState.observe(this.observe, () => open);
    void this.loadRecorder().catch(() => undefined);
    return stop;
  }

  /** A new artifact: the graph and the comparison describe the old one, so they go. */
  setTarget(target: GraphTarget | null): void {
    const same =
      target !== null && this.target !== null && target.repository === this.target.repository && target.descriptor.digest === this.target.descriptor.digest;
    this.target = target;
    if (same) return;
    this.graphRun++;
    this.graph = null;
    this.graphError = null;
    this.graphBusy = false;
    this.before = null;
    this.after = null;
    this.diff = null;
    this.diffSource = null;
    this.compareError = null;
    this.notice = null;
    this.signingBase = null;
  }

  clearTrace(): void {
    this.pending = [];
    this.recorder?.clear();
  }

  private async read(target: GraphTarget): Promise<ObjectGraph> {
    const [{ client }, { buildObjectGraph }] = await Promise.all([appState.registryClient(), import('./objects')]);
    const repo = client.repository(`${target.repository}@${target.descriptor.digest}`);
    this.ownStep = GRAPH_STEP;
    try {
      return await buildObjectGraph(repo, target.descriptor, target.tag ? { tag: target.tag } : {});
    } finally {
      this.ownStep = undefined;
    }
  }

  /** Reads the object graph of the target (again). */
  async loadGraph(): Promise<void> {
    const target = this.target;
    if (!target || this.graphBusy) return;
    const run = ++this.graphRun;
    this.graphBusy = true;
    this.graphError = null;
    try {
      const graph = await this.read(target);
      if (run === this.graphRun) this.graph = graph;
    } catch (e) {
      if (run === this.graphRun) this.graphError = describeError(e);
    } finally {
      if (run === this.graphRun) this.graphBusy = false;
    }
  }

  /** Keeps the current registry state as "before". */
  async takeSnapshot(): Promise<void> {
    const target = this.target;
    if (!target) return;
    this.compareBusy = true;
    this.compareError = null;
    try {
      const graph = await this.read(target);
      this.graph = graph;
      this.before = graph;
      this.after = null;
      this.diff = null;
      this.diffSource = 'snapshot';
    } catch (e) {
      this.compareError = describeError(e);
    } finally {
      this.compareBusy = false;
    }
  }

  /** Reads the registry again and compares it with the snapshot. */
  async compare(): Promise<void> {
    const target = this.target;
    const before = this.before;
    if (!target || !before) return;
    this.compareBusy = true;
    this.compareError = null;
    try {
      const after = await this.read(target);
      await this.showComparison(before, after, 'snapshot');
    } catch (e) {
      this.compareError = describeError(e);
    } finally {
      this.compareBusy = false;
    }
  }

  /** Shows the difference between two reads (a signing flow hands over its before and after). */
  async showComparison(before: ObjectGraph, after: ObjectGraph, source: 'snapshot' | 'signing' = 'signing'): Promise<void> {
    const { diffObjectGraphs } = await import('./diff');
    this.before = before;
    this.after = after;
    this.diff = diffObjectGraphs(before, after);
    this.diffSource = source;
    this.graph = after;
  }

  /**
   * A signing is about to push: the registry state read last (the snapshot, or the previous
   * signing's "after") is its "before" — unless that read is still running, in which case it may
   * already include the new signature and no comparison is shown.
   */
  signingStarted(): void {
    const base = this.compareBusy ? null : (this.after ?? this.before);
    this.signingBase = base;
    this.notice = base
      ? null
      : 'The registry was still being read when the signing started, so there is no reliable "before": take a snapshot before the next signing to see what it adds.';
  }

  /** The signing pushed its signature: read the registry again and compare with its "before". */
  async signingFinished(): Promise<void> {
    const base = this.signingBase;
    const target = this.target;
    this.signingBase = null;
    if (!base || !target) return;
    this.compareBusy = true;
    this.compareError = null;
    try {
      const after = await this.read(target);
      await this.showComparison(base, after, 'signing');
    } catch (e) {
      this.compareError = describeError(e);
    } finally {
      this.compareBusy = false;
    }
  }

  /** The trace as HAR-like JSON text. */
  async harText(): Promise<string> {
    const [{ formatHar }, recorder] = await Promise.all([import('./trace'), this.loadRecorder()]);
    return formatHar(recorder.entries, { name: 'Signet', version: '1' });
  }

  graphText(): string | null {
    return this.graph ? `${JSON.stringify(this.graph, null, 2)}\n` : null;
  }
}
