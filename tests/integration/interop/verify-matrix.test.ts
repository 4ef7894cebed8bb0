// Issue 5's side-by-side matrix: notation v1.3.2 signs images on a real registry, then both
// `notation verify` and Signet verify each cell (valid, tampered signature, tampered payload, wrong
// trust store, untrusted identity, scope not matching, expired signature, expired certificate)
// at each level with overrides. Pass/fail must be equal in every cell, and when both fail, the
// reason Signet gives must be the one notation prints (or the same kind, for integrity).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../../../src/lib/bytes';
import { fetchSignatureEnvelope, listSignatures, registrySignatureSource } from '../../../src/lib/app/signatures';
import type { TrustPolicyDocument, TrustPolicyStatement } from '../../../src/lib/notary/policy/types';
import { offlineRevocationChecker } from '../../../src/lib/notary/revocation/offline';
import { verifyArtifact } from '../../../src/lib/notary/verify/verify-artifact';
import type { ArtifactResult } from '../../../src/lib/notary/verify/result';
import { trustStoreSet } from '../../../src/lib/notary/verify/trust-stores';
import { parseCertificate } from '../../../src/lib/notary/x509/certificate';
import { computeDigest } from '../../../src/lib/oci/digest';
import { EMPTY_JSON, MediaType } from '../../../src/lib/oci/media-types';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { pushReferrer } from '../../../src/lib/registry/referrers-index';
import type { Repository } from '../../../src/lib/registry/repository';
import { NotationHome } from '../../helpers/notation';
import { chainSigner } from '../../helpers/pki-signer';
import { issueCertificate } from '../../helpers/test-pki';
import { toPem } from '../../helpers/pem';
import { startDistribution, type RunningRegistry } from '../../helpers/registries';
import { buildImage, pushImage, type TestImage } from '../registry/images';

let registry: RunningRegistry;
let home: NotationHome;
const client = createRegistryClient({ fetch: globalThis.fetch });
const rows: string[] = [];

beforeAll(async () => {
  registry = await startDistribution();
  home = await NotationHome.create();
}, 120_000);
afterAll(async () => {
  console.log(`\nnotation verify vs Signet (distribution ${registry?.host})\n${rows.join('\n')}\n`);
  await registry?.stop();
  await home?.dispose();
});

const trusted = await chainSigner('RSA-2048');
const stranger = await chainSigner('EC-256', { root: { subject: 'CN=Other Root, O=Elsewhere, L=Oslo, ST=Oslo, C=NO', keySlot: 9 } });

type Statement = Omit<TrustPolicyStatement, 'name' | 'registryScopes'> & { scope?: string };
const strict: Statement = { signatureVerification: { level: 'strict' }, trustStores: ['ca:trusted'], trustedIdentities: ['*'] };

function doc(scope: string, s: Statement): TrustPolicyDocument {
  const { scope: override, ...rest } = s;
  return { version: '1.0', trustPolicies: [{ name: 'matrix', registryScopes: [override ?? scope], ...rest }] };
}

async function prepareHome(): Promise<void> {
  await home.addTrustStoreCertificates('ca', 'trusted', [{ name: 'root.pem', data: toPem(trusted.pki.root.der, 'CERTIFICATE') }]);
  await home.addTrustStoreCertificates('ca', 'stranger', [{ name: 'root.pem', data: toPem(stranger.pki.root.der, 'CERTIFICATE') }]);
}

async function signetStores() {
  return trustStoreSet(
    new Map([
      ['ca:trusted', [await parseCertificate(trusted.pki.root.der)]],
      ['ca:stranger', [await parseCertificate(stranger.pki.root.der)]]
    ])
  );
}

interface Cell {
  name: string;
  repo: Repository;
  scope: string;
  ref: string;
  image: TestImage;
}

async function image(name: string): Promise<Cell> {
  const scope = `${registry.host}/matrix/${name}`;
  const repo = client.repository(scope);
  const img = await buildImage();
  const target = await pushImage(repo, img);
  return { name, repo, scope, ref: `${scope}@${target.digest}`, image: img };
}

async function notationSign(cell: Cell, signer: typeof trusted, extra: string[] = []): Promise<void> {
  await home.addSigningKey(`k-${cell.name}`, toPem(signer.pki.leaf.key.pkcs8, 'PRIVATE KEY'), signer.pki.chain.map((c) => toPem(c, 'CERTIFICATE')).join(''));
  const r = await home.run(['sign', '--insecure-registry', ...extra, cell.ref]);
  expect(r.code, r.output).toBe(0);
}

/** Replaces the notation signature by a tampered copy (own repository, so no valid one remains). */
async function tamper(cell: Cell, change: (envelope: Uint8Array) => Uint8Array): Promise<Cell> {
  const listing = await listSignatures(cell.repo, cell.image.descriptor);
  const { envelope, mediaType, manifestBytes } = await fetchSignatureEnvelope(cell.repo, listing.referrers[0]!);
  const bad = change(envelope);
  const copy: Cell = { ...cell, name: `${cell.name}-tampered`, scope: `${cell.scope}-tampered`, ref: `${cell.scope}-tampered@${cell.image.descriptor.digest}` };
  copy.repo = client.repository(copy.scope);
  await pushImage(copy.repo, cell.image);
  const manifest = JSON.parse(utf8Decode(manifestBytes));
  manifest.layers[0] = { mediaType, digest: await computeDigest(bad), size: bad.length };
  await pushReferrer(copy.repo, { manifest: utf8Encode(JSON.stringify(manifest)), blobs: [bad, EMPTY_JSON.bytes] }, { tagIndex: 'always' });
  return copy;
}

function flipSignature(envelope: Uint8Array): Uint8Array {
  const jws = JSON.parse(utf8Decode(envelope));
  const sig = base64UrlDecode(jws.signature);
  sig[10] = sig[10]! ^ 0x01;
  jws.signature = base64UrlEncode(sig);
  return utf8Encode(JSON.stringify(jws));
}

function changePayload(envelope: Uint8Array): Uint8Array {
  const jws = JSON.parse(utf8Decode(envelope));
  const payload = JSON.parse(utf8Decode(base64UrlDecode(jws.payload)));
  payload.targetArtifact.annotations = { injected: 'yes' };
  jws.payload = base64UrlEncode(utf8Encode(JSON.stringify(payload)));
  return utf8Encode(JSON.stringify(jws));
}

async function both(cell: Cell, statement: Statement, label: string): Promise<{ notation: { code: number | null; output: string }; signet: ArtifactResult | Error }> {
  const policy = doc(cell.scope, statement);
  await home.writeTrustPolicy(policy);
  // -v makes notation log each signature's failure reason, which its final error line omits.
  const notation = await home.run(['verify', '-v', '--insecure-registry', cell.ref]);
  let signet: ArtifactResult | Error;
  try {
    signet = await verifyArtifact({
      repository: cell.scope,
      target: cell.image.descriptor,
      policy,
      trustStores: await signetStores(),
      source: registrySignatureSource(cell.repo),
      revocation: offlineRevocationChecker
    });
  } catch (e) {
    signet = e as Error;
  }
  const signetPass = !(signet instanceof Error) && signet.verified;
  const reason = signet instanceof Error ? signet.message : signet.verified ? '' : (signet.signatures[0]?.failure?.message ?? signet.message);
  const check = signet instanceof Error ? 'error' : (signet.signatures[0]?.failure?.check ?? (signet.verified ? '' : 'artifact'));
  rows.push(
    `${label.padEnd(44)} notation=${notation.code === 0 ? 'pass' : 'FAIL'} signet=${signetPass ? 'pass' : 'FAIL'}${signetPass ? '' : ` [${check}] ${reason.split('\n')[0]!.slice(0, 90)}`}`
  );
  return { notation, signet };
}

function expectSame(r: Awaited<ReturnType<typeof both>>, kind?: 'integrity') {
  const notationPass = r.notation.code === 0;
  const signetPass = !(r.signet instanceof Error) && r.signet.verified;
  expect(signetPass, `notation said:\n${r.notation.output}\nSignet said:\n${JSON.stringify(r.signet, null, 2)}`).toBe(notationPass);
  if (notationPass) return;
  const reason = r.signet instanceof Error ? r.signet.message : (r.signet.signatures[0]?.failure?.message ?? r.signet.message);
  if (kind === 'integrity') {
    expect(r.signet instanceof Error ? '' : r.signet.signatures[0]?.failure?.check).toBe('integrity');
    expect(r.notation.output).toMatch(/signature is invalid|verification error|crypto\/rsa|illegal/i);
  } else {
    expect(r.notation.output).toContain(reason.split('\n')[0]!);
  }
}

function warnedBy(r: Awaited<ReturnType<typeof both>>, type: string) {
  expect(r.notation.output).toContain(`Warning: ${type} was set to "log" and failed with error: `);
  const s = r.signet as ArtifactResult;
  expect(s.signatures[0]!.checks.find((c) => c.type === type)).toMatchObject({ action: 'log', outcome: 'failed' });
}

describe('notation verify and Signet agree', () => {
  it('valid, tampered, wrong trust material and scope', async () => {
    await prepareHome();
    const valid = await image('valid');
    await notationSign(valid, trusted);
    for (const level of ['strict', 'permissive', 'audit'] as const) {
      expectSame(await both(valid, { ...strict, signatureVerification: { level } }, `valid / ${level}`));
    }
    expectSame(await both(valid, { signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] }, 'valid / skip'));

    const tamperedSignature = await tamper(valid, flipSignature);
    for (const level of ['strict', 'audit'] as const) {
      expectSame(await both(tamperedSignature, { ...strict, signatureVerification: { level } }, `tampered signature / ${level}`), 'integrity');
    }
    const tamperedPayload = await tamper(valid, changePayload);
    expectSame(await both(tamperedPayload, strict, 'tampered payload / strict'), 'integrity');

    const wrongStore: Statement = { ...strict, trustStores: ['ca:stranger'] };
    expectSame(await both(valid, wrongStore, 'wrong trust store / strict'));
    const auditWrongStore = await both(valid, { ...wrongStore, signatureVerification: { level: 'audit' } }, 'wrong trust store / audit');
    expectSame(auditWrongStore);
    warnedBy(auditWrongStore, 'authenticity');
    expectSame(await both(valid, { ...wrongStore, signatureVerification: { level: 'strict', override: { authenticity: 'log' } } }, 'wrong trust store / strict + authenticity:log'));

    const identity: Statement = { ...strict, trustedIdentities: ['x509.subject:CN=Someone Else,O=Notary,L=Seattle,ST=WA,C=US'] };
    expectSame(await both(valid, identity, 'identity not trusted / strict'));
    expectSame(await both(valid, { ...identity, signatureVerification: { level: 'permissive' } }, 'identity not trusted / permissive'));
    expectSame(await both(valid, { ...identity, signatureVerification: { level: 'audit' } }, 'identity not trusted / audit'));
    expectSame(await both(valid, { ...strict, trustedIdentities: ['x509.subject:CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US'] }, 'identity trusted / strict'));

    expectSame(await both(valid, { ...strict, scope: `${registry.host}/matrix/other` }, 'scope not matching / strict'));
  });

  it('expired signature and expired certificate', async () => {
    await prepareHome();
    const expiring = await image('expiring');
    await notationSign(expiring, trusted, ['--expiry', '2s']);
    const now = Date.now();
    // A leaf of the trusted root that expires a few seconds from now.
    const leaf = await issueCertificate(
      'leaf',
      { subject: 'CN=Short Lived, O=Notary, L=Seattle, ST=WA, C=US', keySpec: 'RSA-2048', keySlot: 3, notBefore: new Date(now - 60_000), notAfter: new Date(now + 4_000) },
      trusted.pki.root
    );
    const shortLived = { ...trusted, pki: { ...trusted.pki, leaf, chain: [leaf.der, trusted.pki.root.der] } };
    const certExpiring = await image('cert-expiring');
    await notationSign(certExpiring, shortLived);
    await new Promise((r) => setTimeout(r, Math.max(0, now + 5_500 - Date.now())));

    expectSame(await both(expiring, strict, 'expired signature / strict'));
    const permissive = await both(expiring, { ...strict, signatureVerification: { level: 'permissive' } }, 'expired signature / permissive');
    expectSame(permissive);
    warnedBy(permissive, 'expiry');
    expectSame(await both(expiring, { ...strict, signatureVerification: { level: 'strict', override: { expiry: 'log' } } }, 'expired signature / strict + expiry:log'));

    expectSame(await both(certExpiring, strict, 'expired certificate / strict'));
    const certPermissive = await both(certExpiring, { ...strict, signatureVerification: { level: 'permissive' } }, 'expired certificate / permissive');
    expectSame(certPermissive);
    warnedBy(certPermissive, 'authenticTimestamp');
    expectSame(
      await both(certExpiring, { ...strict, signatureVerification: { level: 'strict', override: { authenticTimestamp: 'log' } } }, 'expired certificate / strict + authenticTimestamp:log')
    );
    expectSame(await both(certExpiring, { ...strict, signatureVerification: { level: 'audit' } }, 'expired certificate / audit'));
  });
});
