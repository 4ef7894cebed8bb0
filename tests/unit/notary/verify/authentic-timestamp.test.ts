// The authentic-timestamp step on the reference implementation's timestamped envelopes (real
// GlobalSign RFC 3161 tokens), with notation's messages. TSA-chain revocation needs GlobalSign's
// OCSP responder, which tests cannot reach: a checker that reports every certificate good stands
// in for it here (revocation itself is tested against a real responder elsewhere).
import { describe, expect, it } from 'vitest';
import type { TrustPolicyStatement } from '../../../../src/lib/notary/policy/types';
import type { RevocationChecker } from '../../../../src/lib/notary/revocation/types';
import { verifySignature } from '../../../../src/lib/notary/verify/verify-signature';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { readFixture } from '../../../helpers/fixtures';
import { loadVectorStores } from '../../../helpers/vector-trust';

const SIG = 'vectors/notation-go/verifier/testdata/timestamp/sigEnv';
const DERIVED = 'vectors/derived/leaf-certs-from-envelopes';
const clock = () => new Date('2025-06-01T00:00:00Z');
const good: RevocationChecker = async (chain) => chain.map(() => ({ status: 'ok' as const }));

const stores = await loadVectorStores({
  'ca:derived-leaves': [
    `${DERIVED}/testTSA-expired-20240618.6381e2ac01a6d939.pem`,
    `${DERIVED}/testTSA-2000-2001.92ef4ca811f31720.pem`
  ]
});

function policy(trustStores: string[], verifyTimestamp?: 'always' | 'afterCertExpiry'): TrustPolicyStatement {
  return {
    name: 'test-timestamp',
    registryScopes: ['*'],
    signatureVerification: verifyTimestamp ? { level: 'strict', verifyTimestamp } : { level: 'strict' },
    trustStores,
    trustedIdentities: ['*']
  };
}

const WITH_TSA = ['ca:valid-trust-store', 'ca:derived-leaves', 'tsa:test-timestamp'];

async function verify(file: string, p: TrustPolicyStatement) {
  return verifySignature({
    envelope: await readFixture(`${SIG}/${file}`),
    envelopeMediaType: file.startsWith('cose') || file.startsWith('timestampAfter') ? MediaType.cose : MediaType.jws,
    policy: p,
    trustStores: stores,
    clock,
    revocation: good
  });
}

describe('authentic timestamp (notary.x509)', () => {
  it.each(['coseWithTimestamp.sig', 'jwsWithTimestamp.sig', 'coseExpiredWithTimestamp.sig', 'jwsExpiredWithTimestamp.sig'])(
    '%s passes with the GlobalSign TSA root trusted',
    async (file) => {
      const r = await verify(file, policy(WITH_TSA));
      expect(r.verified, r.failure?.message).toBe(true);
      expect(r.checks.find((c) => c.type === 'authenticTimestamp')?.outcome).toBe('passed');
    }
  );

  it('afterCertExpiry verifies the token only once a certificate has expired', async () => {
    expect((await verify('coseWithTimestamp.sig', policy(WITH_TSA, 'afterCertExpiry'))).verified).toBe(true);
    expect((await verify('coseExpiredWithTimestamp.sig', policy(WITH_TSA, 'afterCertExpiry'))).verified).toBe(true);
    // Not expired + afterCertExpiry: the token is not even needed.
    expect((await verify('withoutTimestamp.sig', policy(WITH_TSA, 'afterCertExpiry'))).verified).toBe(true);
  });

  it('without a tsa store an expired signing certificate fails', async () => {
    const r = await verify('coseExpiredWithTimestamp.sig', policy(['ca:valid-trust-store', 'ca:derived-leaves']));
    expect(r.failure).toMatchObject({
      check: 'authenticTimestamp',
      message: 'verification time is after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Jun 2024 07:30:31 +0000"'
    });
  });

  it('a timestamp outside the certificate validity fails, before or after', async () => {
    const after = await verify('timestampAfterNotAfter.sig', policy(WITH_TSA));
    expect(after.failure?.message).toBe(
      'timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Sep 2001 11:54:34 +0000"'
    );
    const before = await verify('timestampBeforeNotBefore.sig', policy(WITH_TSA));
    expect(before.failure?.message).toBe(
      'timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Fri, 18 Sep 2099 11:54:34 +0000"'
    );
  });

  it('a tsa store with the default verifyTimestamp requires a token', async () => {
    const r = await verify('withoutTimestamp.sig', policy(WITH_TSA));
    expect(r.failure).toMatchObject({ check: 'authenticTimestamp', message: 'no timestamp countersignature was found in the signature envelope' });
    expect((await verify('withoutTimestamp.sig', policy(['ca:valid-trust-store']))).verified).toBe(true);
  });

  it('the wrong TSA root fails the token verification', async () => {
    const r = await verify('coseWithTimestamp.sig', policy(['ca:valid-trust-store', 'tsa:test-mismatch']));
    expect(r.failure?.check).toBe('authenticTimestamp');
    expect(r.failure?.message).toMatch(/^failed to verify the timestamp countersignature with error: /);
  });

  it('an unknown TSA revocation status fails the step', async () => {
    const unknown: RevocationChecker = async (chain) => chain.map(() => ({ status: 'unknown' as const }));
    const r = await verifySignature({
      envelope: await readFixture(`${SIG}/coseWithTimestamp.sig`),
      envelopeMediaType: MediaType.cose,
      policy: { ...policy(WITH_TSA), signatureVerification: { level: 'strict', override: { revocation: 'skip' } } },
      trustStores: stores,
      clock,
      revocation: unknown
    });
    expect(r.failure?.check).toBe('authenticTimestamp');
    expect(r.failure?.message).toMatch(/^timestamping certificate with subject ".*" revocation status is unknown$/);
  });
});
