// Side by side with the real `notation verify` v1.3.2: notation signs (with leaf keys issued by
// the OpenSSL test CA of tests/helpers/ocsp-server.ts, whose certificates point at the REAL
// loopback OCSP responder / CRL point, a refused port or a hung responder), then both notation
// and Signet's verifySignature (with createRevocationChecker over Node fetch) verify each
// signature under several policies. Pass/fail, the failing check and its message must agree.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustPolicyStatement } from '../../../src/lib/notary/policy/types';
import { createRevocationChecker } from '../../../src/lib/notary/revocation/checker';
import { offlineRevocationChecker } from '../../../src/lib/notary/revocation/offline';
import { trustStoreSet } from '../../../src/lib/notary/verify/trust-stores';
import { verifySignature } from '../../../src/lib/notary/verify/verify-signature';
import type { SignatureResult } from '../../../src/lib/notary/verify/result';
import { parseCertificate } from '../../../src/lib/notary/x509/certificate';
import { NotationHome, mapLimit, writeMinimalOciLayout } from '../../helpers/notation';
import { startOcspServer, type IssuedCert, type OcspServer, type RevocationReason } from '../../helpers/ocsp-server';
import { hangingServer, issueWithUrls, refusedUrl } from '../../helpers/revocation-ca';
import { nodeRevocationFetcher } from '../../helpers/revocation-fetcher';

interface Signed {
  name: string;
  home: NotationHome;
  ref: string;
  target: { mediaType: string; digest: string; size: number };
  envelope: Uint8Array;
  envelopeMediaType: string;
}

type PolicyCase = { name: string; signatureVerification: TrustPolicyStatement['signatureVerification'] };

const POLICIES: PolicyCase[] = [
  { name: 'strict', signatureVerification: { level: 'strict' } },
  { name: 'permissive', signatureVerification: { level: 'permissive' } },
  { name: 'audit', signatureVerification: { level: 'audit' } },
  { name: 'strict+revocation:log', signatureVerification: { level: 'strict', override: { revocation: 'log' } } },
  { name: 'strict+revocation:skip', signatureVerification: { level: 'strict', override: { revocation: 'skip' } } }
];

let server: OcspServer;
let hung: Awaited<ReturnType<typeof hangingServer>>;
const signed: Signed[] = [];
const rows: string[][] = [];

function statement(p: PolicyCase): TrustPolicyStatement {
  return { name: 'p', registryScopes: ['local/app'], signatureVerification: p.signatureVerification, trustStores: ['ca:test'], trustedIdentities: ['*'] };
}

/** Signs a fresh one-manifest OCI layout with `leaf` through notation; reads back the envelope. */
async function signWithNotation(name: string, leaf: IssuedCert, format: 'jws' | 'cose'): Promise<Signed> {
  const home = await NotationHome.create();
  await home.addSigningKey('leaf', leaf.keyPem, leaf.certPem + server.caCertPem);
  await home.addTrustStoreCertificates('ca', 'test', [{ name: 'ca.pem', data: server.caCertPem }]);
  const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
  const ref = `${layout.dir}@${layout.digest}`;
  const s = await home.run(['sign', '--signature-format', format, '--oci-layout', ref], { experimental: true });
  expect(s.code, s.output).toBe(0);
  const blob = (digest: string) => readFile(join(layout.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(await readFile(join(layout.dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const targetBytes = await blob(layout.digest);
  for (const m of index.manifests) {
    if (m.digest === layout.digest) continue;
    const manifest = JSON.parse((await blob(m.digest)).toString('utf8')) as { subject?: { digest: string }; layers: { mediaType: string; digest: string }[] };
    if (manifest.subject?.digest !== layout.digest) continue;
    const layer = manifest.layers[0]!;
    return {
      name,
      home,
      ref,
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: layout.digest, size: targetBytes.length },
      envelope: new Uint8Array(await blob(layer.digest)),
      envelopeMediaType: layer.mediaType
    };
  }
  throw new Error('notation sign wrote no signature manifest into the layout');
}

interface Outcome {
  verified: boolean;
  /** The check that failed (enforced), e.g. revocation. */
  failedCheck?: string;
  failure?: string;
  /** Logged failures: check → message. */
  warnings: Record<string, string>;
}

async function notationOutcome(s: Signed, p: PolicyCase): Promise<Outcome> {
  await s.home.writeTrustPolicy({ version: '1.0', trustPolicies: [statement(p)] });
  const r = await s.home.run(['verify', '-d', '--oci-layout', s.ref, '--scope', 'local/app'], { experimental: true });
  const failed = /level=error msg=(\w+) validation failed\. Failure reason: (.*)$/m.exec(r.output);
  const warnings: Record<string, string> = {};
  for (const m of r.output.matchAll(/^Warning: (\w+) was set to "log" and failed with error: (.*)$/gm)) warnings[m[1]!] = m[2]!;
  return { verified: r.code === 0, ...(failed ? { failedCheck: failed[1]!, failure: failed[2]! } : {}), warnings };
}

async function signetOutcome(s: Signed, p: PolicyCase): Promise<Outcome & { result: SignatureResult }> {
  const ca = await parseCertificate(server.caCertDer);
  const result = await verifySignature({
    envelope: s.envelope,
    envelopeMediaType: s.envelopeMediaType,
    policy: statement(p),
    trustStores: trustStoreSet(new Map([['ca:test', [ca]]])),
    target: s.target,
    revocation: createRevocationChecker({ fetcher: nodeRevocationFetcher() })
  });
  const warnings: Record<string, string> = {};
  for (const c of result.checks) if (c.outcome === 'failed' && c.action === 'log') warnings[c.type] = c.message!;
  return {
    result,
    verified: result.verified,
    ...(result.failure?.check ? { failedCheck: result.failure.check, failure: result.failure.message } : {}),
    warnings
  };
}

beforeAll(async () => {
  server = await startOcspServer();
  hung = await hangingServer();
  const dead = await refusedUrl();
  const leaves: Array<[string, IssuedCert, RevocationReason | null, 'jws' | 'cose']> = [
    ['OCSP good', await server.issue('Signet Diff Good'), null, 'jws'],
    ['OCSP revoked', await server.issue('Signet Diff Revoked'), 'keyCompromise', 'jws'],
    ['OCSP revoked (COSE)', await server.issue('Signet Diff Revoked COSE'), 'superseded', 'cose'],
    ['OCSP hold', await server.issue('Signet Diff Hold'), 'certificateHold', 'jws'],
    ['CRL only, revoked', await server.issue('Signet Diff CRL Revoked', { ocsp: false }), 'affiliationChanged', 'jws'],
    ['OCSP refused, CRL good', await issueWithUrls(server, 'Signet Diff Refused Good', { ocspUrls: [dead], crlUrls: [server.crlUrl] }), null, 'jws'],
    ['OCSP refused, CRL revoked', await issueWithUrls(server, 'Signet Diff Refused Revoked', { ocspUrls: [dead], crlUrls: [server.crlUrl] }), 'keyCompromise', 'cose'],
    ['OCSP refused, no CRL', await issueWithUrls(server, 'Signet Diff Refused Only', { ocspUrls: [dead] }), null, 'jws'],
    ['OCSP hung, no CRL', await issueWithUrls(server, 'Signet Diff Hung Only', { ocspUrls: [hung.url] }), null, 'jws'],
    ['no AIA/CDP', await server.issue('Signet Diff None', { ocsp: false, crl: false }), null, 'jws']
  ];
  // Sign first (notation sign does not look at revocation), then revoke.
  signed.push(...(await mapLimit(leaves, 3, ([name, leaf, , format]) => signWithNotation(name, leaf, format))));
  for (const [, leaf, reason] of leaves) if (reason) await server.revoke(leaf, reason);
});

afterAll(async () => {
  for (const s of signed) await s.home.dispose();
  await hung?.stop();
  await server?.stop();
  if (rows.length) {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(`\nnotation verify vs Signet verifySignature (revocation):\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')).join('\n')}`);
  }
});

describe('revocation: Signet vs notation verify v1.3.2 on notation-signed artifacts', () => {
  it('every leaf under every policy: same pass/fail, same failing check and message, same logged warnings', async () => {
    rows.push(['signature', 'policy', 'notation', 'signet', 'reason']);
    // One home (one trustpolicy.json) per signature: its policies run one after another.
    const perSignature = await mapLimit(signed, 4, async (s) => {
      const out = [];
      for (const p of POLICIES) out.push({ s, p, n: await notationOutcome(s, p), g: await signetOutcome(s, p) });
      return out;
    });
    const outcomes = perSignature.flat();
    for (const { s, p, n, g } of outcomes) {
      const show = (o: Outcome) => (o.verified ? (Object.keys(o.warnings).length ? `pass (warn ${Object.keys(o.warnings).join(',')})` : 'pass') : `FAIL ${o.failedCheck ?? '?'}`);
      rows.push([s.name, p.name, show(n), show(g), g.failure ?? Object.values(g.warnings)[0] ?? '']);
    }
    for (const { s, p, n, g } of outcomes) {
      const cell = `${s.name} / ${p.name}`;
      expect(g.verified, `${cell}: signet ${JSON.stringify(g.result.checks)}`).toBe(n.verified);
      expect(g.failedCheck, cell).toBe(n.failedCheck);
      expect(g.failure, cell).toBe(n.failure);
      expect(g.warnings, cell).toEqual(n.warnings);
    }
    // The matrix is not trivially uniform: each outcome class occurs.
    const classes = new Set(outcomes.map(({ g }) => (g.verified ? (Object.keys(g.warnings).length ? 'warn' : 'pass') : 'fail')));
    expect([...classes].sort()).toEqual(['fail', 'pass', 'warn']);
    expect(outcomes.filter(({ g }) => g.failure?.endsWith('is revoked')).length).toBeGreaterThan(0);
    expect(outcomes.filter(({ g }) => g.failure?.endsWith('revocation status is unknown')).length).toBeGreaterThan(0);
    // notation and Signet asked the live responder with byte-identical GET URLs: one distinct
    // path per leaf whose AIA names it (4 leaves), not one per client.
    const ocspPaths = new Set(server.requests.filter((r) => r.kind === 'ocsp').map((r) => `${r.method} ${r.path}`));
    expect([...ocspPaths].every((p) => p.startsWith('GET /ocsp/'))).toBe(true);
    expect(ocspPaths.size).toBe(4);
  });

  it('without any reachable responder, the offline checker gives notation\'s "unknown" outcome for certificates that name responders', async () => {
    const ca = await parseCertificate(server.caCertDer);
    for (const s of signed.filter((x) => x.name === 'OCSP good' || x.name === 'no AIA/CDP')) {
      const r = await verifySignature({
        envelope: s.envelope,
        envelopeMediaType: s.envelopeMediaType,
        policy: statement(POLICIES[0]!),
        trustStores: trustStoreSet(new Map([['ca:test', [ca]]])),
        target: s.target,
        revocation: offlineRevocationChecker
      });
      if (s.name === 'no AIA/CDP') expect(r.verified).toBe(true);
      else expect(r.failure?.message).toMatch(/revocation status is unknown$/);
    }
  });
});
