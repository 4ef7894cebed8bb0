/**
 * Building the object graph from scripted registry answers: nodes and labelled edges on the
 * Referrers API and the tag-index paths, index artifacts, envelopes decoded like notation
 * inspect, caps, and objects that cannot be read. Against real registries:
 * tests/integration/behind-the-scenes/objects.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { buildObjectGraph, describeNode, formatObjectGraph, indexGraph, OBJECT_GRAPH_MEDIA_TYPE, type ObjectGraph } from '../../../../src/lib/app/behind-the-scenes/objects';
import { utf8Encode } from '../../../../src/lib/bytes';
import { EMPTY_JSON, MediaType } from '../../../../src/lib/oci/media-types';
import type { Descriptor } from '../../../../src/lib/oci/descriptor';
import { envelopeFor } from '../helpers';
import { chainSigner } from '../../../helpers/pki-signer';
import { HOST, REPO, ScriptedStore } from './scripted-store';

const edges = (g: ObjectGraph) => g.edges.map((e) => `${e.from} -${e.relation}-> ${e.to}`).sort();
const ids = (g: ObjectGraph) => g.nodes.map((n) => n.id).sort();
const node = (g: ObjectGraph, id: string) => {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};
const noDecode = { describeEnvelope: null } as const;

async function signedImage(api: boolean) {
  const store = new ScriptedStore({ api });
  const image = await store.image('v1');
  const sig = await store.signature(image, utf8Encode('not really an envelope'));
  const sbom = await store.sbom(image);
  // A signature of the SBOM: a referrer of a referrer.
  const sbomSig = await store.signature(sbom.manifest, utf8Encode('another envelope'), MediaType.jws);
  if (!api) {
    await store.tagIndex(image, [{ ...sig.manifest }, { ...sbom.manifest }]);
    await store.tagIndex(sbom.manifest, [{ ...sbomSig.manifest }]);
  }
  return { store, image, sig, sbom, sbomSig };
}

function imageParts(store: ScriptedStore, image: Descriptor) {
  const m = JSON.parse(new TextDecoder().decode(store.content.get(image.digest)!.bytes));
  return { config: m.config.digest as string, layer: m.layers[0].digest as string };
}

describe('buildObjectGraph: Referrers API', () => {
  it('has the tag, the image with config and layer, each referrer with config and layers, recursively', async () => {
    const { store, image, sig, sbom, sbomSig } = await signedImage(true);
    const { repo, calls } = store.client();
    const g = await buildObjectGraph(repo, image, noDecode);
    const { config, layer } = imageParts(store, image);
    expect(g.mediaType).toBe(OBJECT_GRAPH_MEDIA_TYPE);
    expect(g.repository).toBe(`${HOST}/${REPO}`);
    expect(g.root).toBe(image.digest);
    expect(g.referrersVia).toBe('referrers-api');
    expect(ids(g)).toEqual(
      ['tag:v1', image.digest, config, layer, sig.manifest.digest, EMPTY_JSON.digest, sig.envelope.digest, sbom.manifest.digest, sbom.layer.digest, sbomSig.manifest.digest, sbomSig.envelope.digest].sort()
    );
    expect(edges(g)).toEqual(
      [
        `tag:v1 -tag-> ${image.digest}`,
        `${image.digest} -config-> ${config}`,
        `${image.digest} -layer-> ${layer}`,
        `${sig.manifest.digest} -config-> ${EMPTY_JSON.digest}`,
        `${sig.manifest.digest} -layer-> ${sig.envelope.digest}`,
        `${sig.manifest.digest} -subject-> ${image.digest}`,
        `${sbom.manifest.digest} -config-> ${EMPTY_JSON.digest}`,
        `${sbom.manifest.digest} -layer-> ${sbom.layer.digest}`,
        `${sbom.manifest.digest} -subject-> ${image.digest}`,
        `${sbomSig.manifest.digest} -config-> ${EMPTY_JSON.digest}`,
        `${sbomSig.manifest.digest} -layer-> ${sbomSig.envelope.digest}`,
        `${sbomSig.manifest.digest} -subject-> ${sbom.manifest.digest}`
      ].sort()
    );
    expect(node(g, image.digest)).toMatchObject({ kind: 'manifest', role: 'artifact', mediaType: MediaType.ociManifest, size: image.size });
    expect(node(g, image.digest).raw).toBe(new TextDecoder().decode(store.content.get(image.digest)!.bytes));
    expect(node(g, sig.manifest.digest)).toMatchObject({ role: 'signature', artifactType: MediaType.notarySignature });
    expect(node(g, sbom.manifest.digest)).toMatchObject({ role: 'referrer', artifactType: 'application/spdx+json' });
    expect(node(g, sig.envelope.digest)).toMatchObject({ kind: 'blob', role: 'envelope', mediaType: MediaType.cose });
    expect(node(g, sbom.layer.digest).role).toBe('layer');
    expect(node(g, EMPTY_JSON.digest)).toMatchObject({ role: 'config', size: 2 });
    expect(node(g, 'tag:v1')).toMatchObject({ kind: 'tag', tag: 'v1', target: image.digest });
    // No envelope was fetched (describeEnvelope: null), and nothing was read twice.
    expect(calls.filter((c) => c.url.includes('/blobs/'))).toEqual([]);
    const manifestGets = calls.filter((c) => c.method === 'GET' && /\/manifests\/sha256:/.test(c.url)).map((c) => c.url);
    expect(new Set(manifestGets).size).toBe(manifestGets.length);
    expect(g.truncated).toBe(false);
    expect(g.notes).toEqual([]);
  });

  it('decodes signature envelopes like notation inspect', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    const signer = await chainSigner('EC-256');
    const signed = await envelopeFor(signer, image, 'cose');
    const sig = await store.signature(image, signed.envelope, MediaType.cose);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, 'v1', { tag: 'v1' });
    const env = node(g, sig.envelope.digest).envelope!;
    expect(env.mediaType).toBe(MediaType.cose);
    expect(env.digest).toBe(sig.manifest.digest);
    expect(env.signatureAlgorithm).toBe('ECDSA-SHA-256');
    expect(env.signedArtifact).toEqual({ mediaType: image.mediaType, digest: image.digest, size: image.size });
    expect(env.certificates[0]!.issuedTo).toBe('CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US');
    expect(env.certificates).toHaveLength(signer.certificateChain.length);
    expect(describeNode(node(g, sig.envelope.digest))).toBe('signature envelope (COSE)');
  });
});

describe('buildObjectGraph: tag index (no Referrers API)', () => {
  it('adds the sha256-<hex> tags, their indexes, and index → referrer edges', async () => {
    const { store, image, sig, sbom, sbomSig } = await signedImage(false);
    const { repo } = store.client({ cache: true });
    const g = await buildObjectGraph(repo, image, noDecode);
    expect(g.referrersVia).toBe('tag-schema');
    const imageTag = image.digest.replace(':', '-');
    const sbomTag = sbom.manifest.digest.replace(':', '-');
    const imageIndex = store.tags.get(imageTag)!;
    const sbomIndex = store.tags.get(sbomTag)!;
    expect(node(g, imageIndex)).toMatchObject({ kind: 'index', role: 'referrers-tag-index', mediaType: MediaType.ociIndex });
    expect(node(g, `tag:${imageTag}`)).toMatchObject({ target: imageIndex });
    expect(describeNode(node(g, `tag:${imageTag}`))).toBe(`referrers tag ${imageTag}`);
    const e = edges(g);
    expect(e).toContain(`tag:${imageTag} -tag-> ${imageIndex}`);
    expect(e).toContain(`tag:${sbomTag} -tag-> ${sbomIndex}`);
    expect(e).toContain(`${imageIndex} -referrer-index-entry-> ${sig.manifest.digest}`);
    expect(e).toContain(`${imageIndex} -referrer-index-entry-> ${sbom.manifest.digest}`);
    expect(e).toContain(`${sbomIndex} -referrer-index-entry-> ${sbomSig.manifest.digest}`);
    expect(e).toContain(`${sig.manifest.digest} -subject-> ${image.digest}`);
    // Exactly what the store holds: every piece of content and every tag.
    expect(ids(g)).toEqual([...[...store.tags.keys()].map((t) => `tag:${t}`), ...store.content.keys()].sort());
  });

  it('shows a tag index entry whose manifest is missing, and a manifest served with other bytes, with their errors', async () => {
    const store = new ScriptedStore({ api: false });
    const image = await store.image('v1');
    const sig = await store.signature(image, utf8Encode('e1'));
    const ghost: Descriptor = { mediaType: MediaType.ociManifest, digest: 'sha256:' + 'd'.repeat(64), size: 300, artifactType: MediaType.notarySignature };
    await store.tagIndex(image, [sig.manifest, ghost]);
    store.corrupt.add(sig.manifest.digest);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, image, noDecode);
    expect(node(g, ghost.digest)).toMatchObject({ role: 'signature', size: 300 });
    expect(node(g, ghost.digest).error).toMatch(/manifest/i);
    expect(node(g, sig.manifest.digest).error).toMatch(/digest|hash/i);
    expect(node(g, sig.manifest.digest).raw).toBeUndefined();
    // The listing still ties them to their subject.
    expect(edges(g)).toContain(`${ghost.digest} -subject-> ${image.digest}`);
  });
});

describe('buildObjectGraph: an index artifact', () => {
  it('reads the platform manifests and their referrers', async () => {
    const store = new ScriptedStore({ api: true });
    const amd = await store.image(undefined, 'amd');
    const arm = await store.image(undefined, 'arm');
    const index = await store.manifest(
      {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
          { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }
        ]
      },
      'v2'
    );
    const sig = await store.signature(arm, utf8Encode('arm sig'));
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, 'v2', noDecode);
    expect(node(g, index.digest)).toMatchObject({ kind: 'index', role: 'artifact' });
    expect(node(g, arm.digest)).toMatchObject({ kind: 'manifest', role: 'platform-manifest', platform: 'linux/arm64/v8' });
    expect(describeNode(node(g, amd.digest))).toBe('platform manifest (linux/amd64)');
    const e = edges(g);
    expect(e).toContain(`${index.digest} -index-entry-> ${amd.digest}`);
    expect(e).toContain(`${index.digest} -index-entry-> ${arm.digest}`);
    expect(e).toContain(`${sig.manifest.digest} -subject-> ${arm.digest}`);
    expect(e).toContain(`tag:v2 -tag-> ${index.digest}`);
    expect(ids(g)).toEqual([...[...store.tags.keys()].map((t) => `tag:${t}`), ...store.content.keys()].sort());
    const walk = indexGraph(g);
    expect(walk.in.get(arm.digest)!.map((x) => x.relation).sort()).toEqual(['index-entry', 'subject']);
    expect(walk.out.get(index.digest)).toHaveLength(2);
  });
});

describe('buildObjectGraph: bounds and failures', () => {
  it('stops at maxNodes and says so', async () => {
    const { store, image } = await signedImage(true);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, image, { ...noDecode, maxNodes: 4 });
    expect(g.nodes).toHaveLength(4);
    expect(g.truncated).toBe(true);
    expect(g.notes.join(' ')).toContain('Stopped at 4 objects');
    for (const e of g.edges) {
      expect(g.nodes.some((n) => n.id === e.from) && g.nodes.some((n) => n.id === e.to)).toBe(true);
    }
  });

  it('stops reading content past the byte budget; the rest is shown from descriptors', async () => {
    const { store, image, sig } = await signedImage(true);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, image, { ...noDecode, maxBytes: image.size + 10 });
    expect(node(g, image.digest).raw).toBeDefined();
    expect(node(g, sig.manifest.digest).raw).toBeUndefined();
    expect(node(g, sig.manifest.digest).note).toMatch(/byte budget/);
    expect(g.truncated).toBe(true);
    expect(g.notes.join(' ')).toMatch(/Stopped reading content after \d+ bytes/);
  });

  it('resolves at most maxTagResolves ordinary tags (and always the typed one); others pointing elsewhere are counted', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    store.tags.set('latest', image.digest);
    await store.image('other-1', 'o1');
    await store.image('other-2', 'o2');
    const { repo } = store.client();
    // Sorted: latest, other-1, other-2, v1 — one resolve allowed, v1 is the typed tag.
    const g = await buildObjectGraph(repo, image, { ...noDecode, maxTagResolves: 2, tag: 'v1' });
    expect(g.nodes.filter((n) => n.kind === 'tag').map((n) => n.tag).sort()).toEqual(['latest', 'v1']);
    expect(g.notes).toContain('1 other tag in the repository points at other content.');
    expect(g.notes).toContain('1 tag was not resolved (this view resolves at most 2).');
  });

  it('limits the depth of referrers of referrers', async () => {
    const { store, image, sbomSig } = await signedImage(true);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, image, { ...noDecode, maxDepth: 1 });
    expect(g.nodes.some((n) => n.id === sbomSig.manifest.digest)).toBe(false);
  });

  it('throws the typed registry error when the artifact itself is missing or altered', async () => {
    const store = new ScriptedStore({ api: true });
    const image = await store.image('v1');
    const { repo } = store.client();
    await expect(buildObjectGraph(repo, 'nope', noDecode)).rejects.toMatchObject({ code: 'ERR_REGISTRY_MANIFEST_UNKNOWN' });
    store.corrupt.add(image.digest);
    await expect(buildObjectGraph(repo, image, noDecode)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    await expect(buildObjectGraph(repo, { ...image, digest: 'sha256:zz' }, noDecode)).rejects.toMatchObject({ code: 'ERR_DIGEST_INVALID' });
  });

  it('keeps an envelope it cannot decode, with the reason', async () => {
    const { store, sig, image } = await signedImage(true);
    const { repo } = store.client();
    const g = await buildObjectGraph(repo, image);
    expect(node(g, sig.envelope.digest).envelope).toBeUndefined();
    expect(node(g, sig.envelope.digest).error).toMatch(/COSE|CBOR|envelope/i);
  });

  it('tags reads with the given step runner, and exports as JSON', async () => {
    const { store, image } = await signedImage(false);
    const { repo } = store.client();
    const labels: string[] = [];
    const g = await buildObjectGraph(repo, image, { ...noDecode, step: (label, fn) => (labels.push(label), fn()) });
    expect(labels[0]).toBe('Read the artifact manifest');
    expect(labels).toContain(`List referrers of ${image.digest.slice(0, 19)}…`);
    expect(labels[labels.length - 1]).toBe('Resolve tag v1');
    expect(JSON.parse(formatObjectGraph(g))).toEqual(JSON.parse(JSON.stringify(g)));
  });
});
