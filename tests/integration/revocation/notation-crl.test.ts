// CRL cases side by side with the real `notation verify` v1.3.2, on a two-level OpenSSL PKI that
// publishes its CRLs over loopback (tests/helpers/revocation-pki.ts): a revoked intermediate,
// base + delta CRLs made by `openssl crl -gendelta`, a base whose delta is missing, a
// certificateHold lifted by removeFromCRL in a delta, and an expired CRL. notation signs; both
// notation and Signet (verifySignature + createRevocationChecker) verify at `strict`.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64Decode } from '../../../src/lib/bytes';
import { parseCrl } from '../../../src/lib/notary/revocation/crl';
import { createRevocationChecker } from '../../../src/lib/notary/revocation/checker';
import { serialOf } from '../../../src/lib/notary/revocation/ocsp';
import type { TrustPolicyStatement } from '../../../src/lib/notary/policy/types';
import { trustStoreSet } from '../../../src/lib/notary/verify/trust-stores';
import { verifySignature } from '../../../src/lib/notary/verify/verify-signature';
import { parseCertificate } from '../../../src/lib/notary/x509/certificate';
import { NotationHome, mapLimit, writeMinimalOciLayout } from '../../helpers/notation';
import { buildCrl } from '../../helpers/revocation-builder';
import { nodeRevocationFetcher } from '../../helpers/revocation-fetcher';
import { startCrlPki, type CrlPki, type PkiCert } from '../../helpers/revocation-pki';
import type { TestKey } from '../../helpers/test-pki';
import { readFile } from 'node:fs/promises';

const POLICY: TrustPolicyStatement = {
  name: 'p',
  registryScopes: ['local/app'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:test'],
  trustedIdentities: ['*']
};

interface Signed {
  name: string;
  home: NotationHome;
  ref: string;
  target: { mediaType: string; digest: string; size: number };
  envelope: Uint8Array;
  envelopeMediaType: string;
}

let pki: CrlPki;
const signed: Signed[] = [];
const leaves: Record<string, PkiCert> = {};
const rows: string[][] = [['phase', 'signature', 'notation', 'signet', 'reason']];

async function signWithNotation(name: string, leaf: PkiCert): Promise<Signed> {
  const home = await NotationHome.create();
  const inter = leaf.ca === 'inter' ? pki.inter : pki.inter2;
  await home.addSigningKey('leaf', leaf.keyPem, leaf.certPem + inter.certPem + pki.root.certPem);
  const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
  const ref = `${layout.dir}@${layout.digest}`;
  const s = await home.run(['sign', '--oci-layout', ref], { experimental: true });
  expect(s.code, s.output).toBe(0);
  const blob = (digest: string) => readFile(join(layout.dir, 'blobs', 'sha256', digest.slice(7)));
  const index = JSON.parse(await readFile(join(layout.dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  for (const m of index.manifests) {
    const manifest = JSON.parse((await blob(m.digest)).toString('utf8')) as { subject?: { digest: string }; layers: { mediaType: string; digest: string }[] };
    if (manifest.subject?.digest !== layout.digest) continue;
    return {
      name,
      home,
      ref,
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: layout.digest, size: (await blob(layout.digest)).length },
      envelope: new Uint8Array(await blob(manifest.layers[0]!.digest)),
      envelopeMediaType: manifest.layers[0]!.mediaType
    };
  }
  throw new Error('no signature manifest in the layout');
}

/** Verifies every signature with a fresh notation home (no CRL cache) and with Signet. */
async function runPhase(phase: string): Promise<Array<{ name: string; notation: { ok: boolean; reason?: string }; signet: { ok: boolean; reason?: string } }>> {
  const home = await NotationHome.create();
  try {
    await home.addTrustStoreCertificates('ca', 'test', [{ name: 'root.pem', data: pki.root.certPem }]);
    await home.writeTrustPolicy({ version: '1.0', trustPolicies: [POLICY] });
    const root = await parseCertificate(pki.root.certDer);
    const out = await mapLimit(signed, 3, async (s) => {
      const r = await home.run(['verify', '-d', '--oci-layout', s.ref, '--scope', 'local/app'], { experimental: true });
      const reason = /level=error msg=\w+ validation failed\. Failure reason: (.*)$/m.exec(r.output)?.[1];
      const g = await verifySignature({
        envelope: s.envelope,
        envelopeMediaType: s.envelopeMediaType,
        policy: POLICY,
        trustStores: trustStoreSet(new Map([['ca:test', [root]]])),
        target: s.target,
        revocation: createRevocationChecker({ fetcher: nodeRevocationFetcher() })
      });
      return { name: s.name, notation: { ok: r.code === 0, ...(reason ? { reason } : {}) }, signet: { ok: g.verified, ...(g.failure ? { reason: g.failure.message } : {}) } };
    });
    for (const o of out) rows.push([phase, o.name, o.notation.ok ? 'pass' : 'FAIL', o.signet.ok ? 'pass' : 'FAIL', o.signet.reason ?? '']);
    return out;
  } finally {
    await home.dispose();
  }
}

function expectSame(results: Awaited<ReturnType<typeof runPhase>>, expected: Record<string, 'pass' | 'revoked' | 'unknown'>, subjects: Record<string, string> = {}) {
  for (const r of results) {
    expect(r.signet, r.name).toEqual(r.notation);
    const want = expected[r.name]!;
    if (want === 'pass') expect(r.signet.ok, r.name).toBe(true);
    else expect(r.signet.reason, r.name).toBe(`signing certificate with subject "${subjects[r.name] ?? `CN=${r.name},O=Signet Tests`}" ${want === 'revoked' ? 'is revoked' : 'revocation status is unknown'}`);
  }
}

beforeAll(async () => {
  pki = await startCrlPki();
  leaves.good = await pki.issueLeaf('inter', 'CRL Good');
  leaves.baseRevoked = await pki.issueLeaf('inter', 'CRL Base Revoked');
  leaves.deltaRevoked = await pki.issueLeaf('inter', 'CRL Delta Revoked');
  leaves.held = await pki.issueLeaf('inter', 'CRL Held Then Released');
  leaves.underRevokedInter = await pki.issueLeaf('inter2', 'CRL Under Revoked Intermediate');
  signed.push(...(await mapLimit(Object.values(leaves), 3, (l) => signWithNotation(l.name, l))));
  await pki.revoke('inter', leaves.baseRevoked!, 'keyCompromise');
  await pki.revoke('inter', leaves.held!, 'certificateHold');
  await pki.revoke('root', pki.inter2, 'CACompromise');
  await pki.publishCrl('root', 'root.crl');
  await pki.publishCrl('inter2', 'inter2.crl');
});

afterAll(async () => {
  for (const s of signed) await s.home.dispose();
  await pki?.stop();
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  if (rows.length > 1) console.log(`\nCRL cases, notation verify vs Signet (strict):\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')).join('\n')}`);
});

describe('CRLs: Signet vs notation verify v1.3.2', () => {
  it('base + OpenSSL delta CRL: the delta revokes; the base revokes and holds; a revoked intermediate is named', async () => {
    const freshest = `${pki.origin}/inter-delta.crl`;
    await pki.publishCrl('inter', 'inter.crl', { freshest });
    await pki.revoke('inter', leaves.deltaRevoked!, 'superseded');
    await pki.publishCrl('inter', 'inter-newer.crl', { freshest });
    const delta = parseCrl(await pki.publishDelta('inter', 'inter.crl', 'inter-newer.crl', 'inter-delta.crl'));
    expect(delta.deltaBaseNumber).toBeDefined();
    expect(delta.entryCount).toBe(1);
    expectSame(
      await runPhase('base+delta (openssl)'),
      {
        'CRL Good': 'pass',
        'CRL Base Revoked': 'revoked',
        'CRL Delta Revoked': 'revoked',
        'CRL Held Then Released': 'revoked',
        'CRL Under Revoked Intermediate': 'revoked'
      },
      { 'CRL Under Revoked Intermediate': 'CN=Signet CRL Test Intermediate 2,O=Signet Tests' }
    );
  });

  it('a base CRL whose delta cannot be fetched leaves the status unknown', async () => {
    pki.publish('inter-delta.crl', null);
    expectSame(await runPhase('delta missing (404)'), {
      'CRL Good': 'unknown',
      'CRL Base Revoked': 'unknown',
      'CRL Delta Revoked': 'unknown',
      'CRL Held Then Released': 'unknown',
      'CRL Under Revoked Intermediate': 'revoked'
    }, { 'CRL Under Revoked Intermediate': 'CN=Signet CRL Test Intermediate 2,O=Signet Tests' });
  });

  it('a delta with removeFromCRL releases the held certificate (delta written by hand, signed with the intermediate key)', async () => {
    const base = parseCrl(await pki.publishCrl('inter', 'inter.crl', { freshest: `${pki.origin}/inter-delta.crl` }));
    const keyBody = pki.inter.keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const key: TestKey = { spec: 'EC-256', keyType: 'EC', pkcs8: base64Decode(keyBody).slice().buffer, spki: new ArrayBuffer(0) };
    const inter = await parseCertificate(pki.inter.certDer);
    const now = Date.now();
    const delta = await buildCrl({
      issuer: inter,
      key,
      thisUpdate: new Date(now - 60_000),
      nextUpdate: new Date(now + 86_400_000),
      number: base.number! + 1n,
      deltaBase: base.number!,
      entries: [
        { serial: serialOf(await parseCertificate(leaves.held!.certDer)), date: new Date(now + 60_000), reason: 8 },
        { serial: serialOf(await parseCertificate(leaves.deltaRevoked!.certDer)), date: new Date(now), reason: 4 }
      ]
    });
    pki.publish('inter-delta.crl', delta);
    expectSame(await runPhase('base+delta (removeFromCRL)'), {
      'CRL Good': 'pass',
      'CRL Base Revoked': 'revoked',
      'CRL Delta Revoked': 'revoked',
      'CRL Held Then Released': 'pass',
      'CRL Under Revoked Intermediate': 'revoked'
    }, { 'CRL Under Revoked Intermediate': 'CN=Signet CRL Test Intermediate 2,O=Signet Tests' });
  });

  it('an expired CRL (nextUpdate in the past) leaves the status unknown', async () => {
    await pki.publishCrl('inter', 'inter.crl', { lastUpdate: '20250101000000Z', nextUpdate: '20250102000000Z' });
    expectSame(await runPhase('expired CRL'), {
      'CRL Good': 'unknown',
      'CRL Base Revoked': 'unknown',
      'CRL Delta Revoked': 'unknown',
      'CRL Held Then Released': 'unknown',
      'CRL Under Revoked Intermediate': 'revoked'
    }, { 'CRL Under Revoked Intermediate': 'CN=Signet CRL Test Intermediate 2,O=Signet Tests' });
  });
});
