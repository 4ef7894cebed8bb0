import { describe, expect, it } from 'vitest';
import {
  checkDocument,
  checkTrustPolicy,
  createStatement,
  createTrustPolicy,
  policyAdvice,
  textPosition,
  withoutStatement,
  withStatement
} from '../../../../src/lib/notary/policy/editor';
import { formatTrustPolicy } from '../../../../src/lib/notary/policy/trust-policy';

describe('building a policy in an editor', () => {
  const app = createStatement({ name: 'app', registryScopes: ['r.io/app'], trustStores: ['ca:acme'], trustedIdentities: ['*'] });
  const legacy = createStatement({ name: 'legacy', registryScopes: ['r.io/legacy'], level: 'skip', trustStores: ['ca:ignored'] });

  it('builds statements with notation’s shape (skip drops stores and identities)', () => {
    expect(app).toEqual({ name: 'app', registryScopes: ['r.io/app'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: ['*'] });
    expect(legacy.trustStores).toEqual([]);
    expect(createStatement({ name: 'x', override: { expiry: 'log' }, verifyTimestamp: 'always' }).signatureVerification).toEqual({ level: 'strict', override: { expiry: 'log' }, verifyTimestamp: 'always' });
  });

  it('validates after every edit, reporting every issue', () => {
    let doc = createTrustPolicy([app, legacy]);
    expect(checkDocument(doc).issues).toEqual([]);
    expect(formatTrustPolicy(checkDocument(doc).document!)).toContain('"legacy"');
    doc = withStatement(doc, 2, createStatement({ name: 'app', registryScopes: ['r.io/app', 'r.io/App'] }));
    expect(checkDocument(doc).issues.map((i) => i.path)).toEqual([
      '$.trustPolicies[2].name',
      '$.trustPolicies[2].trustStores',
      '$.trustPolicies[2].registryScopes[1]',
      '$.trustPolicies[2].registryScopes[0]'
    ]);
    doc = withoutStatement(doc, 2);
    expect(checkDocument(doc).document).not.toBeNull();
  });
});

describe('textPosition', () => {
  it('turns byte offsets into string index, line and column', () => {
    const text = '{\n  "name": "é😀",\n  "x": 1\n}';
    const { issues } = checkTrustPolicy(text);
    expect(issues[0]!.path).toBe('$.version');
    expect(textPosition(text, 0)).toEqual({ index: 0, line: 1, column: 1 });
    const bytesBeforeX = new TextEncoder().encode('{\n  "name": "é😀",\n  ').length;
    expect(textPosition(text, bytesBeforeX)).toEqual({ index: text.indexOf('"x"'), line: 3, column: 3 });
    expect(textPosition(text, new TextEncoder().encode(text).length)).toEqual({ index: text.length, line: 4, column: 2 });
    // Inside a multi-byte character, or outside the text: no position.
    expect(textPosition(text, new TextEncoder().encode('{\n  "name": "').length + 1)).toBeNull();
    expect(textPosition(text, 10_000)).toBeNull();
    expect(textPosition(text, undefined)).toBeNull();
  });

  it('places a syntax error under the offending character', () => {
    const text = '{"version": "1.0",\n "trustPolicies": [,]}';
    const issue = checkTrustPolicy(text).issues[0]!;
    expect(issue.message).toBe("invalid character ',' looking for beginning of value");
    expect(textPosition(text, issue.offset)).toEqual({ index: text.lastIndexOf(','), line: 2, column: 20 });
  });
});

describe('policyAdvice', () => {
  it('flags what notation accepts but will not work as meant', () => {
    const doc = checkTrustPolicy({
      version: '1.0',
      trustPolicies: [
        { name: 'all-skip', registryScopes: ['*'], signatureVerification: { level: 'skip' } },
        { name: 'tsa-only', registryScopes: ['r.io/a'], signatureVerification: { level: 'strict', verifyTimestamp: 'always' }, trustStores: ['tsa:ts'], trustedIdentities: ['x509.san:a', 'x509.subject:C=US,ST=WA,O=A'] },
        { name: 'no-tsa', registryScopes: ['r.io/b'], signatureVerification: { level: 'audit', verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:a'], trustedIdentities: ['X509.subject:C=US'] },
        { name: 'fine', registryScopes: ['r.io/c'], signatureVerification: { level: 'strict' }, trustStores: ['signingAuthority:s'], trustedIdentities: ['*'] },
        {
          name: 'spec-overlap',
          registryScopes: ['r.io/d'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:a'],
          trustedIdentities: ['x509.subject:C=US,ST=WA,O=A,OU=x', 'x509.subject:C=US,ST=WA,O=B,OU=x', 'x509.subject:C=US,ST=WA,O=A,CN=y']
        }
      ]
    }).document!;
    expect(policyAdvice(doc).map((a) => a.path)).toEqual([
      '$.trustPolicies[0].registryScopes',
      '$.trustPolicies[1].trustedIdentities[0]',
      '$.trustPolicies[1].trustStores',
      '$.trustPolicies[2].trustedIdentities[0]',
      '$.trustPolicies[2].trustedIdentities',
      '$.trustPolicies[2].signatureVerification.verifyTimestamp',
      '$.trustPolicies[4].trustedIdentities[2]'
    ]);
    expect(policyAdvice(doc).at(-1)!.message).toMatch(/identities 1 and 3 of statement "spec-overlap" overlap in the sense of the specification/);
    expect(policyAdvice(doc)[0]!.message).toMatch(/forbids skip with the global scope, although notation accepts it/);
  });
});
