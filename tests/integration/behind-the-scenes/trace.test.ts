/**
 * The trace of a verification against REAL registries, run the way the Verify page runs it
 * (app registry client → resolve → referrer tree → verifyArtifact), with a spying fetch that
 * records what was really sent: the trace lists the same requests in the same order, ties each
 * to the step it served, marks digest-cache hits, and shows no credential or token — on
 * distribution v3.1.1 with htpasswd (Basic credentials on every request), distribution with a
 * token service (Bearer JWTs), and olareg v0.1.2 (anonymous, Referrers API).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildObjectGraph } from '../../../src/lib/app/behind-the-scenes/objects';
import { formatHar, runningStepLabel, TraceRecorder } from '../../../src/lib/app/behind-the-scenes/trace';
import { discoverReferrers, resolveArtifact } from '../../../src/lib/app/discover';
import { summarizeRegistrySignature } from '../../../src/lib/app/inspect-view';
import { ProgressTracker } from '../../../src/lib/app/progress';
import { createAppRegistryClient } from '../../../src/lib/app/registry-client';
import { signAndPush } from '../../../src/lib/app/signatures';
import { loadTrustMaterial, storedSource } from '../../../src/lib/app/trust-material';
import type { TrustMaterialData } from '../../../src/lib/app/trust-storage';
import { runVerification } from '../../../src/lib/app/verify';
import { offlineRevocationChecker } from '../../../src/lib/notary/revocation/offline';
import { staticCredentials } from '../../../src/lib/registry/auth/credentials';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { chainSigner } from '../../helpers/pki-signer';
import { startDistribution, startOlareg, TEST_USERS, type RunningRegistry } from '../../helpers/registries';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';
import { buildImage, pushImage } from '../registry/images';
import { spyFetch } from './registry-contents';

const PUSH = { settleMs: 300, maxReadAgeMs: 100 };
const ALICE = { username: 'alice', password: TEST_USERS.alice.password };

let basic: RunningRegistry;
let token: RunningRegistry;
let tokens: TokenServer;
let olareg: RunningRegistry;
let tokenDir: string;
let signer: Awaited<ReturnType<typeof chainSigner>>;

beforeAll(async () => {
  tokenDir = await mkdtemp(path.join(tmpdir(), 'signet-bts-token-'));
  tokens = await startTokenServer({ dir: tokenDir, users: { alice: { password: ALICE.password, actions: () => ['pull', 'push', 'delete'] } } });
  [basic, token, olareg, signer] = await Promise.all([
    startDistribution({ auth: { htpasswd: ['alice'] } }),
    startDistribution({ auth: { token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, jwksPath: tokens.jwksPath } } }),
    startOlareg(),
    chainSigner('EC-256')
  ]);
});
afterAll(async () => {
  await Promise.all([basic?.stop(), token?.stop(), olareg?.stop()]);
  await tokens?.stop();
  await rm(tokenDir, { recursive: true, force: true });
});

const cases = () =>
  [
    { name: 'distribution with htpasswd (tag index)', reg: () => basic, auth: ALICE, scheme: 'Basic' },
    { name: 'distribution with a token service (tag index)', reg: () => token, auth: ALICE, scheme: 'Bearer' },
    { name: 'olareg (Referrers API, anonymous)', reg: () => olareg, auth: undefined, scheme: null }
  ] as const;

describe.each(cases())('verification trace on $name', ({ reg, auth, scheme }) => {
  it('lists the requests in the order made, each tied to its step, with no credential or token visible', async () => {
    const r = reg();
    const credentials = auth ? staticCredentials({ [r.host]: auth }) : undefined;
    // Content pushed by a separate client, so its requests are not in the trace.
    const writer = createRegistryClient({ fetch: globalThis.fetch, ...(credentials ? { credentials } : {}) }).repository(`${r.host}/bts/verify`);
    const target = await pushImage(writer, await buildImage(), 'v1');
    const signed = await signAndPush(writer, target, signer, { format: 'cose', push: PUSH });

    const spy = spyFetch();
    const progress = new ProgressTracker();
    const recorder = new TraceRecorder({ stepOf: () => runningStepLabel(progress.snapshot()) });
    const { client } = createAppRegistryClient({
      proxy: null,
      appOrigin: 'http://127.0.0.1:1',
      fetch: spy.fetch,
      onExchange: recorder.observe,
      ...(credentials ? { credentials } : {})
    });

    const { artifact, repo } = await resolveArtifact(client, `${r.host}/bts/verify:v1`, progress);
    await discoverReferrers(repo, artifact.descriptor, { progress, describeSignature: summarizeRegistrySignature });
    const data: TrustMaterialData = {
      schema: 1,
      policy: JSON.stringify({
        version: '1.0',
        trustPolicies: [{ name: 'bts', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:bts'], trustedIdentities: ['*'] }]
      }),
      stores: [{ type: 'ca', name: 'bts', files: [{ name: 'root.crt', bytes: signer.pki.root.der }] }],
      updatedAt: '2026-01-01T00:00:00.000Z'
    };
    const material = await loadTrustMaterial(data, storedSource(data));
    const view = await runVerification({ repo, target: artifact.descriptor, material, progress, revocation: offlineRevocationChecker });
    expect(view.result.verified).toBe(true);

    const entries = recorder.entries;
    // Same requests, same order, as the spy saw them leave (cache hits never reach the network).
    const network = entries.filter((e) => !e.exchange.fromCache);
    expect(network.map((e) => `${e.exchange.method} ${e.exchange.url}`)).toEqual(spy.sent.map((s) => `${s.method} ${s.url}`));
    expect(network.every((e) => e.exchange.status > 0 && e.exchange.durationMs > 0)).toBe(true);

    // Each request is tied to the step it served, and steps come in the flow's order.
    const labels = progress.snapshot().map((s) => s.label);
    const stepIndex = entries.map((e) => labels.indexOf(e.step ?? ''));
    expect(stepIndex.every((i) => i >= 0)).toBe(true);
    expect([...stepIndex].sort((a, b) => a - b)).toEqual(stepIndex);
    expect(entries[0]!.step).toBe(`Resolve tag "v1" on ${r.host}`);
    const verifyStep = entries.filter((e) => e.step === 'Fetch and verify signatures');
    const signatureDigest = signed.pushed.descriptor.digest;
    // The verification listed the signatures, then read the signature manifest and envelope —
    // from the digest cache, since the referrer tree had fetched them already.
    expect(verifyStep.some((e) => /^list referrers of|^read the referrers tag index/.test(e.purpose))).toBe(true);
    const sigRead = verifyStep.find((e) => e.exchange.url.endsWith(`/manifests/${signatureDigest}`));
    expect(sigRead?.exchange.fromCache).toBe(true);
    expect(verifyStep.some((e) => e.exchange.fromCache && e.purpose.startsWith('fetch blob'))).toBe(true);
    // The headers that matter are there.
    const resolve = entries.find((e) => e.exchange.method === 'HEAD' && e.exchange.status === 200)!;
    expect(resolve.exchange.responseHeaders['docker-content-digest']).toBe(target.digest);
    expect(resolve.exchange.requestHeaders.accept).toContain('application/vnd.oci.image.manifest.v1+json');

    // Credentials really were sent, and none of them (nor any token) is in the trace or its export.
    const har = formatHar(entries);
    const json = JSON.stringify(entries);
    const sentAuth = spy.sent.map((s) => s.authorization).filter((a): a is string => a !== null);
    if (scheme === null) {
      expect(sentAuth).toEqual([]);
    } else {
      expect(sentAuth.some((a) => a.startsWith(`${scheme} `))).toBe(true);
      const shown = entries.map((e) => e.exchange.requestHeaders.authorization).filter(Boolean);
      expect(shown.length).toBeGreaterThan(0);
      expect(new Set(shown)).toEqual(new Set(sentAuth.map((a) => `${a.split(' ')[0]} ‹redacted›`)));
      expect(entries.some((e) => e.exchange.status === 401 && e.exchange.responseHeaders['www-authenticate']?.startsWith(scheme))).toBe(true);
    }
    if (scheme === 'Bearer') {
      expect(spy.tokens.length).toBeGreaterThan(0);
      expect(entries.some((e) => e.purpose === 'request a token')).toBe(true);
    }
    const secrets = [
      ALICE.password,
      btoa(`${ALICE.username}:${ALICE.password}`),
      ...sentAuth.map((a) => a.slice(a.indexOf(' ') + 1)),
      ...spy.tokens,
      ...spy.tokens.map((t) => t.split('.')[2] ?? t)
    ].filter((s) => s.length >= 8);
    for (const secret of secrets) {
      expect(har.includes(secret), `HAR contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
      expect(json.includes(secret), `trace contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
    }
    const parsed = JSON.parse(har);
    expect(parsed.log.entries).toHaveLength(entries.length);
    expect(parsed.log.entries.map((e: { request: { url: string } }) => e.request.url)).toEqual(entries.map((e) => e.exchange.url));

    // Reading the object graph through the same client adds its requests under its own steps.
    const before = entries.length;
    await recorder.step('Behind the scenes: read the registry objects', () => buildObjectGraph(repo, artifact.descriptor));
    const graphEntries = recorder.entries.slice(before);
    expect(graphEntries.length).toBeGreaterThan(0);
    expect(new Set(graphEntries.map((e) => e.step))).toEqual(new Set(['Behind the scenes: read the registry objects']));
    expect(graphEntries.some((e) => e.purpose === 'list tags')).toBe(true);
  });
});
