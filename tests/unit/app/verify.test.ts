// From the core's SignatureResult to the rows the page shows and the report it downloads.
import { describe, expect, it } from 'vitest';
import { loadTrustMaterial } from '../../../src/lib/app/trust-material';
import { signatureView, verificationReport, type VerificationView } from '../../../src/lib/app/verify';
import { parseTrustPolicy } from '../../../src/lib/notary/policy/trust-policy';
import { offlineRevocationChecker } from '../../../src/lib/notary/revocation/offline';
import { verifySignature } from '../../../src/lib/notary/verify/verify-signature';
import { ARTIFACT, envelopeFor, policyJson, statement, trustedSigner } from './helpers';

describe('verification view', () => {
  it('gives each check a row with the action and, for failures, how to fix them', async () => {
    const { material } = await trustedSigner();
    const stranger = await trustedSigner();
    const loaded = await loadTrustMaterial(
      { ...material, policy: policyJson([statement('p', { signatureVerification: { level: 'strict', override: { expiry: 'log' } } })]) },
      { kind: 'stored', updatedAt: '' }
    );
    const st = loaded.policy!.trustPolicies[0]!;
    const signed = await envelopeFor(stranger.signer, ARTIFACT);
    const result = await verifySignature({
      envelope: signed.envelope,
      envelopeMediaType: signed.envelopeMediaType,
      policy: st,
      trustStores: loaded.trustStores,
      target: ARTIFACT,
      revocation: offlineRevocationChecker
    });
    const view = signatureView(result, st);
    expect(view.rows.map((r) => [r.label, r.actionLabel, r.status])).toEqual([
      ['Integrity', 'enforced', 'passed'],
      ['Authenticity', 'enforced', 'failed']
    ]);
    expect(view.rows[1]!.advice).toContain('(ca:app-test)');
    expect(view.failureAdvice).toBeUndefined();

    const report = JSON.parse(
      verificationReport({
        result: { reference: `r.example/a@${ARTIFACT.digest}`, verified: false, signatures: [result], message: 'signature verification failed for all the signatures associated with r.example/a@…' },
        statement: st,
        signatures: [view],
        source: { kind: 'share', createdAt: '2026-01-01T00:00:00Z' },
        verifiedAt: '2026-01-02T00:00:00Z'
      } satisfies VerificationView)
    );
    expect(report.mediaType).toBe('application/vnd.signet.verification-result.v1+json');
    expect(report.trustMaterial).toEqual({ kind: 'share', createdAt: '2026-01-01T00:00:00Z' });
    expect(report.result.signatures[0].checks[1]).toEqual({ type: 'authenticity', action: 'enforce', outcome: 'failed', message: "the signature's certificate chain does not contain any trusted certificate" });
    expect(report.advice.signatures[0].checks.authenticity).toMatch(/^None of the signer's certificates/);
    expect(parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [report.policyStatement] })).trustPolicies[0]!.name).toBe('p');
  });
});
