/**
 * Registry scopes: their format, and choosing the statement that applies to an artifact.
 * Spec digest §12.1 (registryScopes, selection).
 */
import { SignetError } from '../../errors';
import { goQuote } from '../go-text';
import { WILDCARD, type TrustPolicyDocument, type TrustPolicyStatement } from './types';

/**
 * notation's domain regex, `^label(\.label)*(:[0-9]+)?$` with label = alphanumerics and hyphens,
 * starting and ending with an alphanumeric. Written as a scan, not a JS regex: the published
 * pattern backtracks badly in a backtracking engine (Go's RE2 does not), and a policy editor
 * runs this on every keystroke.
 */
export function isValidScopeDomain(domain: string): boolean {
  const colon = domain.indexOf(':');
  const host = colon < 0 ? domain : domain.slice(0, colon);
  if (colon >= 0 && !/^[0-9]+$/.test(domain.slice(colon + 1))) return false;
  for (const label of host.split('.')) {
    if (!/^[a-zA-Z0-9-]+$/.test(label) || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return true;
}

/**
 * notation's repository regex: components separated by `/`, each of lowercase alphanumerics
 * joined by `.`, `_`, `__` or a run of `-`. A linear scan for the same reason as the domain.
 */
export function isValidScopeRepository(repository: string): boolean {
  for (const component of repository.split('/')) {
    if (!/^[a-z0-9._-]+$/.test(component)) return false;
    // Maximal runs of separators between alphanumeric runs; the ends must be alphanumeric.
    const separators = component.split(/[a-z0-9]+/);
    if (separators[0] !== '' || separators[separators.length - 1] !== '') return false;
    for (const sep of separators.slice(1, -1)) {
      if (sep !== '.' && sep !== '_' && sep !== '__' && !/^-+$/.test(sep)) return false;
    }
  }
  return true;
}

const ENSURE =
  'make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout';

/** Where notation's quickstart explains trust policies; part of its messages. */
export const TRUST_POLICY_LINK = 'https://notaryproject.dev/docs/quickstart/#create-a-trust-policy';

/**
 * notation's check of one non-wildcard scope: `domain[:port]/path` with no `*`, no scheme, tag or
 * digest. Returns notation's message, or null when the scope is well formed.
 */
export function registryScopeProblem(scope: string): string | null {
  if (scope.length > 1 && scope.includes('*')) return `registry scope ${goQuote(scope)} with wild card(s) is not valid, ${ENSURE}`;
  const slash = scope.indexOf('/');
  const invalid = `registry scope ${goQuote(scope)} is not valid, ${ENSURE}`;
  if (slash < 0) return invalid;
  const domain = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  if (domain === '' || repository === '' || !isValidScopeDomain(domain) || !isValidScopeRepository(repository)) return invalid;
  return null;
}

/**
 * The repository part of `<registry>/<repository>@<digest>` (cut at the last `@`), checked as a
 * scope. Throws ERR_REFERENCE_INVALID with notation's message.
 */
export function artifactScope(artifactReference: string): string {
  const at = artifactReference.lastIndexOf('@');
  if (at < 0) {
    throw new SignetError(
      'ERR_REFERENCE_INVALID',
      `artifact URI ${goQuote(artifactReference)} could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest`
    );
  }
  const scope = artifactReference.slice(0, at);
  const problem = registryScopeProblem(scope);
  if (problem !== null) throw new SignetError('ERR_REFERENCE_INVALID', problem);
  return scope;
}

/**
 * Picks the statement that applies to an artifact reference `<registry>/<repository>@<digest>`:
 * the statement listing the exact repository, else the `*` statement, else
 * ERR_TRUST_POLICY_NOT_APPLICABLE with notation's message. Like notation, the reference must
 * already be resolved to a digest (only the part before the last `@` is looked at) and is never
 * expanded (`docker.io/library/x`, not `x`).
 * Spec digest §12.1 "Selection", §12.6 step 2.
 */
export function selectTrustPolicy(document: TrustPolicyDocument, artifactReference: string): TrustPolicyStatement {
  const scope = artifactScope(artifactReference);
  let wildcard: TrustPolicyStatement | undefined;
  let exact: TrustPolicyStatement | undefined;
  for (const statement of document.trustPolicies) {
    if (statement.registryScopes.includes(WILDCARD)) wildcard = statement;
    else if (statement.registryScopes.includes(scope)) exact = statement;
  }
  const chosen = exact ?? wildcard;
  if (chosen) return chosen;
  throw new SignetError(
    'ERR_TRUST_POLICY_NOT_APPLICABLE',
    `artifact ${goQuote(artifactReference)} has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${TRUST_POLICY_LINK}`
  );
}
