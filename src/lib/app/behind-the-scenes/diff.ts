/**
 * Before/after comparison of two object graphs of the same artifact: what a signing added (the
 * envelope blob, the config blob when it was new, the signature manifest, a new or moved
 * referrers tag and its index) and what left the graph (a replaced tag index). Nodes are compared
 * by id (digest, or `tag:<name>`); a tag that now points elsewhere is "moved", not added.
 * Spec digest §2.3 (push sequence: blobs, manifest with subject, then the tag index).
 */
import { describeNode, type ObjectEdge, type ObjectGraph, type ObjectNode } from './graph';

export interface MovedTag {
  readonly tag: string;
  readonly from: string;
  readonly to: string;
  readonly node: ObjectNode;
}

export interface GraphChange {
  readonly kind: 'added' | 'removed' | 'moved';
  /** "signature manifest", "signature envelope (COSE)", "referrers tag sha256-…", … */
  readonly label: string;
  readonly node: ObjectNode;
  /** Moved tags: the digest they pointed at before. */
  readonly from?: string;
}

export interface GraphDiff {
  readonly added: readonly ObjectNode[];
  readonly removed: readonly ObjectNode[];
  readonly moved: readonly MovedTag[];
  readonly addedEdges: readonly ObjectEdge[];
  readonly removedEdges: readonly ObjectEdge[];
  /** Every change, additions first, in the order the after graph lists them. */
  readonly changes: readonly GraphChange[];
  /** Nothing changed. */
  readonly unchanged: boolean;
}

const edgeKey = (e: ObjectEdge) => `${e.from}\u0000${e.relation}\u0000${e.to}`;

/** What changed from `before` to `after`. Both should be graphs of the same artifact. */
export function diffObjectGraphs(before: ObjectGraph, after: ObjectGraph): GraphDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const added: ObjectNode[] = [];
  const moved: MovedTag[] = [];
  for (const n of after.nodes) {
    const prev = old.get(n.id);
    if (!prev) added.push(n);
    else if (n.kind === 'tag' && prev.target !== n.target && n.target !== undefined && prev.target !== undefined) {
      moved.push({ tag: n.tag ?? n.id, from: prev.target, to: n.target, node: n });
    }
  }
  const removed = before.nodes.filter((n) => !now.has(n.id));
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  const addedEdges = after.edges.filter((e) => !oldEdges.has(edgeKey(e)));
  const removedEdges = before.edges.filter((e) => !newEdges.has(edgeKey(e)));
  const changes: GraphChange[] = [
    ...added.map((node) => ({ kind: 'added' as const, label: describeNode(node), node })),
    ...moved.map((m) => ({ kind: 'moved' as const, label: describeNode(m.node), node: m.node, from: m.from })),
    ...removed.map((node) => ({ kind: 'removed' as const, label: describeNode(node), node }))
  ];
  return {
    added,
    removed,
    moved,
    addedEdges,
    removedEdges,
    changes,
    unchanged: added.length === 0 && removed.length === 0 && moved.length === 0 && addedEdges.length === 0 && removedEdges.length === 0
  };
}

export interface Snapshots<T> {
  readonly before: ObjectGraph;
  readonly after: ObjectGraph;
  readonly diff: GraphDiff;
  readonly result: T;
}

/**
 * Reads the graph, runs `action` (a signing), reads the graph again and compares. `read` is
 * usually `() => buildObjectGraph(repo, target)`. If the action fails, nothing is compared and
 * its error is thrown.
 */
export async function compareAround<T>(read: () => Promise<ObjectGraph>, action: () => Promise<T>): Promise<Snapshots<T>> {
  const before = await read();
  const result = await action();
  const after = await read();
  return { before, after, diff: diffObjectGraphs(before, after), result };
}
