// Every envelope in the reference vectors reaches its documented outcome through the full
// per-signature pipeline, with the vectors' trust stores and policies and a pinned clock.
// Browsers run no verification plugins, so every envelope that names one is inconclusive here —
// the outcome notation itself reaches when the plugin is not installed.
import { describe, expect, it } from 'vitest';
import { parseTrustPolicy } from '../../../../src/lib/notary/policy/trust-policy';
import type { TrustPolicyStatement } from '../../../../src/lib/notary/policy/types';
import type { RevocationChecker } from '../../../../src/lib/notary/revocation/types';
import { verifySignature } from '../../../../src/lib/notary/verify/verify-signature';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { readFixture, readFixtureJson, readFixtureText } from '../../../helpers/fixtures';
import { loadVectorStores } from '../../../helpers/vector-trust';

interface Vector {
  id: string;
  format: 'cose' | 'jws';
  files: string[];
  expected: { result: string };
}
const { vectors } = await readFixtureJson<{ vectors: Vector[] }>('vectors/vectors.json');
const stores = await loadVectorStores({ 'ca:derived-alpine': ['vectors/derived/leaf-certs-from-envelopes/alpine-2000-2123.9f5f5aecee24b5cf.pem'], 'ca:derived-testtsa': ['vectors/derived/leaf-certs-from-envelopes/testTSA-expired-20240618.6381e2ac01a6d939.pem', 'vectors/derived/leaf-certs-from-envelopes/testTSA-2000-2001.92ef4ca811f31720.pem'] });
const clock = () => new Date('2025-06-01T00:00:00Z');
const good: RevocationChecker = async (chain) => chain.map(() => ({ status: 'ok' as const }));

async function policyFrom(file: string): Promise<TrustPolicyStatement> {
  return parseTrustPolicy(await readFixtureText(`vectors/derived/trustpolicies-from-go-tests/${file}`)).trustPolicies[0]!;
}

/** The policy each group of vectors is verified under (from the Go tests that use them). */
async function setup(v: Vector): Promise<{ policy: TrustPolicyStatement; expectVerified: boolean; failure?: RegExp }> {
  const r = v.expected.result;
  if (v.id === 'NG-01' || v.id === 'NG-02') {
    return {
      policy: { name: 'alpine', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:derived-alpine'], trustedIdentities: ['*'] },
      expectVerified: true
    };
  }
  if (v.id.startsWith('NG-M-pluginver')) {
    return { policy: await policyFrom('notation-go.verifier.TestPluginVersionCompatibility.trustpolicy.oci.json'), expectVerified: false, failure: /error while locating the verification plugin "io.cncf.notary.plugin.unittest.mock"/ };
  }
  if (v.id === 'NG-M-metadata') {
    return { policy: { ...(await policyFrom('notation-go.verifier.dummyOCIPolicyDocument.trustpolicy.oci.json')), signatureVerification: { level: 'audit' } }, expectVerified: true };
  }
  if (v.id.startsWith('NG-M-')) {
    const policy = await policyFrom('notation-go.verifier.dummyOCIPolicyDocument.trustpolicy.oci.json');
    if (r === 'valid') return { policy, expectVerified: true };
    if (r === 'integrity-failure') return { policy, expectVerified: false, failure: /base64/ };
    if (r === 'expired') return { policy, expectVerified: false, failure: /^digital signature has expired on "Fri, 29 Jul 2022 23:59:00 \+0000"$/ };
    return { policy, expectVerified: false, failure: /error while locating the verification plugin "plugin-name"/ };
  }
  // Timestamp vectors: the TestAuthenticTimestamp policy, plus a ca store holding the signers the origin stores lack.
  const policy = await policyFrom('notation-go.verifier.TestAuthenticTimestamp.trustpolicy.oci.json');
  const withLeaves = { ...policy, trustStores: [...policy.trustStores, 'ca:derived-testtsa'] };
  if (r.startsWith('valid') || r.startsWith('authentic timestamp OK')) return { policy: withLeaves, expectVerified: true };
  if (v.id.endsWith('after-notafter')) return { policy: withLeaves, expectVerified: false, failure: /^timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period/ };
  if (v.id.endsWith('before-notbefore')) return { policy: withLeaves, expectVerified: false, failure: /^timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period/ };
  return { policy: withLeaves, expectVerified: false, failure: /^no timestamp countersignature was found in the signature envelope$/ };
}

const verifiable = vectors.filter((v) => !v.id.startsWith('NC-'));

describe('reference vectors: documented outcomes', () => {
  it('covers all 26 verifiable envelopes (the 2 conformance vectors are encoding-only, tested elsewhere)', () => {
    expect(verifiable).toHaveLength(26);
    expect(vectors).toHaveLength(28);
  });

  it.each(verifiable.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    const { policy, expectVerified, failure } = await setup(v);
    const result = await verifySignature({
      envelope: await readFixture(`vectors/${v.files[0]}`),
      envelopeMediaType: v.format === 'cose' ? MediaType.cose : MediaType.jws,
      policy,
      trustStores: stores,
      clock,
      revocation: good
    });
    expect(result.verified, result.failure?.message).toBe(expectVerified);
    if (failure) expect(result.failure?.message).toMatch(failure);
  });
});
