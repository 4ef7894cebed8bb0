/**
 * Before/after comparison of object graphs: hand-made graphs for the rules (added, removed,
 * moved tags, edges), then graphs read from scripted answers around a "signing" that adds a
 * signature the way the tag-schema writer does (blobs, manifest, new tag index, old one gone).
 */
import { describe, expect, it } from 'vitest';
import { compareAround, diffObjectGraphs } from '../../../../src/lib/app/behind-the-scenes/diff';
import { buildObjectGraph, OBJECT_GRAPH_MEDIA_TYPE, type ObjectGraph, type ObjectNode } from '../../../../src/lib/app/behind-the-scenes/objects';
import { utf8Encode } from '../../../../src/lib/bytes';
import { EMPTY_JSON, MediaType } from '../../../../src/lib/oci/media-types';
import { ScriptedStore } from './scripted-store';

const h = (c: string) => 'sha256:' + c.repeat(64);

function graph(nodes: ObjectNode[], edges: ObjectGraph['edges']): ObjectGraph {
  return { mediaType: OBJECT_GRAPH_MEDIA_TYPE, repository: 'r/a', root: h('a'), referrersVia: 'tag-schema', nodes, edges, truncated: false, notes: [], builtAt: '2026-01-01T00:00:00.000Z' };
}

describe('diffObjectGraphs', () => {
  const image: ObjectNode = { id: h('a'), kind: 'manifest', role: 'artifact', mediaType: MediaType.ociManifest, digest: h('a'), size: 10 };
  const oldIndex: ObjectNode = { id: h('1'), kind: 'index', role: 'referrers-tag-index', mediaType: MediaType.ociIndex, digest: h('1'), size: 5 };
  const newIndex: ObjectNode = { ...oldIndex, id: h('2'), digest: h('2') };
  const tag = (target: string): ObjectNode => ({ id: `tag:sha256-${'a'.repeat(64)}`, kind: 'tag', role: 'tag', tag: `sha256-${'a'.repeat(64)}`, target, note: 'referrers tag' });
  const sig: ObjectNode = { id: h('c'), kind: 'manifest', role: 'signature', mediaType: MediaType.ociManifest, digest: h('c'), size: 700 };
  const env: ObjectNode = { id: h('e'), kind: 'blob', role: 'envelope', mediaType: MediaType.cose, digest: h('e'), size: 900 };

  it('finds added nodes and edges, moved tags and removed nodes', () => {
    const before = graph([image, oldIndex, tag(h('1'))], [{ from: tag(h('1')).id, to: h('1'), relation: 'tag' }]);
    const after = graph(
      [image, newIndex, tag(h('2')), sig, env],
      [
        { from: tag(h('2')).id, to: h('2'), relation: 'tag' },
        { from: h('2'), to: h('c'), relation: 'referrer-index-entry' },
        { from: h('c'), to: h('a'), relation: 'subject' },
        { from: h('c'), to: h('e'), relation: 'layer' }
      ]
    );
    const d = diffObjectGraphs(before, after);
    expect(d.added.map((n) => n.id)).toEqual([h('2'), h('c'), h('e')]);
    expect(d.removed.map((n) => n.id)).toEqual([h('1')]);
    expect(d.moved).toEqual([{ tag: `sha256-${'a'.repeat(64)}`, from: h('1'), to: h('2'), node: tag(h('2')) }]);
    expect(d.addedEdges).toHaveLength(4);
    expect(d.removedEdges).toEqual([{ from: tag(h('1')).id, to: h('1'), relation: 'tag' }]);
    expect(d.changes.map((c) => `${c.kind} ${c.label}`)).toEqual([
      'added referrers tag index',
      'added signature manifest',
      'added signature envelope (COSE)',
      `moved referrers tag sha256-${'a'.repeat(64)}`,
      'removed referrers tag index'
    ]);
    expect(d.changes.find((c) => c.kind === 'moved')?.from).toBe(h('1'));
    expect(d.unchanged).toBe(false);
  });

  it('two reads of the same registry state are unchanged', () => {
    const g = graph([image, sig], [{ from: h('c'), to: h('a'), relation: 'subject' }]);
    const d = diffObjectGraphs(g, graph([sig, image], [{ from: h('c'), to: h('a'), relation: 'subject' }]));
    expect(d.unchanged).toBe(true);
    expect(d.changes).toEqual([]);
  });
});

describe('compareAround with graphs read from scripted answers', () => {
  async function setup(api: boolean) {
    const store = new ScriptedStore({ api });
    const image = await store.image('v1');
    const first = await store.signature(image, utf8Encode('first envelope'));
    if (!api) await store.tagIndex(image, [first.manifest], 'one');
    return { store, image, first };
  }

  it('tag index path: the new signature, its envelope, the new index, the moved tag; the old index is gone', async () => {
    const { store, image } = await setup(false);
    const { repo } = store.client({ cache: true });
    const oldIndex = store.tags.get(image.digest.replace(':', '-'))!;
    let second: Awaited<ReturnType<ScriptedStore['signature']>> | undefined;
    const { diff, result } = await compareAround(
      () => buildObjectGraph(repo, image, { describeEnvelope: null }),
      async () => {
        second = await store.signature(image, utf8Encode('second envelope'), MediaType.jws);
        const previous = store.referrersOf(image.digest);
        const index = await store.tagIndex(image, previous, 'two');
        store.content.delete(oldIndex); // notation deletes the index it replaced
        return index;
      }
    );
    expect(diff.added.map((n) => n.id).sort()).toEqual([second!.manifest.digest, second!.envelope.digest, result.digest].sort());
    expect(diff.removed.map((n) => n.id)).toEqual([oldIndex]);
    expect(diff.moved.map((m) => [m.from, m.to])).toEqual([[oldIndex, result.digest]]);
    // The empty config blob was already there (the first signature uses it): not "added".
    expect(diff.added.some((n) => n.id === EMPTY_JSON.digest)).toBe(false);
    expect(diff.changes.filter((c) => c.kind === 'added').map((c) => c.label).sort()).toEqual(['referrers tag index', 'signature envelope (JWS)', 'signature manifest']);
  });

  it('Referrers API path: the first signature adds its manifest, envelope and the empty config; no tag', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    const { repo } = store.client();
    const { diff, result } = await compareAround(
      () => buildObjectGraph(repo, image, { describeEnvelope: null }),
      () => store.signature(image, utf8Encode('an envelope'))
    );
    expect(diff.added.map((n) => n.id).sort()).toEqual([result.manifest.digest, result.envelope.digest, EMPTY_JSON.digest].sort());
    expect(diff.changes.map((c) => c.label).sort()).toEqual(['config blob (empty JSON {})', 'signature envelope (COSE)', 'signature manifest']);
    expect(diff.removed).toEqual([]);
    expect(diff.moved).toEqual([]);
  });

  it('a failing action compares nothing and throws its error', async () => {
    const { store, image } = await setup(true);
    const { repo } = store.client();
    await expect(compareAround(() => buildObjectGraph(repo, image, { describeEnvelope: null }), () => Promise.reject(new Error('sign failed')))).rejects.toThrow('sign failed');
  });
});
