// The per-signature pipeline on the reference implementation's mock envelopes, with the trust
// stores and policy its own tests use and a pinned clock; outcomes and messages as notation's.
import { describe, expect, it } from 'vitest';
import type { TrustPolicyStatement, VerificationLevelName } from '../../../../src/lib/notary/policy/types';
import { offlineRevocationChecker } from '../../../../src/lib/notary/revocation/offline';
import { verifySignature } from '../../../../src/lib/notary/verify/verify-signature';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { readFixture } from '../../../helpers/fixtures';
import { loadVectorStores } from '../../../helpers/vector-trust';

const MOCK = 'vectors/notation-go/internal/mock/testdata';
const clock = () => new Date('2025-06-01T00:00:00Z');
const target = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e',
  size: 528
};

function policy(level: VerificationLevelName, overrides: Partial<TrustPolicyStatement> = {}): TrustPolicyStatement {
  return {
    name: 'test-statement-name',
    registryScopes: ['registry.acme-rockets.io/software/net-monitor'],
    signatureVerification: { level },
    trustStores: ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'],
    trustedIdentities: ['x509.subject:CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US'],
    ...overrides
  };
}

const stores = await loadVectorStores();

async function verify(file: string, p: TrustPolicyStatement, extra: { userMetadata?: Record<string, string>; target?: typeof target } = {}) {
  return verifySignature({
    envelope: await readFixture(`${MOCK}/${file}`),
    envelopeMediaType: MediaType.jws,
    policy: p,
    trustStores: stores,
    target: extra.target ?? target,
    userMetadata: extra.userMetadata,
    clock,
    revocation: offlineRevocationChecker
  });
}

describe('verifySignature on notation-go mock envelopes', () => {
  it.each(['strict', 'permissive', 'audit'] as const)('ca_valid and sa_valid pass at %s', async (level) => {
    for (const file of ['ca_valid_sig_env.json', 'sa_valid_sig_env.json']) {
      const r = await verify(file, policy(level));
      expect(r.verified, `${file}: ${r.failure?.message}`).toBe(true);
      expect(r.checks.map((c) => [c.type, c.outcome])).toEqual([
        ['integrity', 'passed'],
        ['authenticity', 'passed'],
        ['expiry', 'passed'],
        ['authenticTimestamp', 'passed'],
        ['revocation', 'passed']
      ]);
      expect(r.signer?.subject).toBe('CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US');
    }
  });

  it('the padded-base64url envelopes fail integrity at every level', async () => {
    for (const level of ['strict', 'permissive', 'audit'] as const) {
      for (const file of ['ca_invalid_sig_env.json', 'sa_invalid_sig_env.json']) {
        const r = await verify(file, policy(level));
        expect(r.verified).toBe(false);
        expect(r.failure?.check).toBe('integrity');
        expect(r.failure?.message).toMatch(/base64/);
      }
    }
  });

  it('expired signatures fail expiry at strict and are only logged at permissive and audit', async () => {
    for (const file of ['ca_expired_sig_env.json', 'sa_expired_sig_env.json']) {
      const strict = await verify(file, policy('strict'));
      expect(strict.verified).toBe(false);
      expect(strict.failure).toMatchObject({ check: 'expiry', message: 'digital signature has expired on "Fri, 29 Jul 2022 23:59:00 +0000"' });
      for (const level of ['permissive', 'audit'] as const) {
        const r = await verify(file, policy(level));
        expect(r.verified).toBe(true);
        expect(r.checks.find((c) => c.type === 'expiry')).toMatchObject({ action: 'log', outcome: 'failed' });
      }
    }
  });

  it('a signature that requires a verification plugin is inconclusive', async () => {
    const r = await verify('ca_plugin_sig_env.json', policy('strict'));
    expect(r.verified).toBe(false);
    expect(r.failure?.message).toBe(
      'error while locating the verification plugin "plugin-name", make sure the plugin is installed successfully before verifying the signature. error: plugin not found'
    );
  });

  it('an untrusted chain fails authenticity with notation\'s message', async () => {
    const r = await verify('ca_valid_sig_env.json', policy('strict', { trustStores: ['ca:valid-trust-store-2', 'signingAuthority:valid-trust-store-2'] }));
    expect(r.failure).toMatchObject({ check: 'authenticity', message: "the signature's certificate chain does not contain any trusted certificate" });
    const missingSeparator = await verify('ca_valid_sig_env.json', policy('strict', { trustStores: ['ca:valid-trust-store-2', 'signingAuthority'] }));
    expect(missingSeparator.failure?.message).toBe(
      'error while loading the trust store, trust policy statement "test-statement-name" is missing separator in trust store value "signingAuthority". The required format is <TrustStoreType>:<TrustStoreName>'
    );
  });

  it('an identity that does not match fails authenticity; at audit it is only logged', async () => {
    const other = policy('strict', { trustedIdentities: ['x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN'] });
    const r = await verify('ca_valid_sig_env.json', other);
    expect(r.failure?.message).toBe(
      'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]] defined in the trust policy "test-statement-name"'
    );
    const audit = await verify('ca_valid_sig_env.json', { ...other, signatureVerification: { level: 'audit' } });
    expect(audit.verified).toBe(true);
    expect(audit.checks.find((c) => c.type === 'authenticity')?.outcome).toBe('failed');
  });

  it('user metadata must be present exactly (audit level, as notation-go tests it)', async () => {
    const p = policy('audit');
    const target2 = { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b', size: 942 };
    for (const ok of <Record<string, string>[]>[{}, { 'io.wabbit-networks.buildId': '123' }, { 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1672944615' }]) {
      const r = await verify('sig_env_with_metadata.json', p, { userMetadata: ok, target: target2 });
      expect(r.verified, JSON.stringify(ok)).toBe(true);
    }
    for (const bad of <Record<string, string>[]>[{ 'io.wabbit-networks.buildId': '321' }, { 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1' }]) {
      const r = await verify('sig_env_with_metadata.json', p, { userMetadata: bad, target: target2 });
      expect(r.verified).toBe(false);
      expect(r.failure?.message).toBe('unable to find specified metadata in the signature');
    }
    // At strict the self-signed leaf is in no store named by the policy.
    expect((await verify('sig_env_with_metadata.json', policy('strict'), { target: target2 })).failure?.check).toBe('authenticity');
  });

  it('a payload about another artifact is a descriptor mismatch', async () => {
    const r = await verify('ca_valid_sig_env.json', policy('strict'), { target: { ...target, size: 529 } });
    expect(r.verified).toBe(false);
    expect(r.failure?.message).toBe('content descriptor mismatch');
  });

  it('skip level verifies nothing and succeeds', async () => {
    const r = await verify('ca_invalid_sig_env.json', { ...policy('skip'), trustStores: [], trustedIdentities: [] });
    expect(r.verified).toBe(true);
    expect(r.checks.every((c) => c.outcome === 'skipped')).toBe(true);
  });

  it('overrides change one action: expiry logged at strict lets an expired signature pass', async () => {
    const r = await verify('ca_expired_sig_env.json', policy('strict', { signatureVerification: { level: 'strict', override: { expiry: 'log' } } }));
    expect(r.verified).toBe(true);
    expect(r.level).toBe('custom');
    const skipRevocation = await verify('ca_valid_sig_env.json', policy('strict', { signatureVerification: { level: 'strict', override: { revocation: 'skip' } } }));
    expect(skipRevocation.checks.find((c) => c.type === 'revocation')?.outcome).toBe('skipped');
  });
});
