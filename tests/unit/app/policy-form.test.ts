/**
 * The trust policy editor's model: form ↔ notation's JSON, notation's issues placed on the field
 * and line they concern, advice, and the JSON view's line/column positions.
 */
import { describe, expect, it } from 'vitest';
import { checkPolicyForm, checkPolicyText, formFromPolicy, formToValue, locate, newStatement, type PolicyForm } from '../../../src/lib/app/policy-form';
import { parseTrustPolicy } from '../../../src/lib/notary/policy/trust-policy';

const VALID = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'wabbit',
      registryScopes: ['registry.example/wabbit/net-monitor', 'registry.example/wabbit/other'],
      signatureVerification: { level: 'permissive', override: { expiry: 'enforce', revocation: 'skip' }, verifyTimestamp: 'afterCertExpiry' },
      trustStores: ['ca:acme', 'tsa:stamps'],
      trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io']
    },
    { name: 'skip-test', registryScopes: ['registry.example/test'], signatureVerification: { level: 'skip' } }
  ]
};

describe('policy form', () => {
  it('round-trips a policy through the form to the JSON notation writes', () => {
    const form = formFromPolicy(JSON.stringify(VALID));
    expect(form.statements[0]).toMatchObject({
      name: 'wabbit',
      scopes: 'registry.example/wabbit/net-monitor\nregistry.example/wabbit/other',
      level: 'permissive',
      overrides: { authenticity: '', authenticTimestamp: '', expiry: 'enforce', revocation: 'skip' },
      verifyTimestamp: 'afterCertExpiry',
      stores: 'ca:acme\ntsa:stamps'
    });
    const check = checkPolicyForm(form);
    expect(check.issues).toEqual([]);
    expect(check.document).toEqual(parseTrustPolicy(VALID));
    expect(JSON.parse(check.json)).toEqual(VALID);
    expect(check.json).toMatch(/^\{\n {4}"version": "1.0",/);
  });

  it('refuses to show in the form what it would lose or cannot represent', () => {
    expect(() => formFromPolicy('{"version":"2.0","trustPolicies":[]}')).toThrow('the version is "2.0", not "1.0"');
    expect(() => formFromPolicy({ version: '1.0', trustPolicies: [{ name: 'x', signatureVerification: { level: 'strict' }, registryScopes: [1] }] })).toThrow(
      'statement 1: registryScopes is not a list of text values'
    );
    expect(() => formFromPolicy({ version: '1.0', trustPolicies: [{ name: 'x', signatureVerification: { level: 'strict', override: { integrity: 'log' } } }] })).toThrow(
      'override "integrity": "log" is not a check and action the form offers'
    );
    expect(() => formFromPolicy('{')).toThrow();
  });

  it('places notation\'s issues on the statement, field and line, as the user types', () => {
    const st = newStatement({ name: 'acme', stores: ['ca:acme'] });
    const form: PolicyForm = { statements: [{ ...st, scopes: 'registry.example/app\n\nregistry.example/app:v1' }] };
    const check = checkPolicyForm(form);
    expect(check.document).toBeNull();
    expect(check.issues).toEqual([
      {
        path: '$.trustPolicies[0].registryScopes[1]',
        message: 'registry scope "registry.example/app:v1" is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout',
        statement: 0,
        field: 'scopes',
        line: 3
      }
    ]);
    form.statements[0]!.scopes = 'registry.example/app\n\nregistry.example/other';
    const fixed = checkPolicyForm(form);
    expect(fixed.issues).toEqual([]);
    expect(fixed.document?.trustPolicies[0]!.registryScopes).toEqual(['registry.example/app', 'registry.example/other']);
  });

  it('reports empty names, missing stores and skip with stores, each on its field', () => {
    const a = { ...newStatement(), name: '' };
    const b = { ...newStatement({ name: 'b' }), scopes: 'r.example/b', stores: '' };
    const c = { ...newStatement({ name: 'c', stores: ['ca:x'] }), scopes: 'r.example/c', level: 'skip' as const };
    const check = checkPolicyForm({ statements: [a, b, c] });
    expect(check.issues.map((i) => [i.statement, i.field, i.message])).toEqual([
      [0, 'name', 'trust policy: a trust policy statement is missing a name, every statement requires a name'],
      [0, 'stores', 'trust policy: trust policy statement "" is either missing trust stores or trusted identities, both must be specified'],
      [1, 'stores', 'trust policy: trust policy statement "b" is either missing trust stores or trusted identities, both must be specified'],
      [2, 'stores', 'trust policy: trust policy statement "c" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped']
    ]);
    expect(formToValue({ statements: [{ ...c, stores: '', identities: '' }] }).value).toEqual({
      version: '1.0',
      trustPolicies: [{ name: 'c', registryScopes: ['r.example/c'], signatureVerification: { level: 'skip' } }]
    });
  });

  it('gives advice for valid policies that will not work as meant, including stores this browser lacks', () => {
    const st = { ...newStatement({ name: 'a', stores: ['tsa:stamps', 'ca:missing'] }), verifyTimestamp: 'always' as const, identities: 'x509.subject: C=US, ST=WA, O=a, CN=x\n\nx509.subject: C=US, ST=WA, O=a, OU=y' };
    const check = checkPolicyForm({ statements: [st] }, new Set(['tsa:stamps']));
    expect(check.issues).toEqual([]);
    expect(check.advice.map((a) => [a.field, a.line, a.message])).toEqual([
      ['identities', 3, 'identities 1 and 2 of statement "a" overlap in the sense of the specification (a certificate with both sets of attributes matches both); notation accepts them'],
      ['stores', 2, 'trust store "ca:missing" is not stored in this browser: import it or add certificates to it, or verification with statement "a" fails']
    ]);
  });

  it('locates document-level and override paths', () => {
    expect(locate('$', 'x')).toEqual({ path: '$', message: 'x', statement: null, field: null });
    expect(locate('$.trustPolicies[2].signatureVerification.override.expiry', 'y')).toMatchObject({ statement: 2, field: 'overrides' });
    expect(locate('$.trustPolicies[0].signatureVerification.verifyTimestamp', 'z')).toMatchObject({ field: 'verifyTimestamp' });
  });
});

describe('policy JSON view', () => {
  it('gives line and column for syntax and rule problems', () => {
    const syntax = checkPolicyText('{\n  "version": "1.0",\n  "trustPolicies": [,]\n}');
    expect(syntax.document).toBeNull();
    expect(syntax.issues[0]).toMatchObject({ line: 3, column: 21 });
    const rule = checkPolicyText('{\n  "version": "1.1",\n  "trustPolicies": []\n}');
    expect(rule.issues[0]).toMatchObject({ path: '$.version', message: 'trust policy document uses unsupported version "1.1"', line: 2 });
    const ok = checkPolicyText(JSON.stringify(VALID));
    expect(ok.issues).toEqual([]);
    expect(ok.formatted && JSON.parse(ok.formatted)).toEqual(VALID);
  });
});
