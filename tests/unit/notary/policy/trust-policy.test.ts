import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import {
  checkTrustPolicy,
  formatTrustPolicy,
  hasTsaTrustStore,
  MAX_TRUST_POLICY_BYTES,
  parseTrustPolicy,
  parseTrustStoreReference,
  trustStoreNames
} from '../../../../src/lib/notary/policy/trust-policy';
import { TrustPolicyError, type TrustPolicyDocument } from '../../../../src/lib/notary/policy/types';
import { readFixture, readFixtureText } from '../../../helpers/fixtures';

const DERIVED = 'vectors/derived/trustpolicies-from-go-tests/';

type Json = Record<string, unknown>;
const st = (patch: Json = {}): Json => {
  const out: Json = {
    name: 'prod',
    registryScopes: ['registry.example.com/team/app'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:acme'],
    trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, CN=Builder'],
    ...patch
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
};
const doc = (...statements: Json[]): Json => ({ version: '1.0', trustPolicies: statements });

function rejection(input: Parameters<typeof parseTrustPolicy>[0]): TrustPolicyError {
  try {
    parseTrustPolicy(input);
  } catch (e) {
    if (e instanceof TrustPolicyError) return e;
    throw e;
  }
  throw new Error('policy was accepted');
}

describe('parseTrustPolicy: the policies the Go tests use', () => {
  it.each([
    'notation-go.verifier.dummyOCIPolicyDocument.trustpolicy.oci.json',
    'notation-go.verifier.TestAuthenticTimestamp.trustpolicy.oci.json',
    'notation-go.verifier.TestPluginVersionCompatibility.trustpolicy.oci.json'
  ])('%s parses from its bytes, unchanged', async (file) => {
    const bytes = await readFixture(DERIVED + file);
    const parsed = parseTrustPolicy(bytes);
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as { trustPolicies: Json[] };
    expect(parsed.version).toBe('1.0');
    expect(parsed.trustPolicies).toEqual(raw.trustPolicies);
  });

  it('keeps the space after "x509.subject:" that TestPluginVersionCompatibility uses', async () => {
    const parsed = parseTrustPolicy(await readFixtureText(DERIVED + 'notation-go.verifier.TestPluginVersionCompatibility.trustpolicy.oci.json'));
    expect(parsed.trustPolicies[0]!.trustedIdentities).toEqual(['x509.subject: CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US']);
  });

  it.each(['notation-go.Example_verifyBlob.trustpolicy.blob.json', 'notation-go.verifier.TestVerifyBlob.trustpolicy.blob.json'])(
    '%s is a blob policy: as an OCI policy it has no registry scopes',
    async (file) => {
      const e = rejection(await readFixture(DERIVED + file));
      expect(e.message).toMatch(/^trust policy statement ".+" has zero registry scopes, it must specify registry scopes with at least one value$/);
      expect(e.path).toBe('$.trustPolicies[0].registryScopes');
    }
  );
});

describe('parseTrustPolicy: every rule, with notation wording and a JSON path', () => {
  const valid: [string, Json][] = [
    ['strict statement and a skip statement', doc(st(), { name: 'legacy', registryScopes: ['r.io/legacy'], signatureVerification: { level: 'skip' } })],
    ['override of authenticity, authenticTimestamp, expiry and revocation', doc(st({ signatureVerification: { level: 'audit', override: { authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'skip' } } }))],
    ['verifyTimestamp afterCertExpiry', doc(st({ signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' } }))],
    ['skip with an empty override and empty lists', doc(st({ signatureVerification: { level: 'skip', override: {} }, trustStores: [], trustedIdentities: [] }))],
    ['all store types', doc(st({ trustStores: ['ca:a', 'signingAuthority:s_1', 'tsa:t.t-t'] }))],
    ['identities with S alias, escapes and ;', doc(st({ trustedIdentities: ['x509.subject:C=US;S=WA;O=Acme\\, Inc.', 'x509.subject:C=US,ST=WA,O=\\41cme,CN=\\ x'] }))],
    ['ignored identity prefix', doc(st({ trustedIdentities: ['x509.san:build.example.com'] }))],
    ['scope with port and separators', doc(st({ registryScopes: ['localhost:5000/a.b/c_d/e__f/g---h'] }))],
    ['global skip (spec forbids, notation accepts)', doc({ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'skip' } })]
  ];
  it.each(valid)('accepts %s', (_what, policy) => {
    expect(() => parseTrustPolicy(policy)).not.toThrow();
    expect(checkTrustPolicy(policy).issues).toEqual([]);
  });

  const invalid: [string, unknown, string, string][] = [
    ['empty version', { trustPolicies: [st()] }, '$.version', 'trust policy document has empty version, version must be specified'],
    ['version 1.1', { version: '1.1', trustPolicies: [st()] }, '$.version', 'trust policy document uses unsupported version "1.1"'],
    ['no statements', doc(), '$.trustPolicies', 'trust policy document can not have zero trust policy statements'],
    ['duplicate name', doc(st(), st({ registryScopes: ['r.io/x'] })), '$.trustPolicies[1].name', 'multiple trust policy statements use the same name "prod", statement names must be unique'],
    ['missing name', doc(st({ name: undefined })), '$.trustPolicies[0].name', 'trust policy: a trust policy statement is missing a name, every statement requires a name'],
    ['missing level', doc(st({ signatureVerification: {} })), '$.trustPolicies[0].signatureVerification.level', 'trust policy: trust policy statement "prod" has invalid signatureVerification: signature verification level is empty or missing in the trust policy statement'],
    ['unknown level', doc(st({ signatureVerification: { level: 'paranoid' } })), '$.trustPolicies[0].signatureVerification.level', 'trust policy: trust policy statement "prod" has invalid signatureVerification: invalid signature verification level "paranoid"'],
    ['override with skip', doc(st({ signatureVerification: { level: 'skip', override: { revocation: 'log' } }, trustStores: [], trustedIdentities: [] })), '$.trustPolicies[0].signatureVerification.override', 'trust policy: trust policy statement "prod" has invalid signatureVerification: signature verification level "skip" can\'t be used to customize signature verification'],
    ['override of an unknown check', doc(st({ signatureVerification: { level: 'strict', override: { signature: 'log' } } })), '$.trustPolicies[0].signatureVerification.override.signature', 'trust policy: trust policy statement "prod" has invalid signatureVerification: verification type "signature" in custom signature verification is not supported, supported values are ["integrity" "authenticity" "authenticTimestamp" "expiry" "revocation"]'],
    ['override with an unknown action', doc(st({ signatureVerification: { level: 'strict', override: { expiry: 'ignore' } } })), '$.trustPolicies[0].signatureVerification.override.expiry', 'trust policy: trust policy statement "prod" has invalid signatureVerification: verification action "ignore" in custom signature verification is not supported, supported values are ["enforce" "log" "skip"]'],
    ['override of integrity', doc(st({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })), '$.trustPolicies[0].signatureVerification.override.integrity', 'trust policy: trust policy statement "prod" has invalid signatureVerification: "integrity" verification can not be overridden in custom signature verification'],
    ['skipping authenticity', doc(st({ signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } })), '$.trustPolicies[0].signatureVerification.override.authenticity', 'trust policy: trust policy statement "prod" has invalid signatureVerification: "authenticity" verification can not be skipped in custom signature verification'],
    ['bad verifyTimestamp', doc(st({ signatureVerification: { level: 'strict', verifyTimestamp: 'Always' } })), '$.trustPolicies[0].signatureVerification.verifyTimestamp', 'trust policy: trust policy statement "prod" has invalid signatureVerification: verifyTimestamp must be "always" or "afterCertExpiry", but got "Always"'],
    ['skip with trust stores', doc(st({ signatureVerification: { level: 'skip' }, trustedIdentities: undefined })), '$.trustPolicies[0].trustStores', 'trust policy: trust policy statement "prod" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped'],
    ['skip with identities', doc(st({ signatureVerification: { level: 'skip' }, trustStores: undefined })), '$.trustPolicies[0].trustedIdentities', 'trust policy: trust policy statement "prod" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped'],
    ['no trust stores', doc(st({ trustStores: [] })), '$.trustPolicies[0].trustStores', 'trust policy: trust policy statement "prod" is either missing trust stores or trusted identities, both must be specified'],
    ['no identities', doc(st({ trustedIdentities: undefined })), '$.trustPolicies[0].trustedIdentities', 'trust policy: trust policy statement "prod" is either missing trust stores or trusted identities, both must be specified'],
    ['store without separator', doc(st({ trustStores: ['ca:valid-trust-store-2', 'signingAuthority'] })), '$.trustPolicies[0].trustStores[1]', 'trust policy: trust policy statement "prod" has malformed trust store value "signingAuthority". The required format is <TrustStoreType>:<TrustStoreName>'],
    ['unknown store type', doc(st({ trustStores: ['root:acme'] })), '$.trustPolicies[0].trustStores[0]', 'trust policy: trust policy statement "prod" uses an unsupported trust store type "root" in trust store value "root:acme"'],
    ['bad store name', doc(st({ trustStores: ['ca:acme/roots'] })), '$.trustPolicies[0].trustStores[0]', 'trust policy: trust policy statement "prod" uses an unsupported trust store name "acme/roots" in trust store value "ca:acme/roots". Named store name needs to follow [a-zA-Z0-9_.-]+ format'],
    ['* with another identity', doc(st({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=A', '*'] })), '$.trustPolicies[0].trustedIdentities[1]', 'trust policy: trust policy statement "prod" uses a wildcard trusted identity \'*\', a wildcard identity cannot be used in conjunction with other values'],
    ['empty identity', doc(st({ trustedIdentities: [''] })), '$.trustPolicies[0].trustedIdentities[0]', 'trust policy: trust policy statement "prod" has an empty trusted identity'],
    ['identity without separator', doc(st({ trustedIdentities: ['x509.subject'] })), '$.trustPolicies[0].trustedIdentities[0]', 'trust policy: trust policy statement "prod" has trusted identity "x509.subject" missing separator'],
    ['identity without value', doc(st({ trustedIdentities: ['x509.subject:'] })), '$.trustPolicies[0].trustedIdentities[0]', 'trust policy: trust policy statement "prod" has trusted identity "x509.subject:" without an identity value'],
    ['identity without O', doc(st({ trustedIdentities: ['x509.subject:C=US,ST=WA'] })), '$.trustPolicies[0].trustedIdentities[0]', 'trust policy: trust policy statement "prod" has trusted identity "x509.subject:C=US,ST=WA" with invalid identity value: distinguished name (DN) "C=US,ST=WA" has no mandatory RDN attribute for "O", it must contain \'C\', \'ST\' or \'S\', and \'O\' RDN attributes at a minimum'],
    ['overlapping identities', doc(st({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=A,CN=b', 'x509.subject:C=US,ST=WA,O=A'] })), '$.trustPolicies[0].trustedIdentities[1]', 'trust policy: trust policy statement "prod" has overlapping x509 trustedIdentities, "x509.subject:C=US,ST=WA,O=A" overlaps with "x509.subject:C=US,ST=WA,O=A,CN=b"'],
    ['no registry scopes', doc(st({ registryScopes: [] })), '$.trustPolicies[0].registryScopes', 'trust policy statement "prod" has zero registry scopes, it must specify registry scopes with at least one value'],
    ['* with another scope', doc(st({ registryScopes: ['r.io/a', '*'] })), '$.trustPolicies[0].registryScopes[1]', "trust policy statement \"prod\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values"],
    ['wildcard inside a scope', doc(st({ registryScopes: ['r.io/*'] })), '$.trustPolicies[0].registryScopes[0]', 'registry scope "r.io/*" with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout'],
    ['scope with a tag', doc(st({ registryScopes: ['r.io/app:1'] })), '$.trustPolicies[0].registryScopes[0]', 'registry scope "r.io/app:1" is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout'],
    ['scope in two statements', doc(st(), st({ name: 'b', registryScopes: ['r.io/x', 'registry.example.com/team/app'] })), '$.trustPolicies[1].registryScopes[1]', 'registry scope "registry.example.com/team/app" is present in multiple trust policy statements, one registry scope value can only be associated with one statement'],
    ['two global statements', doc(st({ registryScopes: ['*'] }), st({ name: 'b', registryScopes: ['*'] })), '$.trustPolicies[1].registryScopes[0]', 'registry scope "*" is present in multiple trust policy statements, one registry scope value can only be associated with one statement']
  ];
  it.each(invalid)('rejects %s', (_what, policy, path, message) => {
    const e = rejection(policy as Json);
    expect(isSignetError(e, 'ERR_TRUST_POLICY_INVALID')).toBe(true);
    expect(e.stage).toBe('rule');
    expect(e.message).toBe(message);
    expect(e.path).toBe(path);
  });

  it('checks in notation order: statement rules before scopes, the level before trust stores', () => {
    const e = rejection(doc(st({ registryScopes: ['not a scope'], signatureVerification: { level: 'x' }, trustStores: ['bad'] })));
    expect(e.message).toMatch(/invalid signature verification level "x"$/);
    expect(checkTrustPolicy(doc(st({ registryScopes: ['not a scope'], signatureVerification: { level: 'x' }, trustStores: ['bad'] }))).issues.map((i) => i.path)).toEqual([
      '$.trustPolicies[0].signatureVerification.level',
      '$.trustPolicies[0].trustStores[0]',
      '$.trustPolicies[0].registryScopes[0]'
    ]);
  });
});

describe('checkTrustPolicy: every issue for an editor', () => {
  it('reports all problems, notation first, with byte offsets into the text', () => {
    const text = [
      '{"version": "1.0", "trustPolicies": [',
      '  {"name": "a", "registryScopes": ["r.io/A"], "signatureVerification": {"level": "strict", "override": {"integrity": "log", "expiry": "skip"}},',
      '   "trustStores": ["ca", "tsa:t"], "trustedIdentities": ["x509.subject:C=US", "*"]},',
      '  {"name": "a", "registryScopes": ["r.io/A"], "signatureVerification": {"level": "skip"}}',
      ']}'
    ].join('\n');
    const { document, issues } = checkTrustPolicy(text);
    expect(document).toBeNull();
    expect(issues.map((i) => i.path)).toEqual([
      '$.trustPolicies[0].signatureVerification.override.integrity',
      '$.trustPolicies[0].signatureVerification.override.expiry',
      '$.trustPolicies[0].trustStores[0]',
      '$.trustPolicies[0].trustedIdentities[1]',
      '$.trustPolicies[0].trustedIdentities[0]',
      '$.trustPolicies[1].name',
      '$.trustPolicies[0].registryScopes[0]',
      '$.trustPolicies[1].registryScopes[0]',
      '$.trustPolicies[1].registryScopes[0]'
    ]);
    expect(issues.every((i) => i.stage === 'rule')).toBe(true);
    const at = (i: number): string => new TextDecoder().decode(new TextEncoder().encode(text).subarray(issues[i]!.offset!, issues[i]!.offset! + 6));
    expect(at(0)).toBe('"log",');
    expect(at(2)).toBe('"ca", ');
    expect(at(5)).toBe('"a", "');
  });

  it('points a missing field at its parent object', () => {
    const { issues } = checkTrustPolicy('{"version":"1.0","trustPolicies":[{"registryScopes":["r.io/a"],"signatureVerification":{"level":"audit"},"trustStores":["ca:a"],"trustedIdentities":["*"]}]}');
    expect(issues).toEqual([
      { path: '$.trustPolicies[0].name', offset: 34, stage: 'rule', message: 'trust policy: a trust policy statement is missing a name, every statement requires a name' }
    ]);
  });

  it('reports JSON problems as one syntax issue, or every type error', () => {
    expect(checkTrustPolicy('{"version": 1.0,}').issues).toEqual([
      { path: '$', offset: 16, stage: 'syntax', message: "invalid character '}' looking for beginning of object key string" }
    ]);
    const types = checkTrustPolicy('{"version": 1, "trustPolicies": [{"name": ["a"], "signatureVerification": "strict"}]}').issues;
    expect(types.map((i) => [i.stage, i.path, i.message])).toEqual([
      ['type', '$.version', 'json: cannot unmarshal number into Go struct field Document.version of type string'],
      ['type', '$.trustPolicies[0].name', 'json: cannot unmarshal array into Go struct field TrustPolicy.trustPolicies.name of type string'],
      ['type', '$.trustPolicies[0].signatureVerification', 'json: cannot unmarshal string into Go struct field TrustPolicy.trustPolicies.signatureVerification of type trustpolicy.SignatureVerification']
    ]);
  });

  it('bounds the pairwise overlap check instead of hanging on thousands of identities', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `x509.subject:C=US,ST=WA,O=Acme,CN=b${i}`);
    const started = Date.now();
    expect(checkTrustPolicy(doc(st({ trustedIdentities: many(1000) }))).issues).toEqual([]);
    const { issues } = checkTrustPolicy(doc(st({ trustedIdentities: many(1001) })));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(issues).toEqual([
      expect.objectContaining({
        path: '$.trustPolicies[0].trustedIdentities',
        message: 'trust policy statement "prod" lists 1001 x509.subject identities; Signet checks at most 1000 per statement for overlaps'
      })
    ]);
  });

  it('never throws on arbitrary bytes or JSON values, and agrees with parseTrustPolicy', () => {
    const policyish = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('1.0', '*', 'strict', 'skip', 'ca:a', 'r.io/a', 'x509.subject:C=US,ST=WA,O=A', '', null, 1, true),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('version', 'trustPolicies', 'name', 'registryScopes', 'signatureVerification', 'level', 'override', 'trustStores', 'trustedIdentities', 'expiry'), tie('value'), { maxKeys: 4 })
      )
    }));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), policyish.value, fc.jsonValue()), (input) => {
        const check = checkTrustPolicy(input as Parameters<typeof checkTrustPolicy>[0]);
        expect(check.document === null).toBe(check.issues.length > 0);
        let parsed = true;
        try {
          parseTrustPolicy(input as Parameters<typeof parseTrustPolicy>[0]);
        } catch (e) {
          expect(e).toBeInstanceOf(TrustPolicyError);
          expect((e as Error).message).toBe(check.issues[0]!.message);
          parsed = false;
        }
        expect(parsed).toBe(check.document !== null);
      }),
      { numRuns: 1500 }
    );
  });

  it('never throws, even on input too large to read', () => {
    const huge = new Uint8Array(MAX_TRUST_POLICY_BYTES + 1);
    expect(checkTrustPolicy(huge).issues[0]!.message).toMatch(/the limit is 4194304 bytes/);
    expect(() => parseTrustPolicy(huge)).toThrowError(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }));
  });
});

describe('reading JSON the way Go does', () => {
  const good = { name: 'a', registryScopes: ['*'], signatureVerification: { level: 'audit' }, trustStores: ['ca:x'], trustedIdentities: ['*'] };

  it('matches field names case-insensitively, with Go folding (ſ is s, K is k)', () => {
    const parsed = parseTrustPolicy({ VERSION: '1.0', TrustPolicies: [{ NAME: 'a', REGISTRYSCOPES: ['*'], signatureverification: { Level: 'audit' }, truſtStores: ['ca:x'], TrustedIdentities: ['*'] }] });
    expect(parsed.trustPolicies[0]).toEqual({ ...good, signatureVerification: { level: 'audit' } });
    expect(parseTrustPolicy({ version: '1.0', trustPolicies: [{ ...good, signatureVerification: { level: 'strict', override: { expiry: 'log' } } }] }).trustPolicies[0]!.signatureVerification.override).toEqual({ expiry: 'log' });
    // Override keys are map keys: exact, no folding.
    expect(rejection({ version: '1.0', trustPolicies: [{ ...good, signatureVerification: { level: 'strict', override: { Expiry: 'log' } } }] }).message).toMatch(/verification type "Expiry"/);
  });

  it('ignores unknown fields and treats null as absent', () => {
    expect(parseTrustPolicy({ version: '1.0', extra: 1, trustPolicies: [{ ...good, globalPolicy: true, registryScopes: ['r.io/a'], signatureVerification: { level: 'skip', override: null, verifyTimestamp: null }, trustStores: null, trustedIdentities: null }] }).trustPolicies[0]).toEqual({
      name: 'a',
      registryScopes: ['r.io/a'],
      signatureVerification: { level: 'skip' },
      trustStores: [],
      trustedIdentities: []
    });
    expect(rejection('null').message).toBe('trust policy document has empty version, version must be specified');
    expect(rejection('{"version":"1.0","trustPolicies":[null]}').message).toBe('trust policy: a trust policy statement is missing a name, every statement requires a name');
  });

  it('merges repeated keys as Go does (objects merge, arrays overwrite element by element)', () => {
    const merged = parseTrustPolicy(
      '{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"signatureVerification":{"verifyTimestamp":"always"},"trustStores":["ca:x"],"trustedIdentities":["*"]}],"trustPolicies":[{"name":"b"}]}'
    );
    expect(merged.trustPolicies).toEqual([
      { name: 'b', registryScopes: ['*'], signatureVerification: { level: 'strict', verifyTimestamp: 'always' }, trustStores: ['ca:x'], trustedIdentities: ['*'] }
    ]);
    const lists = parseTrustPolicy('{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x","ca:y"],"trustStores":[null],"trustedIdentities":["*"]}]}');
    expect(lists.trustPolicies[0]!.trustStores).toEqual(['ca:x']);
  });

  it('words type errors as Go, naming the innermost struct and the field path', () => {
    expect(rejection('[]').message).toBe('json: cannot unmarshal array into Go value of type trustpolicy.Document');
    expect(rejection('{"version":"1.0","trustPolicies":{}}').message).toBe('json: cannot unmarshal object into Go struct field Document.trustPolicies of type []trustpolicy.TrustPolicy');
    expect(rejection('{"version":"1.0","trustPolicies":["a"]}').message).toBe('json: cannot unmarshal string into Go struct field Document.trustPolicies of type trustpolicy.TrustPolicy');
    expect(rejection('{"version":"1.0","trustPolicies":[{"registryScopes":"r.io/a"}]}').message).toBe('json: cannot unmarshal string into Go struct field TrustPolicy.trustPolicies.registryScopes of type []string');
    expect(rejection('{"version":"1.0","trustPolicies":[{"signatureVerification":{"override":[]}}]}').message).toBe(
      'json: cannot unmarshal array into Go struct field SignatureVerification.trustPolicies.signatureVerification.override of type map[trustpolicy.ValidationType]trustpolicy.ValidationAction'
    );
    expect(rejection('{"version":"1.0","trustPolicies":[{"signatureVerification":{"verifyTimestamp":true}}]}').message).toBe(
      'json: cannot unmarshal bool into Go struct field SignatureVerification.trustPolicies.signatureVerification.verifyTimestamp of type trustpolicy.TimestampOption'
    );
    expect(rejection('{"version":"1.0","trustPolicies":[{"signatureVerification":{"override":{"expiry":false}}}]}').path).toBe('$.trustPolicies[0].signatureVerification.override.expiry');
  });

  it('reads bytes, text and parsed values alike; invalid UTF-8 in a name becomes U+FFFD as in Go', () => {
    const text = JSON.stringify(doc(st()));
    expect(parseTrustPolicy(new TextEncoder().encode(text))).toEqual(parseTrustPolicy(text));
    expect(parseTrustPolicy(JSON.parse(text) as Json)).toEqual(parseTrustPolicy(text));
    const withBadByte = new TextEncoder().encode(text.replace('"prod"', '"pr#d"'));
    withBadByte[withBadByte.indexOf(0x23)] = 0xff;
    expect(parseTrustPolicy(withBadByte).trustPolicies[0]!.name).toBe('pr\ufffdd');
  });
});

describe('formatTrustPolicy', () => {
  const document = parseTrustPolicy(
    doc(
      st({ signatureVerification: { level: 'strict', override: { revocation: 'skip' }, verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:acme', 'tsa:ts'] }),
      { name: 'legacy', registryScopes: ['r.io/legacy'], signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] }
    )
  );

  it('writes notation field order, omits empty lists of skip statements, and reads back the same', () => {
    const text = formatTrustPolicy(document);
    expect(parseTrustPolicy(text)).toEqual(document);
    expect(text).toContain('\n    "trustPolicies": [');
    expect(Object.keys((JSON.parse(text) as { trustPolicies: Json[] }).trustPolicies[0]!)).toEqual([
      'name',
      'registryScopes',
      'signatureVerification',
      'trustStores',
      'trustedIdentities'
    ]);
    expect((JSON.parse(text) as { trustPolicies: Json[] }).trustPolicies[1]).toEqual({
      name: 'legacy',
      registryScopes: ['r.io/legacy'],
      signatureVerification: { level: 'skip' }
    });
  });

  it('refuses to write a policy notation would not import', () => {
    const broken: TrustPolicyDocument = { ...document, trustPolicies: [{ ...document.trustPolicies[0]!, registryScopes: ['*', 'r.io/a'] }] };
    expect(() => formatTrustPolicy(broken)).toThrowError(/a wildcard scope cannot be used in conjunction with other scope values/);
  });
});

describe('trust store references at verification time', () => {
  it('lists the stores of one type once each, in order', () => {
    const stores = ['ca:a', 'tsa:t', 'signingAuthority:s', 'ca:b', 'ca:a'];
    expect(trustStoreNames('p', stores, 'ca')).toEqual(['a', 'b']);
    expect(trustStoreNames('p', stores, 'signingAuthority')).toEqual(['s']);
    expect(trustStoreNames('p', stores, 'tsa')).toEqual(['t']);
    expect(hasTsaTrustStore('p', stores)).toBe(true);
    expect(hasTsaTrustStore('p', ['ca:a'])).toBe(false);
    expect(parseTrustStoreReference('signingAuthority:s')).toEqual({ type: 'signingAuthority', name: 's' });
    expect(() => parseTrustStoreReference('ca')).toThrowError(/is not of the form <TrustStoreType>:<TrustStoreName>/);
  });

  it('gives the messages of the Go tests for statements built without validation (vectors INDEX §1b, §1c)', () => {
    expect(() => trustStoreNames('test-statement-name', ['ca:valid-trust-store-2', 'signingAuthority'], 'signingAuthority')).toThrowError(
      'error while loading the trust store, trust policy statement "test-statement-name" is missing separator in trust store value "signingAuthority". The required format is <TrustStoreType>:<TrustStoreName>'
    );
    expect(() => hasTsaTrustStore('test-timestamp', ['tsa'])).toThrowError(
      'invalid trust policy statement: "test-timestamp" is missing separator in trust store value "tsa". The required format is <TrustStoreType>:<TrustStoreName>'
    );
  });
});
