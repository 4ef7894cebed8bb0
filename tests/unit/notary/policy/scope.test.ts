import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import {
  artifactScope,
  isValidScopeDomain,
  isValidScopeRepository,
  registryScopeProblem,
  selectTrustPolicy
} from '../../../../src/lib/notary/policy/scope';
import { parseTrustPolicy } from '../../../../src/lib/notary/policy/trust-policy';

// notation's published regexes; safe to run here because the generated inputs are short.
const DOMAIN_RE =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;

const DIGEST = 'sha256:' + 'a'.repeat(64);

describe('registry scope format', () => {
  it.each([
    ['registry.example.com/team/app', null],
    ['localhost:5000/net-monitor', null],
    ['Registry.Example.COM/app', null],
    ['local/my-layout', null],
    ['r.io/a.b/c_d/e__f/g---h', null],
    ['r.io', 'is not valid'],
    ['r.io/', 'is not valid'],
    ['/app', 'is not valid'],
    ['r.io/App', 'is not valid'],
    ['r.io/app:v1', 'is not valid'],
    ['https://r.io/app', 'is not valid'],
    ['r_x.io/app', 'is not valid'],
    ['-r.io/app', 'is not valid'],
    ['r.io:/app', 'is not valid'],
    ['r.io/a___b', 'is not valid'],
    ['r.io/a._b', 'is not valid'],
    ['', 'is not valid'],
    ['r.io/*', 'with wild card(s) is not valid'],
    ['**', 'with wild card(s) is not valid']
  ])('%j', (scope, problem) => {
    const message = registryScopeProblem(scope);
    if (problem === null) expect(message).toBeNull();
    else expect(message).toBe(`registry scope ${JSON.stringify(scope)} ${problem}, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout`);
  });

  it('decides domains and repositories exactly as notation’s regexes', () => {
    const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text(['a', 'Z', '0', '-', '.', ':', '9', '_', 'é']), (domain) => {
        expect(isValidScopeDomain(domain)).toBe(DOMAIN_RE.test(domain));
      }),
      { numRuns: 3000 }
    );
    fc.assert(
      fc.property(text(['a', 'z', '0', '-', '.', '_', '/', 'A']), (repository) => {
        expect(isValidScopeRepository(repository)).toBe(REPOSITORY_RE.test(repository));
      }),
      { numRuns: 3000 }
    );
  });

  it('stays linear on inputs that make the published regexes backtrack', () => {
    const started = Date.now();
    expect(isValidScopeRepository('a'.repeat(50_000) + '!')).toBe(false);
    expect(isValidScopeRepository('a-'.repeat(50_000) + '-')).toBe(false);
    expect(isValidScopeDomain('a-'.repeat(50_000) + '.')).toBe(false);
    expect(registryScopeProblem('r.io/' + 'ab'.repeat(100_000) + '!')).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts an artifact reference at its last "@"', () => {
    expect(artifactScope(`localhost:5000/a/b@${DIGEST}`)).toBe('localhost:5000/a/b');
    expect(() => artifactScope('localhost:5000/a/b:tag')).toThrowError(
      'artifact URI "localhost:5000/a/b:tag" could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest'
    );
    expect(() => artifactScope(`alpine@${DIGEST}`)).toThrowError(expect.objectContaining({ code: 'ERR_REFERENCE_INVALID', message: expect.stringMatching(/^registry scope "alpine" is not valid/) }));
  });
});

describe('selectTrustPolicy', () => {
  const statement = (name: string, level: string, ...registryScopes: string[]) =>
    level === 'skip'
      ? { name, registryScopes, signatureVerification: { level } }
      : { name, registryScopes, signatureVerification: { level }, trustStores: ['ca:a'], trustedIdentities: ['*'] };
  const policy = parseTrustPolicy({
    version: '1.0',
    trustPolicies: [statement('global', 'audit', '*'), statement('app', 'strict', 'r.io/team/app', 'r.io/team/app2'), statement('legacy', 'skip', 'r.io/team/legacy')]
  });
  const pick = (repo: string): string => selectTrustPolicy(policy, `${repo}@${DIGEST}`).name;

  it('prefers the statement naming the repository, wherever the global one is', () => {
    expect(pick('r.io/team/app')).toBe('app');
    expect(pick('r.io/team/app2')).toBe('app');
    expect(pick('r.io/team/legacy')).toBe('legacy');
  });

  it('falls back to the global statement, with no prefix or case folding', () => {
    expect(pick('r.io/team/app/sub')).toBe('global');
    expect(pick('r.io/team')).toBe('global');
    expect(pick('R.io/team/app')).toBe('global');
  });

  it('fails with notation’s message when nothing applies', () => {
    const noGlobal = parseTrustPolicy({ version: '1.0', trustPolicies: [statement('app', 'strict', 'r.io/team/app')] });
    let error: unknown;
    try {
      selectTrustPolicy(noGlobal, `r.io/team/other@${DIGEST}`);
    } catch (e) {
      error = e;
    }
    expect(isSignetError(error, 'ERR_TRUST_POLICY_NOT_APPLICABLE')).toBe(true);
    expect((error as Error).message).toBe(
      `artifact "r.io/team/other@${DIGEST}" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy`
    );
  });
});
