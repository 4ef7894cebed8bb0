/**
 * The object graph against REAL registries, cross-checked with the registry's own API (plain
 * fetch, not Signet's client): olareg v0.1.2 (Referrers API) and distribution v3.1.1 with htpasswd
 * auth (no Referrers API → `sha256-<hex>` tag index). Images are signed with Signet's signAndPush
 * and a test PKI; an SBOM and a signature of the SBOM make a referrer of a referrer.
 * Then: signing once more shows, before/after, exactly the objects the registry gained.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAround } from '../../../src/lib/app/behind-the-scenes/diff';
import { buildObjectGraph, type ObjectGraph } from '../../../src/lib/app/behind-the-scenes/objects';
import { signAndPush } from '../../../src/lib/app/signatures';
import { EMPTY_JSON, MediaType } from '../../../src/lib/oci/media-types';
import { staticCredentials } from '../../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { pushReferrer } from '../../../src/lib/registry/referrers-index';
import type { Repository } from '../../../src/lib/registry/repository';
import { chainSigner } from '../../helpers/pki-signer';
import { startDistribution, startOlareg, TEST_USERS, type RunningRegistry } from '../../helpers/registries';
import { buildImage, buildReferrer, pushImage } from '../registry/images';
import { RawApi } from './registry-contents';

const PUSH = { settleMs: 300, maxReadAgeMs: 100 };
const ALICE = { username: 'alice', password: TEST_USERS.alice.password };

let olareg: RunningRegistry;
let distribution: RunningRegistry;
let signer: Awaited<ReturnType<typeof chainSigner>>;
beforeAll(async () => {
  [olareg, distribution, signer] = await Promise.all([startOlareg(), startDistribution({ auth: { htpasswd: ['alice'] } }), chainSigner('EC-256')]);
});
afterAll(async () => {
  await Promise.all([olareg?.stop(), distribution?.stop()]);
});

const setups = () =>
  [
    { name: 'olareg (Referrers API)', reg: () => olareg, via: 'referrers-api' as const, auth: undefined },
    { name: 'distribution (htpasswd, tag index)', reg: () => distribution, via: 'tag-schema' as const, auth: ALICE }
  ] as const;

function clientFor(reg: RunningRegistry, auth: typeof ALICE | undefined) {
  return createRegistryClient({
    fetch: globalThis.fetch,
    cache: true,
    ...(auth ? { credentials: staticCredentials({ [reg.host]: auth }) } : {})
  });
}

const edgeSet = (g: ObjectGraph) => new Set(g.edges.map((e) => `${e.from} -${e.relation}-> ${e.to}`));
const sorted = (s: Iterable<string>) => [...s].sort();

/** An image tagged v1, signed in COSE and JWS, with an SBOM that is signed too. */
async function populate(repo: Repository) {
  const image = await buildImage({ layerSize: 2048 });
  const descriptor = await pushImage(repo, image, 'v1');
  const cose = await signAndPush(repo, descriptor, signer, { format: 'cose', push: PUSH });
  const jws = await signAndPush(repo, descriptor, signer, { format: 'jws', push: PUSH });
  const sbom = await buildReferrer(descriptor, 'sbom');
  const sbomPushed = await pushReferrer(repo, { manifest: sbom.manifest, mediaType: MediaType.ociManifest, blobs: sbom.blobs }, PUSH);
  const sbomSig = await signAndPush(repo, sbomPushed.descriptor, signer, { format: 'cose', push: PUSH });
  return { descriptor, signatures: [cose, jws], sbom: sbomPushed.descriptor, sbomSig };
}

describe.each(setups())('object graph on $name', ({ reg, via, auth }) => {
  it('has exactly the objects and relations the registry holds, with raw JSON and decoded envelopes', async () => {
    const r = reg();
    const repoName = 'bts/signed';
    const client = clientFor(r, auth);
    const repo = client.repository(`${r.host}/${repoName}`);
    const { descriptor, signatures, sbom, sbomSig } = await populate(repo);

    const graph = await buildObjectGraph(client.repository(`${r.host}/${repoName}`), 'v1', { tag: 'v1' });
    const raw = new RawApi(r, repoName, auth);
    const holds = await raw.contents(descriptor.digest, via);

    expect(graph.root).toBe(descriptor.digest);
    expect(graph.referrersVia).toBe(via);
    expect(graph.truncated).toBe(false);
    expect(graph.notes).toEqual([]);
    // Exactly the registry's objects and relations: nothing missing, nothing invented.
    expect(sorted(graph.nodes.map((n) => n.id))).toEqual(sorted(holds.nodes));
    expect(sorted(edgeSet(graph))).toEqual(sorted(holds.edges));
    // Every tag of the repository is in the graph (they all point into it here).
    expect(sorted(graph.nodes.filter((n) => n.kind === 'tag').map((n) => n.tag!))).toEqual(holds.tags);
    expect(holds.tags).toEqual(via === 'tag-schema' ? sorted(['v1', descriptor.digest.replace(':', '-'), sbom.digest.replace(':', '-')]) : ['v1']);
    // The referrers the registry lists for each subject.
    const referrersOf = (digest: string) => sorted(graph.edges.filter((e) => e.relation === 'subject' && e.to === digest).map((e) => e.from));
    for (const [subject, listed] of holds.referrers) expect(referrersOf(subject), subject).toEqual(sorted(listed));
    expect(referrersOf(descriptor.digest)).toEqual(sorted([...signatures.map((s) => s.pushed.descriptor.digest), sbom.digest]));
    expect(referrersOf(sbom.digest)).toEqual([sbomSig.pushed.descriptor.digest]);
    // The tag index on distribution: the tag, the index, and an edge to each entry.
    for (const [subject, index] of holds.tagIndexes) {
      const node = graph.nodes.find((n) => n.id === index)!;
      expect(node.role).toBe('referrers-tag-index');
      expect(graph.nodes.find((n) => n.id === `tag:${subject.replace(':', '-')}`)?.target).toBe(index);
    }
    expect(holds.tagIndexes.size).toBe(via === 'tag-schema' ? 2 : 0);

    for (const n of graph.nodes) {
      if (n.kind === 'manifest' || n.kind === 'index') {
        // Raw JSON is the stored bytes, byte for byte, and the size is theirs.
        expect(n.raw, n.id).toBe(holds.manifests.get(n.id));
        expect(n.size, n.id).toBe(new TextEncoder().encode(holds.manifests.get(n.id)).length);
      } else if (n.kind === 'blob') {
        expect(n.size, n.id).toBe(holds.blobs.get(n.id));
      }
    }
    // Roles and envelopes.
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get(descriptor.digest)?.role).toBe('artifact');
    expect(byId.get(sbom.digest)?.role).toBe('referrer');
    expect(byId.get(EMPTY_JSON.digest)?.role).toBe('config');
    for (const s of [...signatures, sbomSig]) {
      const manifest = byId.get(s.pushed.descriptor.digest)!;
      expect(manifest.role).toBe('signature');
      const layer = graph.edges.find((e) => e.from === manifest.id && e.relation === 'layer')!;
      const envelope = byId.get(layer.to)!;
      expect(envelope.role).toBe('envelope');
      expect(envelope.mediaType).toBe(s.signed.envelopeMediaType);
      expect(envelope.envelope?.digest).toBe(manifest.id);
      expect(envelope.envelope?.signedArtifact.digest).toBe(s === sbomSig ? sbom.digest : descriptor.digest);
      expect(envelope.envelope?.certificates.map((c) => c.SHA256Fingerprint)).toHaveLength(signer.certificateChain.length);
    }
  });

  it('a signing adds exactly what the registry gained: envelope, signature manifest, and on distribution the new tag index', async () => {
    const r = reg();
    const repoName = 'bts/resign';
    const client = clientFor(r, auth);
    const repo = client.repository(`${r.host}/${repoName}`);
    const descriptor = await pushImage(repo, await buildImage(), 'v1');
    const raw = new RawApi(r, repoName, auth);

    // First signing on an unsigned image: the empty config blob is new too.
    const first = await compareAround(
      () => buildObjectGraph(repo, descriptor),
      () => signAndPush(repo, descriptor, signer, { format: 'cose', push: PUSH })
    );
    const afterFirst = await raw.contents(descriptor.digest, via);
    const manifest1 = first.result.pushed.descriptor.digest;
    const envelope1 = first.after.edges.find((e) => e.from === manifest1 && e.relation === 'layer')!.to;
    const tagIndex1 = afterFirst.tagIndexes.get(descriptor.digest);
    const referrersTagId = `tag:${descriptor.digest.replace(':', '-')}`;
    expect(sorted(first.diff.added.map((n) => n.id))).toEqual(
      sorted([manifest1, envelope1, EMPTY_JSON.digest, ...(via === 'tag-schema' ? [tagIndex1!, referrersTagId] : [])])
    );
    expect(first.diff.removed).toEqual([]);
    expect(first.diff.moved).toEqual([]);
    expect(sorted(first.after.nodes.map((n) => n.id))).toEqual(sorted(afterFirst.nodes));

    // Second signing: the config blob is shared, so only the envelope and manifest are new; the
    // tag index is replaced (the tag moves, the old index is deleted as notation does).
    const before = await raw.contents(descriptor.digest, via);
    const second = await compareAround(
      () => buildObjectGraph(repo, descriptor),
      () => signAndPush(repo, descriptor, signer, { format: 'jws', push: PUSH })
    );
    const after = await raw.contents(descriptor.digest, via);
    const gained = sorted([...after.nodes].filter((id) => !before.nodes.has(id)));
    const lost = sorted([...before.nodes].filter((id) => !after.nodes.has(id)));
    expect(sorted(second.diff.added.map((n) => n.id))).toEqual(gained);
    expect(sorted(second.diff.removed.map((n) => n.id))).toEqual(lost);
    const manifest2 = second.result.pushed.descriptor.digest;
    const labels = second.diff.changes.map((c) => `${c.kind}: ${c.label}`).sort();
    if (via === 'tag-schema') {
      const tagIndex2 = after.tagIndexes.get(descriptor.digest)!;
      expect(gained).toEqual(sorted([manifest2, second.after.edges.find((e) => e.from === manifest2 && e.relation === 'layer')!.to, tagIndex2]));
      expect(lost).toEqual([tagIndex1!]);
      expect(second.diff.moved.map((m) => [m.tag, m.from, m.to])).toEqual([[descriptor.digest.replace(':', '-'), tagIndex1, tagIndex2]]);
      expect(second.result.pushed.tagIndex?.deleted).toEqual([tagIndex1]);
      expect(labels).toEqual([
        'added: referrers tag index',
        'added: signature envelope (JWS)',
        'added: signature manifest',
        `moved: referrers tag ${descriptor.digest.replace(':', '-')}`,
        'removed: referrers tag index'
      ]);
    } else {
      expect(gained).toHaveLength(2);
      expect(lost).toEqual([]);
      expect(labels).toEqual(['added: signature envelope (JWS)', 'added: signature manifest']);
    }
  });
});
