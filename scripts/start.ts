/**
 * `npm start`: Signet on this machine with nothing else to set up. It starts
 *   - a local registry (olareg, with the Referrers API) holding a demo image signed by Signet,
 *   - the CORS proxy, allowed to reach that registry only (loopback opened for the demo),
 *   - the built app, which on first visit loads the demo's trust material from /signet-demo.json,
 * and prints the URL. Everything is local; nothing is fetched from the network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { base64Encode, utf8Encode } from '../src/lib/bytes';
import { signAndPush } from '../src/lib/app/signatures';
import { createSelfSignedCertificate, notationTestSubject, certificatesToPem } from '../src/lib/keys/certificates';
import { generateSigningKeyPair } from '../src/lib/keys/generate';
import { createWebCryptoSigner } from '../src/lib/keys/webcrypto-signer';
import { computeDigest } from '../src/lib/oci/digest';
import { EMPTY_JSON, MediaType } from '../src/lib/oci/media-types';
import { createRegistryClient } from '../src/lib/registry/client';
import { pushReferrer } from '../src/lib/registry/referrers-index';
import { parseProxyConfig } from '../cors-proxy/src/config';
import { startProxy } from '../cors-proxy/src/node';
import { ensureAppBuilt } from './lib/build-app';
import { startStaticServer } from './lib/static-server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demoDir = path.join(root, '.tools', 'demo');
const log = (line: string) => process.stderr.write(`[signet] ${line}\n`);

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const tools = spawnSync('bash', [path.join(root, 'scripts', 'install-tools'), 'olareg'], { stdio: 'inherit' });
  if (tools.status !== 0) throw new Error('scripts/install-tools olareg failed (it needs the Go toolchain)');

  // 1. The registry, fresh each start so the demo is always the same story.
  await rm(demoDir, { recursive: true, force: true });
  await mkdir(demoDir, { recursive: true });
  const registryPort = await freePort(5001);
  const olareg = spawn(path.join(root, '.tools', 'bin', 'olareg'), ['serve', '--addr', '127.0.0.1', '--port', String(registryPort), '--dir', path.join(demoDir, 'registry'), '--gc-frequency', '-1s'], {
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const registryHost = `127.0.0.1:${registryPort}`;
  await waitFor(`http://${registryHost}/v2/`, 15_000);

  // 2. The demo artifact: a tiny image, signed by Signet with a fresh test certificate, plus an
  //    unsigned "SBOM" referrer so the referrer tree shows more than signatures.
  const repository = `${registryHost}/demo/hello-signet`;
  const repo = createRegistryClient({ fetch: globalThis.fetch }).repository(repository);
  const config = utf8Encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = utf8Encode('hello from the Signet demo\n');
  const configDesc = await repo.pushBlob(config, { mediaType: 'application/vnd.oci.image.config.v1+json' });
  const layerDesc = await repo.pushBlob(layer, { mediaType: 'application/vnd.oci.image.layer.v1.tar' });
  const manifest = utf8Encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { ...configDesc, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [{ ...layerDesc, mediaType: 'application/vnd.oci.image.layer.v1.tar' }] }));
  const { descriptor: target } = await repo.pushManifest(manifest, { mediaType: MediaType.ociManifest, reference: 'v1' });

  const keys = await generateSigningKeyPair('EC-256');
  const subject = notationTestSubject('signet-demo');
  const cert = await createSelfSignedCertificate(keys, { subject, validityDays: 30 });
  const signer = createWebCryptoSigner({ name: 'signet-demo', keySpec: keys.keySpec, privateKey: keys.privateKey, certificateChain: [cert] });
  await signAndPush(repo, target, signer, { format: 'cose', expirySeconds: 30 * 86400, userMetadata: { 'io.signet.demo': 'true' }, signingAgent: 'Signet/demo' });

  const sbom = utf8Encode(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'hello-signet', packages: [] }));
  const sbomManifest = utf8Encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: 'application/spdx+json',
      config: { mediaType: MediaType.ociEmpty, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size },
      layers: [{ mediaType: 'application/spdx+json', digest: await computeDigest(sbom), size: sbom.length }],
      subject: target
    })
  );
  await pushReferrer(repo, { manifest: sbomManifest, blobs: [sbom, EMPTY_JSON.bytes] });
  const reference = `${repository}@${target.digest}`;

  // 3. The app, built if stale, served with its CSP; the proxy allows the app's origin only.
  ensureAppBuilt(log);
  const site = path.join(demoDir, 'site');
  await cp(path.join(root, 'build'), site, { recursive: true });
  const appPort = await freePort(5173);
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const proxy = await startProxy(
    parseProxyConfig({
      listen: { host: '127.0.0.1', port: 0 },
      allowedOrigins: [appOrigin],
      registries: [`http://${registryHost}`],
      allowAddressRanges: ['127.0.0.0/8']
    }),
    { log: () => undefined }
  );
  const trustPolicy = {
    version: '1.0',
    trustPolicies: [
      {
        name: 'signet-demo',
        registryScopes: [repository],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:signet-demo'],
        trustedIdentities: ['x509.subject: CN=signet-demo,O=Notary,L=Seattle,ST=WA,C=US']
      }
    ]
  };
  await writeFile(
    path.join(site, 'signet-demo.json'),
    JSON.stringify(
      {
        reference,
        proxy: proxy.url,
        trustPolicy,
        trustStores: [{ type: 'ca', name: 'signet-demo', files: [{ name: 'signet-demo.crt', pem: certificatesToPem([cert]) }] }],
        certificateBase64: base64Encode(cert)
      },
      null,
      2
    )
  );
  const app = await startStaticServer({ root: site, port: appPort });

  log(`registry  http://${registryHost} (olareg, demo image ${repository}:v1)`);
  log(`proxy     ${proxy.url} (allows ${appOrigin} → ${registryHost} only)`);
  process.stdout.write(`\nSignet is running: ${app.url}/?ref=${encodeURIComponent(reference)}\n\nPress Ctrl-C to stop.\n`);

  const stop = async () => {
    await app.close();
    await proxy.close();
    olareg.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`[signet] could not start: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
