/**
 * The "behind the scenes" panel's state (Svelte 5 runes) for a page: a TraceRecorder fed by the
 * app's registry client while the page is open, the object graph of the page's artifact (read on
 * demand through the same client, so its requests are in the trace too), and a before/after
 * comparison — from a snapshot the person takes, or handed over by a signing flow. A view over
 * trace.ts, objects.ts and diff.ts; nothing here talks to a registry by itself.
 */
import type { Descriptor } from '../../oci/descriptor';
import { appState } from '../app-state.svelte';
import { describeError, type DescribedError } from '../messages';
import { diffObjectGraphs, type GraphDiff } from './diff';
import type { ObjectGraph } from './graph';
import { formatHar, TraceRecorder, type TraceEntry } from './trace';

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

  readonly recorder: TraceRecorder;
  private graphRun = 0;

  constructor(options: { stepOf?: () => string | undefined } = {}) {
    this.recorder = new TraceRecorder({ ...(options.stepOf ? { stepOf: options.stepOf } : {}) });
    this.recorder.subscribe((entries) => (this.entries = entries));
  }

  /**
   * Records every exchange of the app's registry client until the returned function is called
   * (use as an $effect's cleanup).
   */
  attach(): () => void {
    let stop: () => void = () => undefined;
    const open = new Promise<void>((resolve) => (stop = resolve));
    void appState.observe(this.recorder.observe, () => open);
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
  }

  clearTrace(): void {
    this.recorder.clear();
  }

  private async read(target: GraphTarget): Promise<ObjectGraph> {
    const [{ client }, { buildObjectGraph }] = await Promise.all([appState.registryClient(), import('./objects')]);
    const repo = client.repository(`${target.repository}@${target.descriptor.digest}`);
    return this.recorder.step(GRAPH_STEP, () => buildObjectGraph(repo, target.descriptor, target.tag ? { tag: target.tag } : {}));
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

  /** Keeps the current registry state as "before" (reading it first when needed). */
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
      this.graph = after;
      this.showComparison(before, after, 'snapshot');
    } catch (e) {
      this.compareError = describeError(e);
    } finally {
      this.compareBusy = false;
    }
  }

  /** A signing flow hands over the graphs it read before and after pushing. */
  showComparison(before: ObjectGraph, after: ObjectGraph, source: 'snapshot' | 'signing' = 'signing'): void {
    this.before = before;
    this.after = after;
    this.diff = diffObjectGraphs(before, after);
    this.diffSource = source;
    this.graph = after;
  }

  /** The trace as HAR-like JSON text. */
  harText(): string {
    return formatHar(this.recorder.entries, { name: 'Signet', version: '1' });
  }

  graphText(): string | null {
    return this.graph ? `${JSON.stringify(this.graph, null, 2)}\n` : null;
  }
}
