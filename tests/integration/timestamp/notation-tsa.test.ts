// RFC 3161 with real peers on loopback: an openssl TSA (tests/helpers/tsa-server.ts), the notation
// v1.3.2 CLI and the olareg registry (Referrers API).
//  1. Signet asks the openssl TSA for a token over HTTP; openssl's own `ts -verify` accepts the
//     exchange and Signet verifies the token.
//  2. notation signs with `--timestamp-url`; Signet verifies the token notation stored, and
//     describeTimestamp prints exactly what `notation inspect` prints (JSON and tree).
//  3. Signet signs and timestamps; `notation verify` accepts the result with a tsa trust store,
//     and with the wrong TSA root both report the same error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArrayBuffer } from '../../../src/lib/bytes';
import { algorithmByKeySpec, signParams } from '../../../src/lib/notary/algorithms';
import { decodeEnvelope } from '../../../src/lib/notary/envelope';
import type { Signer } from '../../../src/lib/notary/ports';
import { signArtifact } from '../../../src/lib/notary/sign/sign-artifact';
import {
  TimestampError,
  buildTimestampRequest,
  describeTimestamp,
  parseTimestampResponse,
  parseTimestampToken,
  requestTimestamp,
  timestampBoundedAfter,
  timestampBoundedBefore,
  verifyTimestampForSignature,
  verifyTimestampToken,
  type Timestamper
} from '../../../src/lib/notary/timestamp';
import { parseCertificate } from '../../../src/lib/notary/x509/certificate';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { NotationHome } from '../../helpers/notation';
import { startOlareg, type RunningRegistry } from '../../helpers/registries';
import { pemToDer, startTsaServer, verifyTimestampReply, type TsaServer } from '../../helpers/tsa-server';

const PS256 = algorithmByKeySpec('RSA-2048');

/** The Timestamper port as the app implements it: HTTP POST with RFC 3161's media types. */
function httpTimestamper(url: string, seen?: { request?: Uint8Array; reply?: Uint8Array }): Timestamper {
  return async (request) => {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query' }, body: toArrayBuffer(request) });
    if (response.status !== 200) throw new Error(`TSA answered HTTP ${response.status}`);
    expect(response.headers.get('content-type')).toBe('application/timestamp-reply');
    const reply = new Uint8Array(await response.arrayBuffer());
    if (seen) Object.assign(seen, { request, reply });
    return reply;
  };
}

let tsa: TsaServer;
let otherTsa: TsaServer;
let registry: RunningRegistry;
let home: NotationHome;
let tsaRootPath: string;

beforeAll(async () => {
  [tsa, otherTsa, registry, home] = await Promise.all([startTsaServer(), startTsaServer({ keyType: 'ec-p384', signerDigest: 'sha384' }), startOlareg(), NotationHome.create()]);
  const gen = await home.run(['cert', 'generate-test', '--default', 'signet']);
  if (gen.code !== 0) throw new Error(`notation cert generate-test failed: ${gen.output}`);
  tsaRootPath = await home.writeFile('tsa-root.pem', tsa.rootCertPem);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([tsa?.stop(), otherTsa?.stop(), registry?.stop(), home?.dispose()]);
});

// --- small registry client (plain fetch, independent of Signet's registry layer) ---------------

async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(bytes)));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

async function pushBlob(repo: string, bytes: Uint8Array): Promise<string> {
  const digest = await sha256Digest(bytes);
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: toArrayBuffer(bytes) });
  expect(put.status).toBe(201);
  return digest;
}

async function pushManifest(repo: string, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
  const digest = await sha256Digest(bytes);
  const put = await fetch(`${registry.url}/v2/${repo}/manifests/${digest}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: toArrayBuffer(bytes) });
  expect(put.status).toBe(201);
  return { mediaType, digest, size: bytes.length };
}

/** A tiny OCI image to sign. */
async function pushImage(repo: string): Promise<Descriptor> {
  const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = crypto.getRandomValues(new Uint8Array(64));
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(repo, config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await pushBlob(repo, layer), size: layer.length }]
    })
  );
  return pushManifest(repo, manifest, 'application/vnd.oci.image.manifest.v1+json');
}

async function getJson(url: string, accept: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { headers: { Accept: accept } });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

/** The one signature envelope attached to `digest` (Referrers API, else the sha256-<hex> tag index), with its media type. */
async function fetchEnvelope(repo: string, digest: string): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const accept = 'application/vnd.oci.image.index.v1+json';
  let index = await getJson(`${registry.url}/v2/${repo}/referrers/${digest}`, accept);
  if (!Array.isArray(index['manifests']) || index['manifests'].length === 0) {
    index = await getJson(`${registry.url}/v2/${repo}/manifests/${digest.replace(':', '-')}`, accept);
  }
  const manifests = index['manifests'] as { digest: string; artifactType?: string }[];
  const sig = manifests.filter((m) => m.artifactType === 'application/vnd.cncf.notary.signature');
  expect(sig).toHaveLength(1);
  const manifest = await getJson(`${registry.url}/v2/${repo}/manifests/${sig[0]!.digest}`, 'application/vnd.oci.image.manifest.v1+json');
  const layer = (manifest['layers'] as { digest: string; mediaType: string }[])[0]!;
  const blob = await fetch(`${registry.url}/v2/${repo}/blobs/${layer.digest}`);
  return { bytes: new Uint8Array(await blob.arrayBuffer()), mediaType: layer.mediaType };
}

// --- 1. Signet ↔ openssl TSA -----------------------------------------------------------------

describe('Signet against a real openssl TSA', () => {
  it('requestTimestamp over HTTP: openssl accepts the exchange, Signet verifies the token', async () => {
    const signature = crypto.getRandomValues(new Uint8Array(256));
    const seen: { request?: Uint8Array; reply?: Uint8Array } = {};
    const root = await parseCertificate(tsa.rootCertDer);
    const before = Date.now();
    const token = await requestTimestamp(signature, PS256, httpTimestamper(tsa.url, seen), { tsaRoots: [root], now: new Date() });
    const after = Date.now();

    // openssl's own verifier: the reply answers our query (imprint, nonce) and chains to the root.
    expect(await verifyTimestampReply(tsa, seen.reply!, seen.request!)).toContain('Verification: OK');

    const verified = await verifyTimestampToken(token, { tsaRoots: [root], signatureBytes: signature });
    expect(verified.tsaChain.map((c) => c.subject)).toEqual(['CN=Signet Test TSA,O=Signet Tests', 'CN=Signet Test TSA Root,O=Signet Tests']);
    expect(verified.token.tstInfo.policy).toBe('1.3.6.1.4.1.57264.99.1');
    expect(verified.range.accuracyNs).toBe(1_000_000_000n);
    // genTime is openssl's clock, which is this machine's: the range brackets the exchange.
    expect(verified.range.earliest.getTime()).toBeLessThanOrEqual(after);
    expect(verified.range.latest.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('an EC P-384 TSA signing with SHA-384, for an ES384 signature', async () => {
    const signature = crypto.getRandomValues(new Uint8Array(96));
    const root = await parseCertificate(otherTsa.rootCertDer);
    const token = await requestTimestamp(signature, algorithmByKeySpec('EC-384'), httpTimestamper(otherTsa.url), { tsaRoots: [root], now: new Date() });
    const parsed = await parseTimestampToken(token);
    expect(parsed.tstInfo.messageImprint.hashAlgorithm.oid).toBe('2.16.840.1.101.3.4.2.2');
    expect(parsed.signerInfos[0]!.digestAlgorithm.oid).toBe('2.16.840.1.101.3.4.2.2');
    const verified = await verifyTimestampToken(parsed, { tsaRoots: [root], signatureBytes: signature });
    expect(verified.signerCertificate.publicKey.curve).toBe('P-384');
  });

  it('a token from one TSA does not verify against another TSA’s root', async () => {
    const signature = crypto.getRandomValues(new Uint8Array(32));
    const request = await buildTimestampRequest(signature, PS256);
    const checked = await parseTimestampResponse(await tsa.stamp(request.der), request);
    const wrongRoot = await parseCertificate(otherTsa.rootCertDer);
    const err = await verifyTimestampToken(checked.parsed, { tsaRoots: [wrongRoot], signatureBytes: signature }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestampError);
    // Both test roots are named "Signet Test TSA Root", so Go (and Signet) try the wrong one and say why it failed.
    expect((err as TimestampError).message).toBe(
      'failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority (possibly because of "x509: signature algorithm specifies an RSA public key, but have public key of type *ecdsa.PublicKey" while trying to verify candidate authority certificate "Signet Test TSA Root")'
    );
  });
});

// --- 2. notation's tokens, read by Signet --------------------------------------------------

/** The "timestamp signature" block of `notation inspect`'s tree output, as key → value lines. */
function treeTimestampBlock(output: string): { timestamp: string; certificates: Record<string, string>[] } {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.includes('timestamp signature'));
  expect(start).toBeGreaterThanOrEqual(0);
  const indent = lines[start]!.indexOf('timestamp signature');
  let timestamp = '';
  const certificates: Record<string, string>[] = [];
  for (const line of lines.slice(start + 1)) {
    const text = line.slice(indent);
    if (!/^[│├└ ]/.test(text)) break; // a sibling of "timestamp signature": left the block
    const m = /(timestamp|SHA256 fingerprint|issued to|issued by|expiry): (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'timestamp') timestamp = m[2]!;
    else if (m[1] === 'SHA256 fingerprint') certificates.push({ SHA256Fingerprint: m[2]! });
    else certificates[certificates.length - 1]![m[1] === 'issued to' ? 'issuedTo' : m[1] === 'issued by' ? 'issuedBy' : 'expiry'] = m[2]!;
  }
  return { timestamp, certificates };
}

describe('notation sign --timestamp-url, read by Signet', () => {
  it.each(['cose', 'jws'] as const)('%s: the token covers the primitive signature, verifies, and inspects exactly like notation inspect', async (format) => {
    const repo = `notation-ts-${format}`;
    const target = await pushImage(repo);
    const ref = `${registry.host}/${repo}@${target.digest}`;
    // olareg v0.1.2 loses its Referrers API entry when notation 1.x also pushes the tag index
    // (--force-referrers-tag defaults to true); sign through the Referrers API only.
    const signed = await home.run(['sign', '--insecure-registry', '--force-referrers-tag=false', '--signature-format', format, '--timestamp-url', tsa.url, '--timestamp-root-cert', tsaRootPath, ref]);
    expect(signed.code, signed.output).toBe(0);

    const { bytes, mediaType } = await fetchEnvelope(repo, target.digest);
    const envelope = decodeEnvelope(bytes, mediaType);
    const token = envelope.unsignedAttributes.timestampSignature!;
    expect(token).toBeInstanceOf(Uint8Array);
    const root = await parseCertificate(tsa.rootCertDer);
    const verified = await verifyTimestampToken(token, { tsaRoots: [root], signatureBytes: envelope.signature });
    // notation timestamps right after signing: genTime ± 1 s covers the signing time (whole seconds).
    expect(timestampBoundedBefore(verified.range, new Date(envelope.signedAttributes.signingTime.getTime() + 60_000))).toBe(true);
    expect(timestampBoundedAfter(verified.range, new Date(envelope.signedAttributes.signingTime.getTime() - 60_000))).toBe(true);

    const json = await home.run(['inspect', '--insecure-registry', ref, '-o', 'json']);
    expect(json.code, json.output).toBe(0);
    const inspected = JSON.parse(json.stdout) as { Signatures: { unsignedAttributes: { timestampSignature: unknown } }[] };
    expect(await describeTimestamp(token, envelope.signature, 'json')).toEqual(inspected.Signatures[0]!.unsignedAttributes.timestampSignature);

    const tree = await home.run(['inspect', '--insecure-registry', ref]);
    expect(tree.code, tree.output).toBe(0);
    expect(await describeTimestamp(token, envelope.signature, 'tree')).toEqual(treeTimestampBlock(tree.stdout));
  });
});

// --- 3. Signet's tokens, verified by notation ------------------------------------------------

async function notationKeySigner(): Promise<Signer> {
  const keyPem = await readFile(join(home.notationDir, 'localkeys', 'signet.key'), 'utf8');
  const certPem = await readFile(join(home.notationDir, 'localkeys', 'signet.crt'), 'utf8');
  const key = await crypto.subtle.importKey('pkcs8', toArrayBuffer(pemToDer(keyPem)), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  // `notation cert generate-test` starts the certificate's validity at the second it was made. A
  // timestamp taken within the TSA's accuracy of that moment may start before it, which notation
  // (and Signet) rightly reject; wait until the whole range lies inside the validity.
  const notBefore = (await parseCertificate(pemToDer(certPem))).notBefore.getTime();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, notBefore + 2_500 - Date.now())));
  return {
    algorithm: PS256,
    certificateChain: [pemToDer(certPem)],
    sign: async (data) => new Uint8Array(await crypto.subtle.sign(signParams(PS256), key, toArrayBuffer(data)))
  };
}

function trustPolicy(tsaStore: string) {
  return {
    version: '1.0',
    trustPolicies: [
      {
        name: 'signet-timestamp',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict', verifyTimestamp: 'always' },
        trustStores: ['ca:signet', `tsa:${tsaStore}`],
        trustedIdentities: ['*']
      }
    ]
  };
}

describe('Signet-timestamped signatures, verified by notation', () => {
  it.each(['cose', 'jws'] as const)('%s: notation verify accepts the token; with the wrong TSA root notation and Signet report the same error', async (format) => {
    const repo = `signet-ts-${format}`;
    const target = await pushImage(repo);
    const root = await parseCertificate(tsa.rootCertDer);
    const signer = await notationKeySigner();
    const signedArtifact = await signArtifact(target, signer, {
      format,
      timestamp: (signature, algorithm) => requestTimestamp(signature, algorithm, httpTimestamper(tsa.url), { tsaRoots: [root], now: new Date() })
    });
    await pushBlob(repo, new TextEncoder().encode('{}'));
    await pushBlob(repo, signedArtifact.envelope);
    await pushManifest(repo, signedArtifact.signatureManifest.manifest, signedArtifact.signatureManifest.descriptor.mediaType);
    const ref = `${registry.host}/${repo}@${target.digest}`;

    await home.addTrustStoreCertificates('tsa', 'signet-tsa', [{ name: 'root.pem', data: tsa.rootCertPem }]);
    await home.addTrustStoreCertificates('tsa', 'other-tsa', [{ name: 'root.pem', data: otherTsa.rootCertPem }]);

    await home.writeTrustPolicy(trustPolicy('signet-tsa'));
    const ok = await home.run(['verify', '--insecure-registry', ref]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('Successfully verified signature');

    await home.writeTrustPolicy(trustPolicy('other-tsa'));
    const bad = await home.run(['verify', '--verbose', '--insecure-registry', ref]);
    expect(bad.code).not.toBe(0);
    const envelope = decodeEnvelope(signedArtifact.envelope, signedArtifact.envelopeMediaType);
    const otherRoot = await parseCertificate(otherTsa.rootCertDer);
    const ours = await verifyTimestampForSignature(envelope.unsignedAttributes.timestampSignature!, envelope.signature, [otherRoot]).catch((e: unknown) => e as Error);
    expect((ours as Error).message).toMatch(/^failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority/);
    expect(bad.output).toContain((ours as Error).message);
  });
});
