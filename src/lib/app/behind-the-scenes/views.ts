/**
 * What the "behind the scenes" panel shows, computed from the structured data (object graph,
 * trace, diff) so the Svelte components only render: the graph laid out as a tree from the
 * artifact (config, layers, index entries, referrers under their subject, tags on their target),
 * and trace rows with the object each request read.
 */
import { describeNode, indexGraph, type EdgeRelation, type ObjectGraph, type ObjectNode } from './graph';
import type { TraceEntry } from './trace';

export interface TreeEntry {
  readonly node: ObjectNode;
  /** How this node hangs from its parent ("config", "layer", "index entry", "referrer (subject)"…). */
  readonly relation?: string;
  /** "signature manifest", "signature envelope (COSE)"… */
  readonly label: string;
  /** Tags pointing at this node. */
  readonly tags: readonly string[];
  /** Already shown in full elsewhere in the tree (shared content): shown here without children. */
  readonly repeated: boolean;
  readonly children: readonly TreeEntry[];
}

export interface ObjectTree {
  /** The artifact and everything hanging from it. */
  readonly root: TreeEntry | null;
  /** Referrers tag indexes, each with its entries (which are shown in full under their subject). */
  readonly tagIndexes: readonly TreeEntry[];
  /** Anything not reached from the artifact or a tag index. */
  readonly others: readonly TreeEntry[];
  readonly counts: { readonly tags: number; readonly manifests: number; readonly indexes: number; readonly blobs: number };
}

export const RELATION_LABELS: Readonly<Record<EdgeRelation, string>> = {
  tag: 'tag',
  subject: 'referrer (its subject is the object above)',
  layer: 'layer',
  config: 'config',
  'index-entry': 'index entry',
  'referrer-index-entry': 'listed in the tag index'
};

// Children order: what a manifest is made of first, then what refers to it.
const OUT_ORDER: readonly EdgeRelation[] = ['config', 'layer', 'index-entry', 'referrer-index-entry'];

/** Lays the graph out as a tree from its root; shared nodes are expanded once. */
export function objectTree(graph: ObjectGraph): ObjectTree {
  const g = indexGraph(graph);
  const expanded = new Set<string>();
  const tagsOf = (id: string) => (g.in.get(id) ?? []).filter((e) => e.relation === 'tag').map((e) => g.byId.get(e.from)?.tag ?? e.from);

  const entry = (id: string, relation: EdgeRelation | undefined, depth: number): TreeEntry | null => {
    const node = g.byId.get(id);
    if (!node) return null;
    const repeated = expanded.has(id);
    expanded.add(id);
    const children: TreeEntry[] = [];
    if (!repeated && depth < 32) {
      const out = [...(g.out.get(id) ?? [])].filter((e) => e.relation !== 'subject' && e.relation !== 'tag');
      out.sort((a, b) => OUT_ORDER.indexOf(a.relation) - OUT_ORDER.indexOf(b.relation));
      for (const e of out) {
        const child = entry(e.to, e.relation, depth + 1);
        if (child) children.push(child);
      }
      for (const e of g.in.get(id) ?? []) {
        if (e.relation !== 'subject') continue;
        const child = entry(e.from, 'subject', depth + 1);
        if (child) children.push(child);
      }
    }
    return { node, ...(relation ? { relation: RELATION_LABELS[relation] } : {}), label: describeNode(node), tags: tagsOf(id), repeated, children };
  };

  const root = entry(graph.root, undefined, 0);
  const tagIndexes: TreeEntry[] = [];
  for (const n of graph.nodes) {
    if (n.role !== 'referrers-tag-index' || expanded.has(n.id)) continue;
    const e = entry(n.id, undefined, 0);
    if (e) tagIndexes.push(e);
  }
  const others: TreeEntry[] = [];
  for (const n of graph.nodes) {
    if (n.kind === 'tag' || expanded.has(n.id)) continue;
    const e = entry(n.id, undefined, 0);
    if (e) others.push(e);
  }
  const count = (kind: ObjectNode['kind']) => graph.nodes.filter((n) => n.kind === kind).length;
  return { root, tagIndexes, others, counts: { tags: count('tag'), manifests: count('manifest'), indexes: count('index'), blobs: count('blob') } };
}

export interface TraceRow {
  readonly entry: TraceEntry;
  /** The step or check the request served. */
  readonly step: string;
  /** What the request did, with the object it read when the graph knows it. */
  readonly purpose: string;
  readonly path: string;
  readonly origin: string;
  readonly size: string;
  readonly time: string;
  readonly headers: readonly { readonly direction: 'request' | 'response'; readonly name: string; readonly value: string }[];
}

const DIGEST_IN_PATH = /\/(?:manifests|blobs)\/([a-z0-9]+:[a-f0-9]{32,})/;

/** Human size: 512 B, 1.5 KiB, 2.0 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Trace entries as table rows; `graph` (when loaded) names the object each request read. */
export function traceRows(entries: readonly TraceEntry[], graph?: ObjectGraph | null): TraceRow[] {
  const byId = new Map((graph?.nodes ?? []).map((n) => [n.id, n]));
  return entries.map((entry) => {
    const x = entry.exchange;
    let path = x.url;
    let origin = '';
    try {
      const u = new URL(x.url);
      path = `${u.pathname}${u.search}`;
      origin = u.origin;
    } catch {
      // keep the text as it is
    }
    const digest = DIGEST_IN_PATH.exec(path)?.[1];
    const node = digest ? byId.get(digest) : undefined;
    const purpose = node ? `${entry.purpose} — ${describeNode(node)}` : entry.purpose;
    const headers = [
      ...Object.entries(x.requestHeaders).map(([name, value]) => ({ direction: 'request' as const, name, value })),
      ...Object.entries(x.responseHeaders).map(([name, value]) => ({ direction: 'response' as const, name, value }))
    ];
    return {
      entry,
      step: entry.step ?? '—',
      purpose,
      path,
      origin,
      size: formatBytes(x.responseBytes),
      time: x.fromCache ? 'cache' : formatDuration(x.durationMs),
      headers
    };
  });
}
