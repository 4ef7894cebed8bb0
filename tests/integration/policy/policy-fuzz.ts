/**
 * Seeded generators of trust policies for differential testing against notation: documents
 * assembled from awkward building blocks (values notation treats specially), and raw-text
 * mutations of a valid document (JSON syntax edge cases).
 */
import fc from 'fast-check';

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

const DN_TYPES = ['C', 'ST', 'S', 'O', 'OU', 'CN', 'L', 'c', 'st', 'o', ' C', 'O ', '\\43', 'SERIALNUMBER', '1.2.3'];
const DN_VALUES = ['US', 'WA', 'Acme', '', ' ', 'a b', ' x', 'x ', 'x\\ ', '\\ x', 'a\\,b', 'a\\;b', 'a\\\\b', 'a\\+b', 'a=b', '\\41', '\\4', '\\zz', '\\', '#x', '\\#x', 'é', '\\c3\\a9', '\\ff', 'a\\\\ ', '"q"', '\\"'];
const DN_SEPARATORS = [',', ', ', ';', '+', ',,', ' , '];

const dnValue: fc.Arbitrary<string> = fc
  .array(fc.tuple(pick(DN_TYPES), pick(['=', '=', '=', '', '=#', '==']), pick(DN_VALUES), pick(DN_SEPARATORS)), { minLength: 0, maxLength: 5 })
  .map((parts) => parts.map(([t, eq, v, sep], i) => (i === parts.length - 1 ? `${t}${eq}${v}` : `${t}${eq}${v}${sep}`)).join(''));

const identity: fc.Arbitrary<string> = fc.oneof(
  pick(['*', '', 'x509.subject', 'x509.subject:', 'x509.subject: ', 'other:thing', 'X509.subject:C=US']),
  pick(['x509.subject:C=US,ST=WA,O=Acme', 'x509.subject:C=US,ST=WA,O=Acme,CN=b', 'x509.subject: C=US, S=WA, O=Acme']),
  dnValue.map((v) => `x509.subject:${v}`),
  dnValue.map((v) => `x509.subject:C=US,ST=WA,O=Acme,${v}`)
);

const scope = pick([
  '*',
  'r.io/a',
  'r.io/a',
  'r.io/b',
  'R.io/a',
  'r.io/A',
  'r.io',
  'r.io/',
  '/a',
  'r.io/a:tag',
  'r.io/a@sha256:abc',
  'localhost:5000/x',
  'localhost:/x',
  'r.io:80:90/x',
  'a-.io/x',
  '-a.io/x',
  'a..io/x',
  'r_x.io/a',
  'r.io/a__b',
  'r.io/a___b',
  'r.io/a-_b',
  'r.io/a--b',
  'r.io/a.-b',
  'r.io/a//b',
  'r.io/*',
  '**',
  '',
  'é.io/a',
  'r.io/é'
]);

const store = pick(['ca:a', 'ca:b', 'ca:a', 'signingAuthority:s', 'tsa:t', 'ca', 'ca:', 'CA:a', 'ca:a b', 'ca:a:b', 'x:a', ':a', 'tsa:t.t-t_t', 'ca:é']);
const level = pick(['strict', 'permissive', 'audit', 'skip', '', 'Strict', 'custom']);
const overrideKey = pick(['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation', 'Expiry', 'timestamp', '']);
const overrideValue = pick(['enforce', 'log', 'skip', 'Log', '', 'warn']);

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) });

/** Identities that parse: C/ST/O plus optional attributes, values with escapes and Unicode. */
const goodValue = pick(['Acme', 'a b', 'a\\,b', 'a\\;b', '\\ lead', 'trail\\ ', '\\41cme', 'Müller', '\\#1', 'x=y', 'a\\+b', 'ビ']);
const goodIdentity: fc.Arbitrary<string> = fc
  .tuple(goodValue, pick(['ST', 'S']), fc.subarray(['OU', 'CN', 'L', 'SERIALNUMBER']), goodValue, pick([',', ', ', ';']))
  .map(([o, st, extra, v, sep]) => `x509.subject:${['C=US', `${st}=WA`, `O=${o}`, ...extra.map((t) => `${t}=${v}`)].join(sep)}`);

type Statement = Record<string, unknown>;
type Mutation = (s: Statement) => void;

const set =
  (field: string) =>
  (value: unknown): Mutation =>
  (s) => {
    if (value === undefined) delete s[field];
    else s[field] = value;
  };
const setSv =
  (field: string) =>
  (value: unknown): Mutation =>
  (s) => {
    const sv = { ...(s['signatureVerification'] as Statement) };
    if (value === undefined) delete sv[field];
    else sv[field] = value;
    s['signatureVerification'] = sv;
  };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  optional(pick(['a', 'p0', 'p1', '', 'a b', 'é'])).map(set('name')),
  optional(fc.array(scope, { maxLength: 3 })).map(set('registryScopes')),
  optional(level).map(setSv('level')),
  optional(fc.dictionary(overrideKey, overrideValue, { maxKeys: 2 })).map(setSv('override')),
  optional(pick(['always', 'afterCertExpiry', '', 'never', 'Always'])).map(setSv('verifyTimestamp')),
  optional(fc.array(store, { maxLength: 3 })).map(set('trustStores')),
  optional(fc.array(identity, { maxLength: 3 })).map(set('trustedIdentities')),
  fc.array(goodIdentity, { minLength: 1, maxLength: 3 }).map(set('trustedIdentities')),
  fc.constant<Mutation>((s) => {
    s['signatureVerification'] = { level: 'skip' };
    delete s['trustStores'];
    delete s['trustedIdentities'];
  })
);

const statement = (i: number): fc.Arbitrary<Statement> =>
  fc.array(mutation, { maxLength: 2 }).map((mutations) => {
    const s: Statement = {
      name: `p${i}`,
      registryScopes: [`r.io/app${i}`],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:a'],
      trustedIdentities: ['*']
    };
    for (const m of mutations) m(s);
    return s;
  });

/** Random documents: valid statements with up to two fields replaced by awkward values each. */
export const policyDocument: fc.Arbitrary<string> = fc
  .record({
    version: fc.oneof({ weight: 12, arbitrary: fc.constant('1.0') }, { weight: 1, arbitrary: pick(['', '1', '2.0', null]) }),
    trustPolicies: fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 10, arbitrary: fc.tuple(statement(0), statement(1), statement(2)).chain((all) => fc.integer({ min: 1, max: 3 }).map((n) => all.slice(0, n))) }
    )
  })
  .map((d) => JSON.stringify(d));

const VALID = JSON.stringify({
  version: '1.0',
  trustPolicies: [
    { name: 'a', registryScopes: ['r.io/a'], signatureVerification: { level: 'strict', override: { expiry: 'log' } }, trustStores: ['ca:a'], trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme'] }
  ]
});

const INSERTS = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '0', '-', '1.', 'e', 'tru', 'null', '\u0001', '\ufeff', 'é', '\\u00', '\\ud800', '"x":1,', ',]'];

/** A valid document with a few characters deleted, inserted or replaced. */
export const mutatedText: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.nat(VALID.length), pick(['delete', 'insert', 'replace'] as const), pick(INSERTS)), { minLength: 1, maxLength: 3 })
  .map((edits) => {
    let text = VALID;
    for (const [at, op, s] of edits) {
      const i = at % (text.length + 1);
      if (op === 'delete') text = text.slice(0, i) + text.slice(i + 1);
      else if (op === 'insert') text = text.slice(0, i) + s + text.slice(i);
      else text = text.slice(0, i) + s + text.slice(i + s.length);
    }
    return text;
  });
