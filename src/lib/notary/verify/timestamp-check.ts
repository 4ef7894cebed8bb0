/**
 * The authentic-timestamp step under notary.x509 when the policy has a `tsa` store (spec digest
 * §10 verification, §12.4 step 5), with notation-go's messages: the token must be present, parse,
 * cover the signature, verify to a trusted TSA root at its own time, and its whole time range must
 * sit inside every signing certificate's validity. TSA-chain revocation is checked too.
 */
import { isSignetError } from '../../errors';
import type { TrustPolicyStatement } from '../policy/types';
import { revocationVerdict, type RevocationChecker } from '../revocation/types';
import { verifyTimestampForSignature } from '../timestamp/verify';
import type { Certificate } from '../x509/certificate';
import { checkTimestampRangeWithinValidity } from '../x509/validity';
import { loadTrustCertificates, type TrustStoreSet } from './trust-stores';

export async function verifyAuthenticTimestampToken(options: {
  token: Uint8Array | undefined;
  signature: Uint8Array;
  chain: readonly Certificate[];
  policy: TrustPolicyStatement;
  trustStores: TrustStoreSet;
  revocation?: RevocationChecker;
}): Promise<string | undefined> {
  if (!options.token || options.token.length === 0) return 'no timestamp countersignature was found in the signature envelope';
  let roots: Certificate[];
  try {
    roots = loadTrustCertificates('tsa', options.policy.name, options.policy.trustStores, options.trustStores);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return `failed to load tsa trust store with error: ${e.message}`;
  }
  if (roots.length === 0) return 'no trusted TSA certificate found in trust store';
  let verified;
  try {
    verified = await verifyTimestampForSignature(options.token, options.signature, roots);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return e.message;
  }
  const problem = checkTimestampRangeWithinValidity(options.chain, verified.range);
  if (problem) return problem.message;
  if (options.revocation) {
    try {
      const results = await options.revocation(verified.tsaChain, {});
      const verdict = revocationVerdict(verified.tsaChain, results);
      if (verdict.status === 'revoked') return `timestamping certificate with subject "${verdict.subject}" is revoked`;
      if (verdict.status === 'unknown') return `timestamping certificate with subject "${verdict.subject}" revocation status is unknown`;
    } catch (e) {
      return `failed to check timestamping certificate chain revocation with error: ${(e as Error).message}`;
    }
  }
  return undefined;
}
