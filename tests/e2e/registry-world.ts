/**
 * The world the web-app e2e tests run in, all real and all on loopback:
 *  - the built app (a copy of build/ plus a signet.config.json that presets the proxy, as a
 *    deployment that runs the proxy next to the app would), served by the harness;
 *  - distribution v3.1.1 with htpasswd auth (no Referrers API → tag index) and olareg v0.1.2
 *    (Referrers API), both reached by the page THROUGH the real cors-proxy CLI (child process,
 *    allowlisting exactly those registries, loopback allowed by configuration);
 *  - a second olareg that the proxy is NOT configured for, to show the CORS refusal;
 *  - images signed with Signet's signAndPush and a test PKI (a trusted chain and a stranger's),
 *    an SBOM referrer, a multi-platform index.
 * Node only.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright';
import { signAndPush } from '../../src/lib/app/signatures';
import type { TrustMaterialData } from '../../src/lib/app/trust-storage';
import { TRUST_DATABASE_NAME, TRUST_OBJECT_STORE_NAME, TRUST_RECORD_KEY } from '../../src/lib/app/trust-storage';
import { utf8Encode } from '../../src/lib/bytes';
import type { Descriptor } from '../../src/lib/oci/descriptor';
import { computeDigest } from '../../src/lib/oci/digest';
import { MediaType } from '../../src/lib/oci/media-types';
import { staticCredentials } from '../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../src/lib/registry/client';
import { pushReferrer } from '../../src/lib/registry/referrers-index';
import type { Repository } from '../../src/lib/registry/repository';
import type { Signer } from '../../src/lib/notary/ports';
import { buildImage, buildReferrer, pushImage } from '../integration/registry/images';
import { chainSigner } from '../helpers/pki-signer';
import { startProxyProcess, type ProxyProcess } from '../helpers/proxy-peers';
import { startStaticServer, type StaticServer } from '../helpers/static-server';
import { toPem } from '../helpers/test-pki';
import { startDistribution, startOlareg, TEST_USERS, type RunningRegistry } from '../helpers/registries';
import { startApp, type E2eApp } from './harness';
import { buildDir } from './paths';

/** Fast tag-index settling: the tests push one referrer at a time. */
const PUSH = { settleMs: 300, maxReadAgeMs: 100 };

export const TRUST_STORE_NAME = 'e2e-roots';
export const POLICY_NAME = 'e2e-strict';

export interface SignedArtifact {
  /** host/repository:tag as a person would paste it. */
  reference: string;
  repository: string;
  descriptor: Descriptor;
  signatureDigests: string[];
}

export interface World {
  app: E2eApp;
  /**
   * A second deployment of the same build, as `npm start` serves it: no signet.config.json, but a
   * signet-demo.json (scripts/start.ts's format) with the proxy and the trust material for `web`.
   */
  demoSite: StaticServer;
  proxy: ProxyProcess;
  distribution: RunningRegistry;
  olareg: RunningRegistry;
  unlisted: RunningRegistry;
  trusted: Signer & { pki: { root: { der: Uint8Array }; leaf: { der: Uint8Array } } };
  stranger: Signer & { pki: { root: { der: Uint8Array } } };
  /** On distribution (auth, tag index): COSE + JWS signatures by the trusted signer, an SBOM. */
  app1: SignedArtifact & { sbomDigest: string };
  /** On olareg (no auth, Referrers API): signed by the trusted signer, with an SBOM. */
  web: SignedArtifact;
  /** On olareg: a two-platform index; linux/arm64 is signed by the trusted signer. */
  multi: SignedArtifact & { arm64: Descriptor; amd64: Descriptor };
  /** On olareg: signed only by the stranger (fails authenticity). */
  untrusted: SignedArtifact;
  /** On the unlisted olareg (no proxy route → CORS refusal). */
  direct: SignedArtifact;
  /** Trust material trusting the trusted root, for seeding IndexedDB. */
  material: TrustMaterialData;
  stop(): Promise<void>;
}

async function sign(repo: Repository, target: Descriptor, signer: Signer, format: 'cose' | 'jws'): Promise<string> {
  const { pushed } = await signAndPush(repo, target, signer, { format, push: PUSH });
  return pushed.descriptor.digest;
}

async function pushIndex(repo: Repository, tag: string): Promise<{ index: Descriptor; amd64: Descriptor; arm64: Descriptor }> {
  const amd = await buildImage();
  const arm = await buildImage();
  const amd64 = await pushImage(repo, amd);
  const arm64 = await pushImage(repo, arm);
  const bytes = utf8Encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { ...amd64, platform: { architecture: 'amd64', os: 'linux' } },
        { ...arm64, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }
      ]
    })
  );
  const pushed = await repo.pushManifest(bytes, { mediaType: MediaType.ociIndex, reference: tag });
  return { index: pushed.descriptor, amd64, arm64 };
}

export function trustPolicyJson(storeName = TRUST_STORE_NAME): string {
  return JSON.stringify({
    version: '1.0',
    trustPolicies: [
      {
        name: POLICY_NAME,
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: [`ca:${storeName}`],
        trustedIdentities: ['*']
      }
    ]
  });
}

export async function startWorld(): Promise<World> {
  // The app root: build/ plus the deployment config (written once the proxy's URL is known).
  const root = await mkdtemp(path.join(tmpdir(), 'signet-e2e-app-'));
  const demoRoot = await mkdtemp(path.join(tmpdir(), 'signet-e2e-demo-'));
  await Promise.all([cp(buildDir, root, { recursive: true }), cp(buildDir, demoRoot, { recursive: true })]);
  const [app, demoSite, distribution, olareg, unlisted, trusted, stranger] = await Promise.all([
    startApp({ root }),
    startStaticServer({ root: demoRoot }),
    startDistribution({ auth: { htpasswd: ['alice'] } }),
    startOlareg(),
    startOlareg(),
    chainSigner('EC-256'),
    chainSigner('EC-256', { root: { subject: 'CN=Stranger Root, O=Elsewhere, C=US' }, leaf: { subject: 'CN=Stranger, O=Elsewhere, C=US' } })
  ]);
  let proxy: ProxyProcess | undefined;
  try {
    proxy = await startProxyProcess({
      allowedOrigins: [app.baseUrl, demoSite.url],
      registries: [distribution.url, olareg.url],
      allowAddressRanges: ['127.0.0.0/8']
    });
    await writeFile(
      path.join(root, 'signet.config.json'),
      JSON.stringify({ proxy: { url: proxy.url, scope: 'listed', registries: [distribution.host, olareg.host] } })
    );

    // Content, pushed from Node straight to the registries.
    const client = createRegistryClient({
      fetch: globalThis.fetch,
      credentials: staticCredentials({ [distribution.host]: { username: 'alice', password: TEST_USERS.alice.password } })
    });
    const distRepo = client.repository(`${distribution.host}/e2e/app`);
    const image = await buildImage({ layerSize: 4096 });
    const appDescriptor = await pushImage(distRepo, image, 'v1');
    const sigCose = await sign(distRepo, appDescriptor, trusted, 'cose');
    const sigJws = await sign(distRepo, appDescriptor, trusted, 'jws');
    const sbom = await buildReferrer(appDescriptor, 'sbom');
    const sbomPushed = await pushReferrer(distRepo, { manifest: sbom.manifest, mediaType: MediaType.ociManifest, blobs: sbom.blobs }, PUSH);

    const webRepo = client.repository(`${olareg.host}/e2e/web`);
    const webDescriptor = await pushImage(webRepo, await buildImage({ layerSize: 2048 }), 'v1');
    const webSig = await sign(webRepo, webDescriptor, trusted, 'jws');
    const webSbom = await buildReferrer(webDescriptor, 'sbom');
    await pushReferrer(webRepo, { manifest: webSbom.manifest, mediaType: MediaType.ociManifest, blobs: webSbom.blobs }, PUSH);

    const olaRepo = client.repository(`${olareg.host}/e2e/multi`);
    const multi = await pushIndex(olaRepo, 'v2');
    const armSig = await sign(olaRepo, multi.arm64, trusted, 'cose');

    const badRepo = client.repository(`${olareg.host}/e2e/untrusted`);
    const badDescriptor = await pushImage(badRepo, await buildImage(), 'v1');
    const badSig = await sign(badRepo, badDescriptor, stranger, 'cose');

    const directRepo = client.repository(`${unlisted.host}/e2e/direct`);
    const directDescriptor = await pushImage(directRepo, await buildImage(), 'v1');
    const directSig = await sign(directRepo, directDescriptor, trusted, 'cose');

    await writeFile(
      path.join(demoRoot, 'signet-demo.json'),
      JSON.stringify({
        reference: `${olareg.host}/e2e/web@${webDescriptor.digest}`,
        proxy: proxy.url,
        trustPolicy: JSON.parse(trustPolicyJson('signet-demo')),
        trustStores: [{ type: 'ca', name: 'signet-demo', files: [{ name: 'signet-demo.crt', pem: toPem(trusted.pki.root.der) }] }]
      })
    );

    const material: TrustMaterialData = {
      schema: 1,
      policy: trustPolicyJson(),
      stores: [{ type: 'ca', name: TRUST_STORE_NAME, files: [{ name: 'e2e-root.crt', bytes: trusted.pki.root.der }] }],
      updatedAt: new Date().toISOString()
    };

    const p = proxy;
    return {
      app,
      demoSite,
      proxy: p,
      distribution,
      olareg,
      unlisted,
      trusted,
      stranger,
      app1: {
        reference: `${distribution.host}/e2e/app:v1`,
        repository: `${distribution.host}/e2e/app`,
        descriptor: appDescriptor,
        signatureDigests: [sigCose, sigJws],
        sbomDigest: sbomPushed.descriptor.digest
      },
      web: { reference: `${olareg.host}/e2e/web:v1`, repository: `${olareg.host}/e2e/web`, descriptor: webDescriptor, signatureDigests: [webSig] },
      multi: {
        reference: `${olareg.host}/e2e/multi:v2`,
        repository: `${olareg.host}/e2e/multi`,
        descriptor: multi.index,
        signatureDigests: [armSig],
        arm64: multi.arm64,
        amd64: multi.amd64
      },
      untrusted: { reference: `${olareg.host}/e2e/untrusted:v1`, repository: `${olareg.host}/e2e/untrusted`, descriptor: badDescriptor, signatureDigests: [badSig] },
      direct: { reference: `${unlisted.host}/e2e/direct:v1`, repository: `${unlisted.host}/e2e/direct`, descriptor: directDescriptor, signatureDigests: [directSig] },
      material,
      async stop() {
        await app.close();
        await demoSite.close();
        await p.stop();
        await Promise.all([distribution.stop(), olareg.stop(), unlisted.stop()]);
        await Promise.all([rm(root, { recursive: true, force: true }), rm(demoRoot, { recursive: true, force: true })]);
      }
    };
  } catch (e) {
    await proxy?.stop();
    await app.close();
    await demoSite.close();
    await Promise.all([distribution.stop(), olareg.stop(), unlisted.stop()]);
    await Promise.all([rm(root, { recursive: true, force: true }), rm(demoRoot, { recursive: true, force: true })]);
    throw e;
  }
}

/**
 * Writes trust material into the page origin's IndexedDB with the raw IndexedDB API, in the
 * record layout src/lib/app/trust-storage.ts documents (database, object store, key) — the way
 * the Trust page will store an import. The page must already be on the app's origin.
 */
export async function seedTrustMaterial(page: Page, material: TrustMaterialData): Promise<void> {
  const plain = { ...material, stores: material.stores.map((s) => ({ ...s, files: s.files.map((f) => ({ name: f.name, bytes: [...f.bytes] })) })) };
  await page.evaluate(
    async ({ db, store, key, record }) => {
      const open = indexedDB.open(db);
      open.onupgradeneeded = () => open.result.createObjectStore(store);
      const conn = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const value = { ...record, stores: record.stores.map((s) => ({ ...s, files: s.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })) })) };
      await new Promise<void>((resolve, reject) => {
        const tx = conn.transaction(store, 'readwrite');
        tx.objectStore(store).put(value, key);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      conn.close();
    },
    { db: TRUST_DATABASE_NAME, store: TRUST_OBJECT_STORE_NAME, key: TRUST_RECORD_KEY, record: plain }
  );
}

/** The sha256 digest a blob would be signed under (for file-signature tests). */
export async function blobDescriptor(bytes: Uint8Array): Promise<Descriptor> {
  return { mediaType: 'application/octet-stream', digest: await computeDigest(bytes), size: bytes.length };
}
