/**
 * What the panel renders, from graphs read off scripted answers: the tree laid out from the
 * artifact (relations named, shared blobs expanded once, tag indexes apart, tags on targets) and
 * trace rows naming the object each request read.
 */
import { describe, expect, it } from 'vitest';
import { buildObjectGraph } from '../../../../src/lib/app/behind-the-scenes/objects';
import { TraceRecorder } from '../../../../src/lib/app/behind-the-scenes/trace';
import { formatBytes, formatDuration, objectTree, traceRows, type TreeEntry } from '../../../../src/lib/app/behind-the-scenes/views';
import { utf8Encode } from '../../../../src/lib/bytes';
import { EMPTY_JSON, MediaType } from '../../../../src/lib/oci/media-types';
import { ScriptedStore } from './scripted-store';

/** The tree as indented text lines: "relation: label [tags] (repeated)". */
function lines(e: TreeEntry | null, depth = 0): string[] {
  if (!e) return [];
  const text = `${'  '.repeat(depth)}${e.relation ? `${e.relation}: ` : ''}${e.label}${e.tags.length ? ` [${e.tags.join(', ')}]` : ''}${e.repeated ? ' (repeated)' : ''}`;
  return [text, ...e.children.flatMap((c) => lines(c, depth + 1))];
}

describe('objectTree', () => {
  it('lays out the artifact, its parts and referrers; the shared config once; the tag index apart', async () => {
    const store = new ScriptedStore({ api: false });
    const image = await store.image('v1');
    const a = await store.signature(image, utf8Encode('a'));
    const b = await store.signature(image, utf8Encode('b'), MediaType.jws);
    await store.tagIndex(image, [a.manifest, b.manifest]);
    const { repo } = store.client({ cache: true });
    const graph = await buildObjectGraph(repo, image, { describeEnvelope: null });
    const tree = objectTree(graph);
    const referrersTag = image.digest.replace(':', '-');
    expect(lines(tree.root)).toEqual([
      'artifact manifest [v1]',
      '  config: config blob',
      '  layer: layer blob',
      '  referrer (its subject is the object above): signature manifest',
      '    config: config blob (empty JSON {})',
      '    layer: signature envelope (COSE)',
      '  referrer (its subject is the object above): signature manifest',
      '    config: config blob (empty JSON {}) (repeated)',
      '    layer: signature envelope (JWS)'
    ]);
    expect(tree.tagIndexes.flatMap((e) => lines(e))).toEqual([
      `referrers tag index [${referrersTag}]`,
      '  listed in the tag index: signature manifest (repeated)',
      '  listed in the tag index: signature manifest (repeated)'
    ]);
    expect(tree.others).toEqual([]);
    expect(tree.counts).toEqual({ tags: 2, manifests: 3, indexes: 1, blobs: 5 });
    expect(tree.root!.children[2]!.node.id).toBe(a.manifest.digest);
    expect(tree.root!.children[2]!.children[0]!.node.id).toBe(EMPTY_JSON.digest);
  });

  it('shows objects reached from nowhere under "others"', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    const { repo } = store.client();
    const graph = await buildObjectGraph(repo, image, { describeEnvelope: null });
    const stray = { id: 'sha256:' + 'f'.repeat(64), kind: 'blob' as const, role: 'layer' as const, mediaType: 'x/y', digest: 'sha256:' + 'f'.repeat(64), size: 1 };
    const tree = objectTree({ ...graph, nodes: [...graph.nodes, stray] });
    expect(tree.others.map((e) => e.node.id)).toEqual([stray.id]);
  });
});

describe('traceRows', () => {
  it('names the object a request read when the graph knows it', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    const sig = await store.signature(image, utf8Encode('env'));
    const recorder = new TraceRecorder();
    const { repo } = store.client({ cache: true, onExchange: recorder.observe });
    const graph = await recorder.step('read', () => buildObjectGraph(repo, 'v1', { describeEnvelope: null }));
    await repo.fetchManifest(sig.manifest); // a cache hit
    const rows = traceRows(recorder.entries, graph);
    const purposes = rows.map((r) => r.purpose);
    expect(purposes[0]).toBe('resolve tag v1');
    expect(purposes).toContain(`fetch manifest ${image.digest.slice(0, 19)}… — artifact manifest`);
    expect(purposes).toContain(`fetch manifest ${sig.manifest.digest.slice(0, 19)}… — signature manifest`);
    const last = rows[rows.length - 1]!;
    expect(last.time).toBe('cache');
    expect(last.path).toBe(`/v2/team/app/manifests/${sig.manifest.digest}`);
    expect(last.origin).toBe('http://127.0.0.1:5000');
    const head = rows[0]!;
    expect(head.headers).toContainEqual({ direction: 'response', name: 'docker-content-digest', value: image.digest });
    expect(head.headers.some((h) => h.direction === 'request' && h.name === 'accept')).toBe(true);
    expect(traceRows(recorder.entries).map((r) => r.purpose)).not.toContain(`fetch manifest ${sig.manifest.digest.slice(0, 19)}… — signature manifest`);
  });

  it('formats sizes and durations', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual(['0 B', '1023 B', '1.5 KiB', '3.0 MiB']);
    expect([formatDuration(0.25), formatDuration(9.94), formatDuration(12.6)]).toEqual(['0.3 ms', '9.9 ms', '13 ms']);
  });
});
