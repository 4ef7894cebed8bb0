/**
 * Trust policies written from the spec digest (§12.1, §12.3, §12.5), each with the verdict the
 * digest (and notation's source) predicts. The integration test runs every one through the real
 * `notation policy import` and through Signet, and requires all three to agree.
 */

export type Verdict = 'accept' | 'reject';

export interface PolicyCase {
  readonly id: string;
  /** What the case exercises, with the spec digest section. */
  readonly why: string;
  /** The file's exact bytes (as text). */
  readonly text: string;
  readonly expected: Verdict;
  /**
   * notation picks among several errors in Go map order (override keys, duplicated scopes), so
   * its message may vary from run to run; then only the verdict is compared.
   */
  readonly messageVaries?: boolean;
}

type Json = Record<string, unknown>;

const SCOPE = 'registry.example.com/team/app';

/** A valid strict statement; `patch` replaces fields, `undefined` removes them. */
export function statement(patch: Json = {}): Json {
  const base: Json = {
    name: 'prod',
    registryScopes: [SCOPE],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:acme'],
    trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, CN=Builder']
  };
  const out: Json = { ...base, ...patch };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

/** A skip statement for another repository. */
export function skipStatement(patch: Json = {}): Json {
  const out: Json = { name: 'legacy', registryScopes: ['registry.example.com/team/legacy'], signatureVerification: { level: 'skip' }, ...patch };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export function policy(statements: Json[], version: unknown = '1.0'): string {
  return JSON.stringify({ version, trustPolicies: statements }, null, 2);
}

const id = (dn: string): Json => statement({ trustedIdentities: [`x509.subject:${dn}`] });
const ids = (...values: string[]): Json => statement({ trustedIdentities: values });
const stores = (...values: string[]): Json => statement({ trustStores: values });
const scopes = (...values: string[]): Json => statement({ registryScopes: values });
const sv = (value: unknown): Json => statement({ signatureVerification: value });

export const POLICY_CASES: readonly PolicyCase[] = [
  // ---- the document --------------------------------------------------------------------------
  { id: 'doc-valid', why: '§12.1 example shape', text: policy([statement(), skipStatement()]), expected: 'accept' },
  { id: 'doc-no-version', why: '§12.1 version required', text: JSON.stringify({ trustPolicies: [statement()] }), expected: 'reject' },
  { id: 'doc-version-2', why: '§12.1 only "1.0"', text: policy([statement()], '2.0'), expected: 'reject' },
  { id: 'doc-version-number', why: 'version must be a string (Go type error)', text: policy([statement()], 1.0), expected: 'reject' },
  { id: 'doc-no-statements', why: '§12.1 trustPolicies non-empty', text: policy([]), expected: 'reject' },
  { id: 'doc-statements-missing', why: '§12.1 trustPolicies required', text: '{"version":"1.0"}', expected: 'reject' },
  { id: 'doc-statements-object', why: 'trustPolicies must be an array', text: '{"version":"1.0","trustPolicies":{}}', expected: 'reject' },
  { id: 'doc-top-array', why: 'the document is an object', text: '[]', expected: 'reject' },
  { id: 'doc-null', why: 'null document has no version', text: 'null', expected: 'reject' },
  { id: 'json-trailing-comma', why: 'strict JSON', text: '{"version":"1.0","trustPolicies":[],}', expected: 'reject' },
  { id: 'json-trailing-data', why: 'import reads exactly one JSON value', text: policy([statement()]) + '\n{}', expected: 'reject' },
  { id: 'json-bom', why: 'a UTF-8 BOM is not JSON whitespace', text: '\ufeff' + policy([statement()]), expected: 'reject' },
  { id: 'json-unfinished-literal', why: 'Go reports a cut literal at the end', text: '{"version":"1.0","trustPolicies":tru', expected: 'reject' },
  { id: 'json-keys-any-case', why: 'Go matches field names case-insensitively', text: JSON.stringify({ VERSION: '1.0', TrustPolicies: [{ NAME: 'a', registryscopes: ['*'], SignatureVerification: { LEVEL: 'audit' }, truststores: ['ca:x'], TRUSTEDIDENTITIES: ['*'] }] }), expected: 'accept' },
  { id: 'json-key-long-s', why: 'Go folds U+017F to s in field names', text: policy([statement()]).replace('"version"', '"ver\u017fion"'), expected: 'accept' },
  { id: 'json-unknown-fields', why: 'unknown fields are ignored (globalPolicy is blob-only)', text: JSON.stringify({ version: '1.0', comment: 'x', trustPolicies: [{ ...statement(), globalPolicy: true }] }), expected: 'accept' },
  {
    id: 'json-duplicate-object-key',
    why: 'a repeated key decodes into the same struct: Go merges (JSON.parse would keep only the second, without level)',
    text: '{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"signatureVerification":{"verifyTimestamp":"always"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}',
    expected: 'accept'
  },
  {
    id: 'json-duplicate-array-key',
    why: 'a repeated array decodes element by element into the earlier elements (Go), merging statements',
    text: '{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"audit"},"trustStores":["ca:x"],"trustedIdentities":["*"]}],"trustPolicies":[{"name":"b"}]}',
    expected: 'accept'
  },
  { id: 'json-null-fields-skip', why: 'null lists are absent lists', text: policy([skipStatement({ trustStores: null, trustedIdentities: null })]), expected: 'accept' },
  { id: 'json-scope-number', why: 'scopes are strings', text: policy([scopes(SCOPE, 7 as unknown as string)]), expected: 'reject' },
  { id: 'json-override-number', why: 'override values are strings', text: policy([sv({ level: 'strict', override: { expiry: 1 } })]), expected: 'reject' },

  // ---- statements: names and levels -------------------------------------------------------
  { id: 'name-missing', why: '§12.1 names non-empty', text: policy([statement({ name: undefined })]), expected: 'reject' },
  { id: 'name-duplicate', why: '§12.1 names unique', text: policy([statement(), statement({ registryScopes: ['registry.example.com/other'] })]), expected: 'reject' },
  { id: 'level-missing', why: '§12.1 level required', text: policy([sv({})]), expected: 'reject' },
  { id: 'level-wrong-case', why: '§12.3 levels are exact', text: policy([sv({ level: 'Strict' })]), expected: 'reject' },
  { id: 'level-custom', why: '"custom" is reported, never written', text: policy([sv({ level: 'custom' })]), expected: 'reject' },
  { id: 'level-permissive', why: '§12.3', text: policy([sv({ level: 'permissive' })]), expected: 'accept' },
  { id: 'level-first-error-wins', why: 'level is checked before trust stores', text: policy([statement({ signatureVerification: { level: 'nope' }, trustStores: ['bad'] })]), expected: 'reject' },
  { id: 'override-on-skip', why: '§12.3 skip cannot be customised', text: policy([skipStatement({ signatureVerification: { level: 'skip', override: { revocation: 'log' } } })]), expected: 'reject' },
  { id: 'override-empty-on-skip', why: 'an empty override is no override', text: policy([skipStatement({ signatureVerification: { level: 'skip', override: {} } })]), expected: 'accept' },
  { id: 'override-integrity', why: '§12.3 integrity cannot be overridden', text: policy([sv({ level: 'audit', override: { integrity: 'log' } })]), expected: 'reject' },
  { id: 'override-expiry-skip', why: '§12.3 only revocation may be skipped', text: policy([sv({ level: 'strict', override: { expiry: 'skip' } })]), expected: 'reject' },
  { id: 'override-revocation-skip', why: '§12.3', text: policy([sv({ level: 'strict', override: { revocation: 'skip', expiry: 'log' } })]), expected: 'accept' },
  { id: 'override-unknown-type', why: '§12.3 five check types', text: policy([sv({ level: 'strict', override: { timestamp: 'log' } })]), expected: 'reject' },
  { id: 'override-unknown-action', why: '§12.3 enforce/log/skip', text: policy([sv({ level: 'strict', override: { authenticity: 'warn' } })]), expected: 'reject' },
  { id: 'override-null-action', why: 'null in a map is the empty action', text: policy([sv({ level: 'strict', override: { authenticity: null } })]), expected: 'reject' },
  { id: 'override-two-bad', why: 'two bad keys: notation reports one (Go map order)', text: policy([sv({ level: 'strict', override: { expiry: 'skip', authenticity: 'skip' } })]), expected: 'reject', messageVaries: true },
  { id: 'timestamp-never', why: '§12.1 verifyTimestamp values', text: policy([sv({ level: 'strict', verifyTimestamp: 'never' })]), expected: 'reject' },
  { id: 'timestamp-after-expiry', why: '§12.1', text: policy([statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:acme', 'tsa:ts'] })]), expected: 'accept' },
  { id: 'timestamp-on-skip', why: 'verifyTimestamp is checked at every level', text: policy([skipStatement({ signatureVerification: { level: 'skip', verifyTimestamp: 'sometimes' } })]), expected: 'reject' },

  // ---- skip constraints -----------------------------------------------------------------------
  { id: 'skip-with-stores', why: '§12.1 skip: no trust stores', text: policy([skipStatement({ trustStores: ['ca:acme'] })]), expected: 'reject' },
  { id: 'skip-with-identities', why: '§12.1 skip: no identities', text: policy([skipStatement({ trustedIdentities: ['*'] })]), expected: 'reject' },
  { id: 'skip-with-empty-lists', why: 'empty lists are allowed with skip', text: policy([skipStatement({ trustStores: [], trustedIdentities: [] })]), expected: 'accept' },
  { id: 'strict-no-stores', why: '§12.1 non-skip needs stores', text: policy([statement({ trustStores: undefined })]), expected: 'reject' },
  { id: 'strict-empty-identities', why: '§12.1 non-skip needs identities', text: policy([statement({ trustedIdentities: [] })]), expected: 'reject' },

  // ---- trust stores -----------------------------------------------------------------------------
  { id: 'store-no-separator', why: '§12.1 type:name', text: policy([stores('ca:acme', 'signingAuthority')]), expected: 'reject' },
  { id: 'store-type-case', why: '§11 types ca/signingAuthority/tsa', text: policy([stores('CA:acme')]), expected: 'reject' },
  { id: 'store-type-x509', why: '§11 the type is not a directory path', text: policy([stores('x509/ca:acme')]), expected: 'reject' },
  { id: 'store-name-space', why: '§11 name regex', text: policy([stores('ca:my store')]), expected: 'reject' },
  { id: 'store-name-colon', why: 'cut at the first colon: the name keeps the rest', text: policy([stores('ca:a:b')]), expected: 'reject' },
  { id: 'store-name-empty', why: '§11 name regex needs one character', text: policy([stores('ca:')]), expected: 'reject' },
  { id: 'store-only-tsa', why: '§12.1 passes validation, fails authenticity later', text: policy([stores('tsa:ts')]), expected: 'accept' },
  { id: 'store-all-types', why: '§11', text: policy([stores('ca:a.b_c-d', 'signingAuthority:sa', 'tsa:ts')]), expected: 'accept' },

  // ---- trusted identities ------------------------------------------------------------------
  { id: 'identity-wildcard-with-other', why: '§12.1 * alone', text: policy([ids('*', 'x509.subject:C=US,ST=WA,O=Acme')]), expected: 'reject' },
  { id: 'identity-empty', why: '§12.1 no empty entries', text: policy([ids('')]), expected: 'reject' },
  { id: 'identity-no-separator', why: '§12.1 must contain ":"', text: policy([ids('x509.subject')]), expected: 'reject' },
  { id: 'identity-no-value', why: '§12.1 x509.subject needs a value', text: policy([ids('x509.subject:')]), expected: 'reject' },
  { id: 'identity-blank-value', why: '§12.5 a blank DN lacks C, ST, O', text: policy([ids('x509.subject: ')]), expected: 'reject' },
  { id: 'identity-other-prefix', why: '§12.1 other prefixes pass and are ignored', text: policy([ids('x509.san:build.example.com')]), expected: 'accept' },
  { id: 'identity-prefix-case', why: 'X509.SUBJECT is "another prefix"', text: policy([ids('X509.SUBJECT:C=US')]), expected: 'accept' },
  { id: 'identity-missing-o', why: '§12.5 C, ST, O required', text: policy([id('C=US, ST=WA, CN=Builder')]), expected: 'reject' },
  { id: 'identity-empty-o', why: '§12.5 an empty value counts as missing', text: policy([id('C=US, ST=WA, O=')]), expected: 'reject' },
  { id: 'identity-s-alias', why: '§12.5 S is ST', text: policy([id('C=US, S=WA, O=Acme')]), expected: 'accept' },
  { id: 'identity-s-and-st', why: 'S and ST are the same attribute: a duplicate', text: policy([id('C=US, S=WA, ST=WA, O=Acme')]), expected: 'reject' },
  { id: 'identity-lowercase-types', why: 'types are case-sensitive: c is not C', text: policy([id('c=US, st=WA, o=Acme')]), expected: 'reject' },
  { id: 'identity-multivalued', why: '§12.5 no + RDNs', text: policy([id('C=US+ST=WA, O=Acme')]), expected: 'reject' },
  { id: 'identity-duplicate-type', why: '§12.5 no duplicate types', text: policy([id('C=US, ST=WA, O=Acme, O=Other')]), expected: 'reject' },
  { id: 'identity-duplicate-after-empty', why: 'go-ldap quirk: an empty first value is overwritten', text: policy([id('C=, C=US, ST=WA, O=Acme')]), expected: 'accept' },
  { id: 'identity-hex-value', why: '§12.5 no =#', text: policy([id('C=US, ST=WA, O=#0c0441636d65')]), expected: 'reject' },
  { id: 'identity-escaped-comma', why: '§12.5 escaping', text: policy([id('C=US, ST=WA, O=Acme\\, Inc., CN=\\ lead')]), expected: 'accept' },
  { id: 'identity-hex-escape', why: 'RFC 4514 hex pairs', text: policy([id('C=US, ST=WA, O=\\41cme')]), expected: 'accept' },
  { id: 'identity-bad-hex-escape', why: 'an escape that is neither special nor hex', text: policy([id('C=US, ST=WA, O=A\\zzcme')]), expected: 'reject' },
  { id: 'identity-trailing-backslash', why: 'an escape with nothing after it', text: policy([id('C=US, ST=WA, O=Acme\\')]), expected: 'reject' },
  { id: 'identity-short-hex-escape', why: 'a hex escape cut short at the end', text: policy([id('C=US, ST=WA, O=Acme\\4')]), expected: 'reject' },
  { id: 'identity-half-hex-escape', why: 'second hex digit invalid', text: policy([id('C=US, ST=WA, O=A\\4zb')]), expected: 'reject' },
  { id: 'identity-non-ascii-escape', why: 'a backslash before non-ASCII characters', text: policy([id('C=US, ST=WA, O=A\\éé')]), expected: 'reject' },
  { id: 'identity-escaped-type', why: 'types are unescaped too: \\43 is C', text: policy([id('\\43=US, ST=WA, O=Acme')]), expected: 'accept' },
  { id: 'identity-equals-in-value', why: '"=" after the type is part of the value', text: policy([id('C=US, ST=WA, O=x=y')]), expected: 'accept' },
  { id: 'identity-escaped-equals-hash', why: '"=#" anywhere, even escaped, is refused', text: policy([id('C=US, ST=WA, O=a\\=#b')]), expected: 'reject' },
  { id: 'identity-non-utf8-escape', why: 'a hex escape may produce a byte that is not UTF-8', text: policy([id('C=US, ST=WA, O=\\ff')]), expected: 'accept' },
  { id: 'identity-trailing-escaped-backslash', why: 'go-ldap keeps a space after an escaped backslash', text: policy([ids('x509.subject:C=US,ST=WA,O=a\\\\ ', 'x509.subject:C=US,ST=WA,O=a\\\\')]), expected: 'accept' },
  { id: 'identity-semicolon', why: '";" separates RDNs like ","', text: policy([id('C=US; ST=WA; O=Acme')]), expected: 'accept' },
  { id: 'identity-no-equals', why: 'an RDN without "="', text: policy([id('C=US, ST=WA, O=Acme, Builder')]), expected: 'reject' },
  { id: 'identity-empty-rdn', why: 'two commas in a row', text: policy([id('C=US,, ST=WA, O=Acme')]), expected: 'reject' },
  { id: 'identity-unicode', why: 'UTF-8 values', text: policy([id('C=DE, ST=Bayern, O=Müller & Söhne, CN=ビルダー')]), expected: 'accept' },
  { id: 'identity-overlap', why: '§12.1 no subset identities', text: policy([ids('x509.subject:C=US,ST=WA,O=Acme', 'x509.subject:C=US,ST=WA,O=Acme,CN=Builder')]), expected: 'reject' },
  { id: 'identity-identical', why: 'identical identities overlap', text: policy([ids('x509.subject:C=US,ST=WA,O=Acme', 'x509.subject: C=US, S=WA, O=Acme')]), expected: 'reject' },
  { id: 'identity-spec-overlap-only', why: 'GAP: the spec would call OU/CN variants overlapping; notation only checks subsets', text: policy([ids('x509.subject:C=US,ST=WA,O=Acme,OU=Tools', 'x509.subject:C=US,ST=WA,O=Acme,CN=Builder')]), expected: 'accept' },
  { id: 'identity-ignored-and-bad', why: 'ignored prefixes are not parsed, x509.subject ones are', text: policy([ids('other:C=US', 'x509.subject:O=Acme')]), expected: 'reject' },

  // ---- registry scopes -------------------------------------------------------------------
  { id: 'scope-none', why: '§12.1 at least one scope', text: policy([scopes()]), expected: 'reject' },
  { id: 'scope-missing', why: '§12.1 registryScopes required', text: policy([statement({ registryScopes: undefined })]), expected: 'reject' },
  { id: 'scope-wildcard-with-other', why: '§12.1 * alone', text: policy([scopes('*', SCOPE)]), expected: 'reject' },
  { id: 'scope-partial-wildcard', why: '§12.1 no * inside a scope', text: policy([scopes('registry.example.com/team/*')]), expected: 'reject' },
  { id: 'scope-tag', why: '§12.1 no tag', text: policy([scopes('registry.example.com/team/app:v1')]), expected: 'reject' },
  { id: 'scope-digest', why: '§12.1 no digest', text: policy([scopes(`registry.example.com/team/app@sha256:${'a'.repeat(64)}`)]), expected: 'reject' },
  { id: 'scope-scheme', why: '§12.1 no scheme', text: policy([scopes('https://registry.example.com/team/app')]), expected: 'reject' },
  { id: 'scope-no-path', why: '§12.1 domain/path', text: policy([scopes('registry.example.com')]), expected: 'reject' },
  { id: 'scope-not-expanded', why: '§12.1 no reference expansion: "alpine" is not a scope', text: policy([scopes('alpine')]), expected: 'reject' },
  { id: 'scope-uppercase-path', why: 'repository path is lowercase', text: policy([scopes('registry.example.com/Team/app')]), expected: 'reject' },
  { id: 'scope-uppercase-domain', why: 'domains may be uppercase', text: policy([scopes('Registry.Example.com/team/app')]), expected: 'accept' },
  { id: 'scope-port', why: '§12.1 domain[:port]', text: policy([scopes('localhost:5000/net-monitor')]), expected: 'accept' },
  { id: 'scope-empty-port', why: 'port needs digits', text: policy([scopes('localhost:/net-monitor')]), expected: 'reject' },
  { id: 'scope-underscore-domain', why: 'domain labels: alphanumerics and -', text: policy([scopes('my_registry.io/app')]), expected: 'reject' },
  { id: 'scope-separators', why: 'path separators . _ __ -+', text: policy([scopes('r.io/a.b/c_d/e__f/g---h')]), expected: 'accept' },
  { id: 'scope-triple-underscore', why: 'path separators . _ __ -+', text: policy([scopes('r.io/a___b')]), expected: 'reject' },
  { id: 'scope-trailing-slash', why: 'empty path component', text: policy([scopes('r.io/app/')]), expected: 'reject' },
  { id: 'scope-empty-string', why: 'an empty scope is not "*"', text: policy([scopes('')]), expected: 'reject' },
  { id: 'scope-local-layout', why: 'a local scope like local/myOCILayout', text: policy([scopes('local/my-layout')]), expected: 'accept' },
  { id: 'scope-in-two-statements', why: '§12.1 one statement per scope', text: policy([statement(), skipStatement({ registryScopes: [SCOPE] })]), expected: 'reject' },
  { id: 'scope-twice-in-one', why: '§12.1 counts every occurrence', text: policy([scopes(SCOPE, SCOPE)]), expected: 'reject' },
  { id: 'scope-two-globals', why: '§12.1 at most one * statement', text: policy([scopes('*'), skipStatement({ name: 'all', registryScopes: ['*'] })]), expected: 'reject' },
  { id: 'scope-skip-global', why: 'GAP: spec forbids skip with *, notation accepts', text: policy([skipStatement({ registryScopes: ['*'] })]), expected: 'accept' },
  { id: 'scope-checked-after-statements', why: 'statement rules come before scope rules', text: policy([statement({ registryScopes: ['bad scope'], trustStores: ['bad'] })]), expected: 'reject' },
  { id: 'scope-two-duplicates', why: 'two duplicated scopes: notation reports one (Go map order)', text: policy([scopes('a.io/x', 'b.io/y'), skipStatement({ registryScopes: ['a.io/x', 'b.io/y'] })]), expected: 'reject', messageVaries: true }
];
