/**
 * Registry fixtures for the end-to-end sections: a real registry (olareg with the Referrers API,
 * or distribution with the tag fallback) behind a counting proxy, and images carrying 1, 10 and
 * 100 signatures pushed with Signet's `signAndPush`. In every image all signatures but the last
 * are made by an "other" signer whose root is not in the trust store the "last passes" policy
 * uses, so a verifier must examine every one of them; the "first passes" policy trusts that other
 * root too, so the first signature listed already passes.
 */
import type { KeySpec } from '../../src/lib/notary/algorithms';
import type { TrustPolicyDocument } from '../../src/lib/notary/policy/types';
import { trustStoreSet, type TrustStoreSet } from '../../src/lib/notary/verify/trust-stores';
import { parseCertificate } from '../../src/lib/notary/x509/certificate';
import { listSignatures, signAndPush } from '../../src/lib/app/signatures';
import type { Descriptor } from '../../src/lib/oci/descriptor';
import { createRegistryClient } from '../../src/lib/registry/client';
import { addToReferrersIndex } from '../../src/lib/registry/referrers-index';
import { NotationHome } from '../../tests/helpers/notation';
import { toPem } from '../../tests/helpers/pem';
import { chainSigner } from '../../tests/helpers/pki-signer';
import { startDistribution, startOlareg, type RunningRegistry } from '../../tests/helpers/registries';
import { buildImage, pushImage } from '../../tests/integration/registry/images';
import { startCountingProxy, type CountingProxy } from './counting-proxy';

export type RegistryKind = 'olareg' | 'distribution';

export type Signers = { trusted: Awaited<ReturnType<typeof chainSigner>>; other: Awaited<ReturnType<typeof chainSigner>> };

/** The two signers: `trusted` (root in ca:trusted) and `other` (its own root, in ca:other). */
export async function createSigners(keySpec: KeySpec): Promise<Signers> {
  const trusted = await chainSigner(keySpec);
  const other = await chainSigner(keySpec, {
    root: { subject: 'CN=Other Root, O=Elsewhere, L=Oslo, ST=Oslo, C=NO', keySlot: 9 },
    leaf: { subject: 'CN=Other Leaf, O=Elsewhere, L=Oslo, ST=Oslo, C=NO', keySlot: 8 }
  });
  return { trusted, other };
}

export type PolicyCase = 'lastPasses' | 'firstPasses';

/** The one trust policy both Signet and notation get: strict, any scope, one CA store. */
export function trustPolicy(which: PolicyCase): TrustPolicyDocument {
  return {
    version: '1.0',
    trustPolicies: [
      {
        name: 'bench',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        // "first passes" trusts both roots, so whichever signature is listed first passes.
        trustStores: which === 'lastPasses' ? ['ca:trusted'] : ['ca:trusted', 'ca:other'],
        trustedIdentities: ['*']
      }
    ]
  };
}

export async function signetTrustStores(signers: Signers): Promise<TrustStoreSet> {
  return trustStoreSet(
    new Map([
      ['ca:trusted', [await parseCertificate(signers.trusted.pki.root.der)]],
      ['ca:other', [await parseCertificate(signers.other.pki.root.der)]]
    ])
  );
}

/** A notation home with both CA stores (policy written per case). */
export async function notationHomeFor(signers: Signers): Promise<NotationHome> {
  const home = await NotationHome.create();
  await home.addTrustStoreCertificates('ca', 'trusted', [{ name: 'root.pem', data: toPem(signers.trusted.pki.root.der, 'CERTIFICATE') }]);
  await home.addTrustStoreCertificates('ca', 'other', [{ name: 'root.pem', data: toPem(signers.other.pki.root.der, 'CERTIFICATE') }]);
  return home;
}

export interface SignedImage {
  signatures: number;
  /** `<proxy host>/<repository>`: what clients are given. */
  repository: string;
  target: Descriptor;
  /** `<repository>@<digest>` */
  reference: string;
  trustedSignature: string;
}

export interface RegistryFixture {
  kind: RegistryKind;
  registry: RunningRegistry;
  proxy: CountingProxy;
  images: SignedImage[];
  close(): Promise<void>;
}

export async function startRegistry(kind: RegistryKind): Promise<RunningRegistry> {
  return kind === 'olareg' ? startOlareg() : startDistribution();
}

/**
 * Starts `kind` behind a counting proxy and pushes one image per entry of `sizes`, each with that
 * many signatures (the trusted one last), straight to the registry (setup is not counted).
 */
export async function createRegistryFixture(kind: RegistryKind, sizes: readonly number[], signers: Signers, log: (s: string) => void): Promise<RegistryFixture> {
  const registry = await startRegistry(kind);
  let proxy: CountingProxy | undefined;
  try {
    proxy = await startCountingProxy(registry.host);
    const direct = createRegistryClient({ fetch: globalThis.fetch });
    const images: SignedImage[] = [];
    for (const n of sizes) {
      const path = `bench/verify-${n}`;
      const repo = direct.repository(`${registry.host}/${path}`);
      const image = await buildImage();
      const target = await pushImage(repo, image);
      const entries: Descriptor[] = [];
      let trustedSignature = '';
      for (let i = 0; i < n; i++) {
        const last = i === n - 1;
        // The registry indexes subjects itself (olareg) or gets one tag index write at the end
        // (distribution), so setup does not pay the index settle window per signature.
        const { pushed } = await signAndPush(repo, target, last ? signers.trusted : signers.other, { format: 'cose', push: { tagIndex: 'never' } });
        entries.push(pushed.entry);
        if (last) trustedSignature = pushed.descriptor.digest;
      }
      if (kind === 'distribution') await addToReferrersIndex(repo, target.digest, entries, { settleMs: 100, maxReadAgeMs: 50 });
      const listing = await listSignatures(repo, target);
      const digests = listing.referrers.map((d) => d.digest);
      if (digests.length !== n || digests[n - 1] !== trustedSignature) {
        throw new Error(`${kind}: expected ${n} signatures with the trusted one last, the registry lists ${digests.length} (trusted at ${digests.indexOf(trustedSignature)})`);
      }
      const repository = `${proxy.host}/${path}`;
      images.push({ signatures: n, repository, target, reference: `${repository}@${target.digest}`, trustedSignature });
      log(`${kind}: ${n} signature(s) on ${path} (listed via ${listing.via})`);
    }
    const p = proxy;
    return {
      kind,
      registry,
      proxy: p,
      images,
      close: async () => {
        await p.close();
        await registry.stop();
      }
    };
  } catch (e) {
    await proxy?.close();
    await registry.stop();
    throw e;
  }
}
