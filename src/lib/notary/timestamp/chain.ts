/**
 * TSA certificate path building: from the timestamp's signer certificate through the token's
 * certificates to a trusted TSA root, as Go's crypto/x509 `Certificate.Verify` does it for
 * notation (validation time = genTime, EKU timeStamping nested down the chain; tspclient-go
 * SignedToken.Verify). The §8 profile of the resulting chain is x509/chain.ts's job.
 *
 * Local to the timestamp module because src/lib/notary/x509 validates a given chain but does not
 * search certificate pools; it reuses x509's Go-worded signature checks.
 */
import { bytesEqual } from '../../bytes';
import type { Certificate } from '../x509/certificate';
import { goQuote } from '../x509/go-format';
import { checkSignatureFrom } from '../x509/signature';
import { formatGoTime, type PreciseTime, dateToNs } from './asn1';
import { TSP_OID } from './oids';

/** A chain problem with Go's wording. */
export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

// Extensions Go's x509 parser understands; any other critical extension fails verification.
const HANDLED_EXTENSIONS = new Set(['15', '19', '17', '30', '31', '35', '36', '37', '14', '32', '33', '54'].map((n) => `2.5.29.${n}`));

const MAX_SIGNATURE_CHECKS = 100;

type CertType = 'leaf' | 'intermediate' | 'root';

function rfc3339(ns: bigint): string {
  return formatGoTime({ ns, offsetMinutes: 0 }, 'RFC3339');
}

/** Go's Certificate.isValid, returning the error text or undefined. */
function validityProblem(cert: Certificate, certType: CertType, chain: readonly Certificate[], at: PreciseTime): string | undefined {
  if (cert.extensions.some((e) => e.critical && !HANDLED_EXTENSIONS.has(e.oid))) return 'x509: unhandled critical extension';
  const child = chain[chain.length - 1];
  if (child && !bytesEqual(child.rawIssuer, cert.rawSubject)) return 'x509: issuer name does not match subject from issuing certificate';
  const notBefore = dateToNs(cert.notBefore);
  const notAfter = dateToNs(cert.notAfter);
  if (at.ns < notBefore) {
    return `x509: certificate has expired or is not yet valid: current time ${formatGoTime(at, 'RFC3339')} is before ${rfc3339(notBefore)}`;
  }
  if (at.ns > notAfter) {
    return `x509: certificate has expired or is not yet valid: current time ${formatGoTime(at, 'RFC3339')} is after ${rfc3339(notAfter)}`;
  }
  if (certType === 'intermediate' && !cert.isCA) return 'x509: certificate is not authorized to sign other certificates';
  const pathLen = cert.basicConstraints?.pathLenConstraint;
  if (cert.basicConstraints && pathLen !== undefined && pathLen >= 0 && chain.length - 1 > pathLen) {
    return 'x509: too many intermediates for path length constraint';
  }
  return undefined;
}

function extensionValue(cert: Certificate, oid: string): Uint8Array | undefined {
  return cert.extensions.find((e) => e.oid === oid)?.value;
}

/** SubjectKeyIdentifier: OCTET STRING inside the extension value. */
function subjectKeyId(cert: Certificate): Uint8Array | undefined {
  const v = extensionValue(cert, TSP_OID.subjectKeyIdentifier);
  if (!v || v.length < 2 || v[0] !== 0x04 || v[1]! >= 0x80 || v.length !== 2 + v[1]!) return undefined;
  return v.subarray(2);
}

/** AuthorityKeyIdentifier.keyIdentifier ([0] IMPLICIT, first field). */
function authorityKeyId(cert: Certificate): Uint8Array | undefined {
  const v = extensionValue(cert, TSP_OID.authorityKeyIdentifier);
  if (!v || v.length < 4 || v[0] !== 0x30 || v[2] !== 0x80 || v[3]! >= 0x80) return undefined;
  return v.subarray(4, 4 + v[3]!);
}

/** Go's CertPool.findPotentialParents: same issuer name, best key-id match first. */
function potentialParents(cert: Certificate, pool: readonly Certificate[]): Certificate[] {
  const akid = authorityKeyId(cert) ?? new Uint8Array(0);
  const matching: Certificate[] = [];
  const one: Certificate[] = [];
  const mismatch: Certificate[] = [];
  for (const candidate of pool) {
    if (!bytesEqual(candidate.rawSubject, cert.rawIssuer)) continue;
    const skid = subjectKeyId(candidate) ?? new Uint8Array(0);
    if (bytesEqual(skid, akid)) matching.push(candidate);
    else if ((skid.length === 0 && akid.length > 0) || (skid.length > 0 && akid.length === 0)) one.push(candidate);
    else mismatch.push(candidate);
  }
  return [...matching, ...one, ...mismatch];
}

/** Go's alreadyInChain: same subject, key and SAN (stops cross-signing loops). */
function alreadyInChain(candidate: Certificate, chain: readonly Certificate[]): boolean {
  const san = extensionValue(candidate, TSP_OID.subjectAltName);
  return chain.some((cert) => {
    if (!bytesEqual(candidate.rawSubject, cert.rawSubject) || !bytesEqual(candidate.publicKey.spki, cert.publicKey.spki)) return false;
    const other = extensionValue(cert, TSP_OID.subjectAltName);
    if (!san && !other) return true;
    return !!san && !!other && bytesEqual(san, other);
  });
}

function hintName(cert: Certificate): string {
  const cn = [...cert.subjectAttributes].reverse().find((a) => a.oid === '2.5.4.3')?.value;
  if (cn) return cn;
  const o = cert.subjectAttributes.find((a) => a.oid === '2.5.4.10')?.value;
  if (o) return o;
  return `serial:${BigInt(`0x${cert.serialNumber}`).toString()}`;
}

interface BuildState {
  checks: number;
}

const LIMIT = 'x509: signature check attempts limit reached while verifying certificate chain';

/**
 * Go's buildChains, including how it reports failure: the error variable is shared by every
 * candidate (a failed validity check or a failed deeper search overwrites it, a later success
 * clears it), and "unknown authority" is only produced when nothing else is set.
 */
async function buildChains(
  chain: Certificate[],
  intermediates: readonly Certificate[],
  roots: readonly Certificate[],
  at: PreciseTime,
  state: BuildState
): Promise<{ chains: Certificate[][]; error?: string }> {
  const current = chain[chain.length - 1]!;
  const chains: Certificate[][] = [];
  let hint: { error: string; cert: Certificate } | undefined;
  let error: string | undefined;
  const consider = async (certType: CertType, candidate: Certificate) => {
    state.checks++;
    if (state.checks > MAX_SIGNATURE_CHECKS) {
      error = LIMIT;
      return;
    }
    // Go skips candidates whose key it cannot load (PublicKey == nil) without a hint.
    if (candidate.publicKey.keyType === 'unknown' || alreadyInChain(candidate, chain)) return;
    const signatureProblem = await checkSignatureFrom(current, candidate);
    if (signatureProblem !== undefined) {
      hint ??= { error: signatureProblem, cert: candidate };
      return;
    }
    error = validityProblem(candidate, certType, chain, at);
    if (error) {
      hint ??= { error, cert: candidate };
      return;
    }
    if (certType === 'root') {
      chains.push([...chain, candidate]);
    } else {
      const child = await buildChains([...chain, candidate], intermediates, roots, at, state);
      chains.push(...child.chains);
      error = child.error;
    }
  };
  outer: for (const [certType, pool] of [
    ['root', roots],
    ['intermediate', intermediates]
  ] as const) {
    for (const candidate of potentialParents(current, pool)) {
      await consider(certType, candidate);
      if (error === LIMIT) break outer;
    }
  }
  if (chains.length > 0) return { chains };
  if (error === undefined) {
    error = 'x509: certificate signed by unknown authority';
    if (hint) error += ` (possibly because of ${goQuote(hint.error)} while trying to verify candidate authority certificate ${goQuote(hintName(hint.cert))})`;
  }
  return { chains, error };
}


/** Go's checkChainForKeyUsage for a single requested usage (timeStamping). */
function chainAllowsTimeStamping(chain: readonly Certificate[]): boolean {
  for (const cert of chain) {
    const oids = cert.extendedKeyUsage?.oids ?? [];
    if (oids.length === 0 || oids.includes(TSP_OID.ekuAny)) continue;
    if (!oids.includes(TSP_OID.ekuTimeStamping)) return false;
  }
  return true;
}

/**
 * Go's `Certificate.Verify` with Roots = the TSA roots, Intermediates = the token's certificates,
 * KeyUsages = [timeStamping], CurrentTime = `at`. Returns every chain found (leaf first, root
 * last), or throws ChainError with Go's message. Name constraints and certificate policies are
 * not evaluated (no Notary TSA chain uses them).
 */
export async function verifyTsaChain(leaf: Certificate, intermediates: readonly Certificate[], roots: readonly Certificate[], at: PreciseTime): Promise<Certificate[][]> {
  const problem = validityProblem(leaf, 'leaf', [], at);
  if (problem) throw new ChainError(problem);
  let candidates: Certificate[][];
  if (roots.some((r) => bytesEqual(r.der, leaf.der))) {
    candidates = [[leaf]];
  } else {
    const built = await buildChains([leaf], intermediates, roots, at, { checks: 0 });
    if (built.error !== undefined) throw new ChainError(built.error);
    candidates = built.chains;
  }
  const usable = candidates.filter(chainAllowsTimeStamping);
  if (usable.length === 0) throw new ChainError('x509: certificate specifies an incompatible key usage');
  return usable;
}
