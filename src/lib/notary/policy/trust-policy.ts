/**
 * Reading, validating and writing notation's OCI `trustpolicy.json` (version "1.0"), with every
 * rule notation v1.3.2 enforces when it imports or loads a policy, in notation's order and words.
 * Spec digest §12.1, §12.3, §12.5.
 *
 * Messages are exactly what notation's policy validation returns (the CLI prints them after
 * "failed to validate trust policy: " or, for JSON problems, "failed to parse trust policy
 * configuration: "); each problem also carries the JSON path of the value at fault.
 */
import { SignetError } from '../../errors';
import { childPath, decodeTrustPolicy, type RawDocument, type RawStatement, type SourceLocation } from './decode';
import { goJsonFromValue, GoJsonSyntaxError, readGoJson, type GoJsonNode } from './go-json-reader';
import { goQuote } from '../go-text';
import { isSubsetDn, parseDistinguishedName, type DistinguishedName } from './identity';
import { levelProblems } from './levels';
import { registryScopeProblem } from './scope';
import {
  TRUST_POLICY_VERSION,
  TRUST_STORE_TYPES,
  TrustPolicyError,
  VERIFY_TIMESTAMP_OPTIONS,
  WILDCARD,
  X509_SUBJECT_PREFIX,
  type CheckAction,
  type OverridableCheck,
  type PolicyIssue,
  type SignatureVerification,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type TrustStoreType,
  type VerificationLevelName,
  type VerifyTimestampOption
} from './types';

/** Larger than any real policy; notation itself sets no limit. */
export const MAX_TRUST_POLICY_BYTES = 4 * 1024 * 1024;

/**
 * The overlap rule compares every pair of a statement's x509.subject identities. notation has
 * no limit; Signet refuses more than this many in one statement rather than spend minutes on a
 * pathological file (a real policy lists a handful).
 */
export const MAX_X509_IDENTITIES_PER_STATEMENT = 1000;

/** What a trust policy can be read from: file bytes, JSON text, or an already-parsed value. */
export type TrustPolicyInput = Uint8Array | string | Record<string, unknown> | unknown[] | null;

/** Result of checking a policy: the document when valid, and every problem found. */
export interface TrustPolicyCheck {
  /** The validated document; null when there is any issue. */
  readonly document: TrustPolicyDocument | null;
  /** Every problem, notation's first one first. Empty when notation would accept the policy. */
  readonly issues: readonly PolicyIssue[];
}

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

// ---- reading ---------------------------------------------------------------------------------

function tooLarge(size: number): string {
  return `trust policy is ${size} bytes; the limit is ${MAX_TRUST_POLICY_BYTES} bytes`;
}

interface Located {
  readonly node: GoJsonNode | null;
  readonly syntax: PolicyIssue | null;
}

function readInput(input: TrustPolicyInput): Located {
  if (input instanceof Uint8Array || typeof input === 'string') {
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
    if (bytes.length > MAX_TRUST_POLICY_BYTES) {
      return {
        node: null,
        syntax: {
          path: '$',
          message: tooLarge(bytes.length),
          stage: 'syntax'
        }
      };
    }
    try {
      return { node: readGoJson(bytes), syntax: null };
    } catch (e) {
      if (!(e instanceof GoJsonSyntaxError)) throw e;
      return { node: null, syntax: { path: '$', message: e.message, stage: 'syntax', offset: e.offset } };
    }
  }
  try {
    return { node: goJsonFromValue(input), syntax: null };
  } catch (e) {
    if (!(e instanceof GoJsonSyntaxError)) throw e;
    return { node: null, syntax: { path: '$', message: e.message, stage: 'syntax' } };
  }
}

// ---- validation ------------------------------------------------------------------------------

class Issues {
  readonly list: PolicyIssue[] = [];
  constructor(private readonly locations: ReadonlyMap<string, SourceLocation>) {}

  /** Where a canonical path was written; for an absent field, its parent plus the field name. */
  where(canonical: string): SourceLocation {
    const found = this.locations.get(canonical);
    if (found) return found;
    const cut = Math.max(canonical.lastIndexOf('.'), canonical.lastIndexOf('['));
    if (cut <= 0) return { path: childPath('$', canonical) };
    const parent = this.where(canonical.slice(0, cut));
    const rest = canonical.slice(cut);
    return parent.offset === undefined ? { path: parent.path + rest } : { path: parent.path + rest, offset: parent.offset };
  }

  add(canonical: string, message: string): void {
    const at = this.where(canonical);
    this.list.push({ path: at.path, message, stage: 'rule', ...(at.offset === undefined ? {} : { offset: at.offset }) });
  }
}

function checkTrustStores(issues: Issues, base: string, name: string, stores: readonly string[]): void {
  const q = goQuote(name);
  stores.forEach((store, j) => {
    const at = `${base}.trustStores[${j}]`;
    const colon = store.indexOf(':');
    if (colon < 0) {
      issues.add(at, `trust policy: trust policy statement ${q} has malformed trust store value ${goQuote(store)}. The required format is <TrustStoreType>:<TrustStoreName>`);
      return;
    }
    const type = store.slice(0, colon);
    const storeName = store.slice(colon + 1);
    if (!(TRUST_STORE_TYPES as readonly string[]).includes(type)) {
      issues.add(at, `trust policy: trust policy statement ${q} uses an unsupported trust store type ${goQuote(type)} in trust store value ${goQuote(store)}`);
    } else if (!STORE_NAME.test(storeName)) {
      issues.add(
        at,
        `trust policy: trust policy statement ${q} uses an unsupported trust store name ${goQuote(storeName)} in trust store value ${goQuote(store)}. Named store name needs to follow [a-zA-Z0-9_.-]+ format`
      );
    }
  });
}

function checkTrustedIdentities(issues: Issues, base: string, name: string, identities: readonly string[]): void {
  const q = goQuote(name);
  if (identities.length > 1 && identities.includes(WILDCARD)) {
    issues.add(
      `${base}.trustedIdentities[${identities.indexOf(WILDCARD)}]`,
      `trust policy: trust policy statement ${q} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`
    );
  }
  const parsed: { index: number; raw: string; dn: DistinguishedName }[] = [];
  identities.forEach((identity, j) => {
    const at = `${base}.trustedIdentities[${j}]`;
    if (identity === '') {
      issues.add(at, `trust policy: trust policy statement ${q} has an empty trusted identity`);
      return;
    }
    if (identity === WILDCARD) return;
    const colon = identity.indexOf(':');
    if (colon < 0) {
      issues.add(at, `trust policy: trust policy statement ${q} has trusted identity ${goQuote(identity)} missing separator`);
      return;
    }
    // notation understands only x509.subject; other prefixes pass validation and are ignored.
    if (identity.slice(0, colon) !== X509_SUBJECT_PREFIX) return;
    const value = identity.slice(colon + 1);
    if (value === '') {
      issues.add(at, `trust policy: trust policy statement ${q} has trusted identity ${goQuote(identity)} without an identity value`);
      return;
    }
    try {
      parsed.push({ index: j, raw: identity, dn: parseDistinguishedName(value) });
    } catch (e) {
      issues.add(
        at,
        `trust policy: trust policy statement ${q} has trusted identity ${goQuote(identity)} with invalid identity value: ${(e as Error).message}`
      );
    }
  });
  if (parsed.length > MAX_X509_IDENTITIES_PER_STATEMENT) {
    issues.add(
      `${base}.trustedIdentities`,
      `trust policy statement ${q} lists ${parsed.length} x509.subject identities; Signet checks at most ${MAX_X509_IDENTITIES_PER_STATEMENT} per statement for overlaps`
    );
    return;
  }
  const reported = new Set<string>();
  for (const a of parsed) {
    for (const b of parsed) {
      if (a === b || !isSubsetDn(a.dn, b.dn)) continue;
      const pair = [a.index, b.index].sort((x, y) => x - y).join(',');
      if (reported.has(pair)) continue;
      reported.add(pair);
      issues.add(
        `${base}.trustedIdentities[${a.index}]`,
        `trust policy: trust policy statement ${q} has overlapping x509 trustedIdentities, ${goQuote(a.raw)} overlaps with ${goQuote(b.raw)}`
      );
    }
  }
}

function checkStatementCore(issues: Issues, i: number, st: RawStatement): void {
  const base = `trustPolicies[${i}]`;
  const q = goQuote(st.name);
  if (st.name === '') issues.add(`${base}.name`, 'trust policy: a trust policy statement is missing a name, every statement requires a name');

  const sv = st.signatureVerification;
  const svBase = `${base}.signatureVerification`;
  const problems = levelProblems(sv);
  for (const p of problems) {
    const at =
      p.at.field === 'overrideKey' ? childPath(`${svBase}.override`, p.at.key) : `${svBase}.${p.at.field}`;
    issues.add(at, `trust policy: trust policy statement ${q} has invalid signatureVerification: ${p.message}`);
  }
  if (sv.verifyTimestamp !== '' && !(VERIFY_TIMESTAMP_OPTIONS as readonly string[]).includes(sv.verifyTimestamp)) {
    issues.add(
      `${svBase}.verifyTimestamp`,
      `trust policy: trust policy statement ${q} has invalid signatureVerification: verifyTimestamp must be "always" or "afterCertExpiry", but got ${goQuote(sv.verifyTimestamp)}`
    );
  }

  const stores = st.trustStores ?? [];
  const identities = st.trustedIdentities ?? [];
  const levelKnown = problems.every((p) => p.at.field !== 'level');
  if (levelKnown && sv.level === 'skip') {
    if (stores.length > 0 || identities.length > 0) {
      issues.add(
        stores.length > 0 ? `${base}.trustStores` : `${base}.trustedIdentities`,
        `trust policy: trust policy statement ${q} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`
      );
    }
    return;
  }
  if (levelKnown && (stores.length === 0 || identities.length === 0)) {
    issues.add(
      stores.length === 0 ? `${base}.trustStores` : `${base}.trustedIdentities`,
      `trust policy: trust policy statement ${q} is either missing trust stores or trusted identities, both must be specified`
    );
  }
  checkTrustStores(issues, base, st.name, stores);
  checkTrustedIdentities(issues, base, st.name, identities);
}

function checkRegistryScopes(issues: Issues, statements: readonly RawStatement[]): void {
  const seen = new Map<string, number>();
  const duplicates: { scope: string; at: string }[] = [];
  statements.forEach((st, i) => {
    const base = `trustPolicies[${i}].registryScopes`;
    const scopes = st.registryScopes ?? [];
    const q = goQuote(st.name);
    if (scopes.length === 0) {
      issues.add(base, `trust policy statement ${q} has zero registry scopes, it must specify registry scopes with at least one value`);
    }
    if (scopes.length > 1 && scopes.includes(WILDCARD)) {
      issues.add(
        `${base}[${scopes.indexOf(WILDCARD)}]`,
        `trust policy statement ${q} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`
      );
    }
    scopes.forEach((scope, j) => {
      if (scope !== WILDCARD) {
        const problem = registryScopeProblem(scope);
        if (problem !== null) issues.add(`${base}[${j}]`, problem);
      }
      const count = (seen.get(scope) ?? 0) + 1;
      seen.set(scope, count);
      if (count === 2) duplicates.push({ scope, at: `${base}[${j}]` });
    });
  });
  // notation's pick among several duplicated scopes follows Go map order; here, document order.
  for (const d of duplicates) {
    issues.add(
      d.at,
      `registry scope ${goQuote(d.scope)} is present in multiple trust policy statements, one registry scope value can only be associated with one statement`
    );
  }
}

function validate(doc: RawDocument, issues: Issues): void {
  if (doc.version === '') issues.add('version', 'trust policy document has empty version, version must be specified');
  else if (doc.version !== TRUST_POLICY_VERSION) issues.add('version', `trust policy document uses unsupported version ${goQuote(doc.version)}`);

  const statements = doc.trustPolicies ?? [];
  if (statements.length === 0) issues.add('trustPolicies', 'trust policy document can not have zero trust policy statements');

  const names = new Set<string>();
  statements.forEach((st, i) => {
    if (names.has(st.name)) {
      issues.add(
        `trustPolicies[${i}].name`,
        `multiple trust policy statements use the same name ${goQuote(st.name)}, statement names must be unique`
      );
    }
    checkStatementCore(issues, i, st);
    if (st.name !== '') names.add(st.name);
  });
  checkRegistryScopes(issues, statements);
}

function toDocument(doc: RawDocument): TrustPolicyDocument {
  const trustPolicies = (doc.trustPolicies ?? []).map((st): TrustPolicyStatement => {
    const raw = st.signatureVerification;
    let sv: SignatureVerification = { level: raw.level as VerificationLevelName };
    if (raw.override !== null && raw.override.size > 0) {
      const override: Partial<Record<OverridableCheck, CheckAction>> = {};
      for (const [k, v] of raw.override) override[k as OverridableCheck] = v as CheckAction;
      sv = { ...sv, override };
    }
    if (raw.verifyTimestamp !== '') sv = { ...sv, verifyTimestamp: raw.verifyTimestamp as VerifyTimestampOption };
    return {
      name: st.name,
      registryScopes: [...(st.registryScopes ?? [])],
      signatureVerification: sv,
      trustStores: [...(st.trustStores ?? [])],
      trustedIdentities: [...(st.trustedIdentities ?? [])]
    };
  });
  return { version: TRUST_POLICY_VERSION, trustPolicies };
}

/**
 * Checks a trust policy and reports every problem, for editors that validate as the user types.
 * The first issue is the one notation reports (`notation policy import` fails with it); later
 * ones are what notation would report once the earlier ones are fixed, as far as can be told.
 * Never throws on bad input.
 * Spec digest §12.1.
 */
export function checkTrustPolicy(input: TrustPolicyInput): TrustPolicyCheck {
  const read = readInput(input);
  if (read.syntax || read.node === null) return { document: null, issues: [read.syntax!] };
  const decoded = decodeTrustPolicy(read.node);
  if (decoded.typeErrors.length > 0) return { document: null, issues: decoded.typeErrors };
  const issues = new Issues(decoded.locations);
  validate(decoded.document, issues);
  if (issues.list.length > 0) return { document: null, issues: issues.list };
  return { document: toDocument(decoded.document), issues: [] };
}

/**
 * Reads and validates notation's OCI trust policy exactly as `notation policy import` (v1.3.2)
 * does, from the file's bytes, its text, or an already-parsed JSON value. Throws a
 * {@link TrustPolicyError} (code ERR_TRUST_POLICY_INVALID) carrying notation's message and the
 * JSON path of the offending value; the policy is returned unchanged in meaning.
 * Spec digest §12.1, §12.3, §12.5.
 */
export function parseTrustPolicy(input: TrustPolicyInput): TrustPolicyDocument {
  const size = input instanceof Uint8Array ? input.length : typeof input === 'string' ? new TextEncoder().encode(input).length : 0;
  if (size > MAX_TRUST_POLICY_BYTES) throw new SignetError('ERR_INPUT_TOO_LARGE', tooLarge(size));
  const result = checkTrustPolicy(input);
  const first = result.issues[0];
  if (first) throw new TrustPolicyError(first);
  return result.document!;
}

// ---- writing ---------------------------------------------------------------------------------

/**
 * Writes a policy as notation-compatible JSON (field order as notation's structs, 4-space
 * indentation, `skip` statements without trust stores or identities). The output is read back
 * and validated first, so what Signet exports `notation policy import` accepts; an invalid
 * document throws the TrustPolicyError notation would give.
 */
export function formatTrustPolicy(document: TrustPolicyDocument): string {
  const out = {
    version: document.version,
    trustPolicies: document.trustPolicies.map((st) => {
      const sv: Record<string, unknown> = { level: st.signatureVerification.level };
      const override = st.signatureVerification.override;
      if (override && Object.keys(override).length > 0) sv['override'] = { ...override };
      if (st.signatureVerification.verifyTimestamp) sv['verifyTimestamp'] = st.signatureVerification.verifyTimestamp;
      const statement: Record<string, unknown> = {
        name: st.name,
        registryScopes: [...st.registryScopes],
        signatureVerification: sv
      };
      if (st.signatureVerification.level !== 'skip' || st.trustStores.length > 0) statement['trustStores'] = [...st.trustStores];
      if (st.signatureVerification.level !== 'skip' || st.trustedIdentities.length > 0) {
        statement['trustedIdentities'] = [...st.trustedIdentities];
      }
      return statement;
    })
  };
  const text = JSON.stringify(out, null, 4) + '\n';
  parseTrustPolicy(text);
  return text;
}

// ---- trust store references (used at verification time) --------------------------------------

/** A `type:name` trust store reference. */
export interface TrustStoreReference {
  readonly type: TrustStoreType;
  readonly name: string;
}

/** Splits a validated `type:name` entry. Throws ERR_TRUST_POLICY_INVALID if it is not one. */
export function parseTrustStoreReference(value: string): TrustStoreReference {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon);
  const name = value.slice(colon + 1);
  if (colon < 0 || !(TRUST_STORE_TYPES as readonly string[]).includes(type) || !STORE_NAME.test(name)) {
    throw new SignetError('ERR_TRUST_POLICY_INVALID', `trust store value ${goQuote(value)} is not of the form <TrustStoreType>:<TrustStoreName>`);
  }
  return { type: type as TrustStoreType, name };
}

/**
 * The names of the statement's stores of one type, each once, in policy order: the stores
 * notation loads for the authenticity check (`ca` for notary.x509, `signingAuthority` for the
 * signing-authority scheme) or for timestamps (`tsa`). An entry without `:` fails with notation's
 * verification-time message (reachable only for statements that bypassed validation).
 * Spec digest §11, §12.4 step 3.
 */
export function trustStoreNames(statementName: string, trustStores: readonly string[], type: TrustStoreType): string[] {
  const names: string[] = [];
  const processed = new Set<string>();
  for (const store of trustStores) {
    if (processed.has(store)) continue;
    const colon = store.indexOf(':');
    if (colon < 0) {
      throw new SignetError(
        'ERR_TRUST_POLICY_INVALID',
        `error while loading the trust store, trust policy statement ${goQuote(statementName)} is missing separator in trust store value ${goQuote(store)}. The required format is <TrustStoreType>:<TrustStoreName>`
      );
    }
    if (store.slice(0, colon) !== type) continue;
    names.push(store.slice(colon + 1));
    processed.add(store);
  }
  return names;
}

/**
 * Whether the statement names a `tsa` store, which turns on timestamp verification for
 * notary.x509 signatures. Entries are read in order up to the first `tsa` one; an entry without
 * `:` before it fails with notation's message. Spec digest §12.4 step 5.
 */
export function hasTsaTrustStore(statementName: string, trustStores: readonly string[]): boolean {
  for (const store of trustStores) {
    const colon = store.indexOf(':');
    if (colon < 0) {
      throw new SignetError(
        'ERR_TRUST_POLICY_INVALID',
        `invalid trust policy statement: ${goQuote(statementName)} is missing separator in trust store value ${goQuote(store)}. The required format is <TrustStoreType>:<TrustStoreName>`
      );
    }
    if (store.slice(0, colon) === 'tsa') return true;
  }
  return false;
}
