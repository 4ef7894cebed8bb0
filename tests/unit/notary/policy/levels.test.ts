import { describe, expect, it } from 'vitest';
import { levelActions, resolveVerificationLevel } from '../../../../src/lib/notary/policy/levels';
import { parseTrustPolicy } from '../../../../src/lib/notary/policy/trust-policy';
import type { CheckAction, SignatureVerification } from '../../../../src/lib/notary/policy/types';

type Row = [integrity: CheckAction, authenticity: CheckAction, authenticTimestamp: CheckAction, expiry: CheckAction, revocation: CheckAction];
const row = (actions: Record<string, CheckAction>): Row => [
  actions['integrity']!,
  actions['authenticity']!,
  actions['authenticTimestamp']!,
  actions['expiry']!,
  actions['revocation']!
];

describe('verification levels (spec digest §12.3 table)', () => {
  it.each<[SignatureVerification['level'], Row]>([
    ['strict', ['enforce', 'enforce', 'enforce', 'enforce', 'enforce']],
    ['permissive', ['enforce', 'enforce', 'log', 'log', 'log']],
    ['audit', ['enforce', 'log', 'log', 'log', 'log']],
    ['skip', ['skip', 'skip', 'skip', 'skip', 'skip']]
  ])('%s', (level, expected) => {
    expect(row(levelActions(level))).toEqual(expected);
    expect(resolveVerificationLevel({ level })).toEqual({ name: level, base: level, actions: levelActions(level) });
  });
});

describe('override', () => {
  it.each<[string, SignatureVerification, Row]>([
    ['strict, revocation skipped', { level: 'strict', override: { revocation: 'skip' } }, ['enforce', 'enforce', 'enforce', 'enforce', 'skip']],
    ['strict, expiry logged', { level: 'strict', override: { expiry: 'log' } }, ['enforce', 'enforce', 'enforce', 'log', 'enforce']],
    ['permissive, authenticTimestamp enforced', { level: 'permissive', override: { authenticTimestamp: 'enforce' } }, ['enforce', 'enforce', 'enforce', 'log', 'log']],
    ['audit, authenticity enforced, revocation skipped', { level: 'audit', override: { authenticity: 'enforce', revocation: 'skip' } }, ['enforce', 'enforce', 'log', 'log', 'skip']],
    ['an override equal to the level is still custom', { level: 'strict', override: { expiry: 'enforce' } }, ['enforce', 'enforce', 'enforce', 'enforce', 'enforce']]
  ])('%s', (_what, sv, expected) => {
    const resolved = resolveVerificationLevel(sv);
    expect(resolved.name).toBe('custom');
    expect(resolved.base).toBe(sv.level);
    expect(row(resolved.actions)).toEqual(expected);
  });

  it('an empty override leaves the level as it is (also for skip)', () => {
    expect(resolveVerificationLevel({ level: 'skip', override: {} }).name).toBe('skip');
    expect(resolveVerificationLevel({ level: 'audit', override: {} }).name).toBe('audit');
  });

  it('works on parsed statements', () => {
    const doc = parseTrustPolicy({
      version: '1.0',
      trustPolicies: [
        { name: 'a', registryScopes: ['*'], signatureVerification: { level: 'permissive', override: { revocation: 'skip' } }, trustStores: ['ca:a'], trustedIdentities: ['*'] }
      ]
    });
    expect(resolveVerificationLevel(doc.trustPolicies[0]!.signatureVerification)).toMatchObject({ name: 'custom', actions: { revocation: 'skip', expiry: 'log' } });
  });

  it.each([
    [{ level: 'skip', override: { revocation: 'log' } }, 'signature verification level "skip" can\'t be used to customize signature verification'],
    [{ level: 'strict', override: { integrity: 'log' } }, '"integrity" verification can not be overridden in custom signature verification'],
    [{ level: 'strict', override: { integrity: 'enforce' } }, '"integrity" verification can not be overridden in custom signature verification'],
    [{ level: 'strict', override: { authenticTimestamp: 'skip' } }, '"authenticTimestamp" verification can not be skipped in custom signature verification'],
    [{ level: 'strict', override: { integrity: 'never' } }, 'verification action "never" in custom signature verification is not supported, supported values are ["enforce" "log" "skip"]'],
    [{ level: 'loose' }, 'invalid signature verification level "loose"'],
    [{ level: '' }, 'signature verification level is empty or missing in the trust policy statement']
  ])('rejects %j', (sv, message) => {
    expect(() => resolveVerificationLevel(sv as SignatureVerification)).toThrowError(expect.objectContaining({ code: 'ERR_TRUST_POLICY_INVALID', message }));
  });
});
