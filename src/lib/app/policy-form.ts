/**
 * The trust policy editor's model: notation's `trustpolicy.json` as a form (one block per
 * statement, lists as one value per line), turned into the JSON notation reads and checked with
 * notation's own rules (checkTrustPolicy) on every change. Each issue is placed on the field —
 * and the line — it concerns, from its JSON path; advice covers what notation accepts but will
 * not work (policyAdvice, and stores this browser does not hold).
 * Spec digest §12.1, §12.3.
 */
import { checkTrustPolicy } from '../notary/policy/trust-policy';
import { formatTrustPolicy } from '../notary/policy/trust-policy';
import { policyAdvice, textPosition } from '../notary/policy/editor';
import {
  CHECK_ACTIONS,
  TRUST_POLICY_VERSION,
  VERIFICATION_LEVELS,
  VERIFY_TIMESTAMP_OPTIONS,
  type CheckAction,
  type OverridableCheck,
  type TrustPolicyDocument,
  type VerificationLevelName,
  type VerifyTimestampOption
} from '../notary/policy/types';

export const OVERRIDABLE_CHECKS: readonly OverridableCheck[] = ['authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
export { CHECK_ACTIONS, VERIFICATION_LEVELS, VERIFY_TIMESTAMP_OPTIONS };
export type { CheckAction, OverridableCheck, VerificationLevelName, VerifyTimestampOption };

export interface StatementForm {
  /** Stable identity for the UI (not written to the policy). */
  readonly id: string;
  name: string;
  /** One registry scope per line. */
  scopes: string;
  level: VerificationLevelName;
  /** '' keeps the level's action. */
  overrides: Record<OverridableCheck, CheckAction | ''>;
  verifyTimestamp: VerifyTimestampOption | '';
  /** One `type:name` per line. */
  stores: string;
  /** One identity per line (`*` or `x509.subject: …`). */
  identities: string;
}

export interface PolicyForm {
  statements: StatementForm[];
}

export type FormField = 'name' | 'scopes' | 'level' | 'overrides' | 'verifyTimestamp' | 'stores' | 'identities';

/** A problem or a piece of advice, located in the form. */
export interface FormIssue {
  readonly path: string;
  readonly message: string;
  /** Index of the statement, or null for the document as a whole. */
  readonly statement: number | null;
  readonly field: FormField | null;
  /** 1-based line within a list field. */
  readonly line?: number;
}

export interface FormCheck {
  /** The JSON the form stands for (notation's layout when valid). */
  readonly json: string;
  /** Notation's problems, its first one first. Empty when notation accepts the policy. */
  readonly issues: readonly FormIssue[];
  /** Accepted by notation, but probably not what was meant. */
  readonly advice: readonly FormIssue[];
  readonly document: TrustPolicyDocument | null;
}

let nextId = 0;
function newId(): string {
  nextId += 1;
  return `statement-${nextId}`;
}

function noOverrides(): Record<OverridableCheck, CheckAction | ''> {
  return { authenticity: '', authenticTimestamp: '', expiry: '', revocation: '' };
}

/** A new statement: strict, every registry, the given stores, any identity from them. */
export function newStatement(init: { name?: string; stores?: readonly string[] } = {}): StatementForm {
  return {
    id: newId(),
    name: init.name ?? '',
    scopes: '*',
    level: 'strict',
    overrides: noOverrides(),
    verifyTimestamp: '',
    stores: (init.stores ?? []).join('\n'),
    identities: '*'
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${what} is not a list of text values`);
  if (v.some((x) => x.trim() !== x || x === '' || x.includes('\n'))) throw new Error(`${what} has an empty value, a line break or spaces around a value`);
  return v.join('\n');
}

/**
 * The form for a policy given as JSON text or value. Throws an Error saying what the form cannot
 * show (a value of the wrong type, another version, a field it would lose); the editor then
 * keeps the JSON view, where notation's messages still apply.
 */
export function formFromPolicy(input: string | unknown): PolicyForm {
  const value = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
  if (!isRecord(value)) throw new Error('the policy is not a JSON object');
  if (value.version !== TRUST_POLICY_VERSION) throw new Error(`the version is ${JSON.stringify(value.version ?? null)}, not "${TRUST_POLICY_VERSION}"`);
  if (!Array.isArray(value.trustPolicies)) throw new Error('trustPolicies is not a list');
  const statements = value.trustPolicies.map((st, i): StatementForm => {
    const what = `statement ${i + 1}`;
    if (!isRecord(st)) throw new Error(`${what} is not an object`);
    if (typeof st.name !== 'string') throw new Error(`${what}: name is not text`);
    const sv = st.signatureVerification;
    if (!isRecord(sv)) throw new Error(`${what}: signatureVerification is not an object`);
    if (typeof sv.level !== 'string' || !(VERIFICATION_LEVELS as readonly string[]).includes(sv.level)) throw new Error(`${what}: the level is not one of ${VERIFICATION_LEVELS.join(', ')}`);
    const overrides = noOverrides();
    if (sv.override !== undefined && sv.override !== null) {
      if (!isRecord(sv.override)) throw new Error(`${what}: override is not an object`);
      for (const [k, v] of Object.entries(sv.override)) {
        if (!(OVERRIDABLE_CHECKS as readonly string[]).includes(k) || typeof v !== 'string' || !(CHECK_ACTIONS as readonly string[]).includes(v)) {
          throw new Error(`${what}: override ${JSON.stringify(k)}: ${JSON.stringify(v)} is not a check and action the form offers`);
        }
        overrides[k as OverridableCheck] = v as CheckAction;
      }
    }
    let verifyTimestamp: VerifyTimestampOption | '' = '';
    if (sv.verifyTimestamp !== undefined && sv.verifyTimestamp !== '') {
      if (typeof sv.verifyTimestamp !== 'string' || !(VERIFY_TIMESTAMP_OPTIONS as readonly string[]).includes(sv.verifyTimestamp)) {
        throw new Error(`${what}: verifyTimestamp is not "always" or "afterCertExpiry"`);
      }
      verifyTimestamp = sv.verifyTimestamp as VerifyTimestampOption;
    }
    return {
      id: newId(),
      name: st.name,
      scopes: stringList(st.registryScopes, `${what}: registryScopes`),
      level: sv.level as VerificationLevelName,
      overrides,
      verifyTimestamp,
      stores: stringList(st.trustStores, `${what}: trustStores`),
      identities: stringList(st.trustedIdentities, `${what}: trustedIdentities`)
    };
  });
  return { statements };
}

/** Non-empty trimmed lines, with the 1-based line each came from. */
function lines(text: string): { values: string[]; lineOf: number[] } {
  const values: string[] = [];
  const lineOf: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const v = raw.trim();
    if (v === '') return;
    values.push(v);
    lineOf.push(i + 1);
  });
  return { values, lineOf };
}

/** The JSON value a form stands for, in notation's field order, and where each list value came from. */
export function formToValue(form: PolicyForm): { value: Record<string, unknown>; lineOf: Map<string, number> } {
  const lineOf = new Map<string, number>();
  const trustPolicies = form.statements.map((st, i) => {
    const base = `$.trustPolicies[${i}]`;
    const scopes = lines(st.scopes);
    const stores = lines(st.stores);
    const identities = lines(st.identities);
    scopes.lineOf.forEach((l, k) => lineOf.set(`${base}.registryScopes[${k}]`, l));
    stores.lineOf.forEach((l, k) => lineOf.set(`${base}.trustStores[${k}]`, l));
    identities.lineOf.forEach((l, k) => lineOf.set(`${base}.trustedIdentities[${k}]`, l));
    const override = Object.fromEntries(OVERRIDABLE_CHECKS.filter((c) => st.overrides[c] !== '').map((c) => [c, st.overrides[c]]));
    const sv: Record<string, unknown> = { level: st.level };
    if (Object.keys(override).length > 0) sv.override = override;
    if (st.verifyTimestamp) sv.verifyTimestamp = st.verifyTimestamp;
    const statement: Record<string, unknown> = { name: st.name, registryScopes: scopes.values, signatureVerification: sv };
    // A skip statement lists no stores or identities; anything typed there stays so notation's error shows.
    if (st.level !== 'skip' || stores.values.length > 0) statement.trustStores = stores.values;
    if (st.level !== 'skip' || identities.values.length > 0) statement.trustedIdentities = identities.values;
    return statement;
  });
  return { value: { version: TRUST_POLICY_VERSION, trustPolicies }, lineOf };
}

const PATH = /^\$\.trustPolicies\[(\d+)\](?:\.(name|registryScopes|trustStores|trustedIdentities|signatureVerification)(?:\.(level|override|verifyTimestamp))?(?:\[(\d+)\])?)?/;

/** Where an issue's JSON path points in the form. */
export function locate(path: string, message: string, lineOf: ReadonlyMap<string, number> = new Map()): FormIssue {
  const m = PATH.exec(path);
  if (!m) return { path, message, statement: null, field: null };
  const statement = Number(m[1]);
  const fields: Record<string, FormField> = { name: 'name', registryScopes: 'scopes', trustStores: 'stores', trustedIdentities: 'identities' };
  let field: FormField | null = null;
  if (m[2] === 'signatureVerification') field = m[3] === 'override' ? 'overrides' : m[3] === 'verifyTimestamp' ? 'verifyTimestamp' : 'level';
  else if (m[2]) field = fields[m[2]] ?? null;
  const line = m[4] !== undefined ? lineOf.get(`$.trustPolicies[${statement}].${m[2]}[${m[4]}]`) : undefined;
  return { path, message, statement, field, ...(line !== undefined ? { line } : {}) };
}

/** Stores the policy names that this browser does not hold (verification would fail on them). */
function missingStoreAdvice(doc: TrustPolicyDocument, available: ReadonlySet<string> | undefined, lineOf: ReadonlyMap<string, number>): FormIssue[] {
  if (!available) return [];
  const out: FormIssue[] = [];
  doc.trustPolicies.forEach((st, i) =>
    st.trustStores.forEach((s, k) => {
      if (available.has(s)) return;
      out.push(
        locate(
          `$.trustPolicies[${i}].trustStores[${k}]`,
          `trust store "${s}" is not stored in this browser: import it or add certificates to it, or verification with statement "${st.name}" fails`,
          lineOf
        )
      );
    })
  );
  return out;
}

/**
 * Checks the form with notation's rules. `availableStores` (`type:name` of the stores held) adds
 * advice for stores the policy names but this browser lacks.
 */
export function checkPolicyForm(form: PolicyForm, availableStores?: ReadonlySet<string>): FormCheck {
  const { value, lineOf } = formToValue(form);
  const result = checkTrustPolicy(value);
  if (!result.document) {
    return { json: `${JSON.stringify(value, null, 4)}\n`, issues: result.issues.map((i) => locate(i.path, i.message, lineOf)), advice: [], document: null };
  }
  const advice = [...policyAdvice(result.document).map((a) => locate(a.path, a.message, lineOf)), ...missingStoreAdvice(result.document, availableStores, lineOf)];
  return { json: formatTrustPolicy(result.document), issues: [], advice, document: result.document };
}

export interface JsonIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based line and column in the text, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Checks policy JSON text as notation reads it; issues carry their line and column. */
export function checkPolicyText(text: string, availableStores?: ReadonlySet<string>): { issues: JsonIssue[]; advice: FormIssue[]; document: TrustPolicyDocument | null; formatted: string | null } {
  const result = checkTrustPolicy(text);
  const issues = result.issues.map((i) => {
    const at = textPosition(text, i.offset);
    return { path: i.path, message: i.message, ...(at ? { line: at.line, column: at.column } : {}) };
  });
  if (!result.document) return { issues, advice: [], document: null, formatted: null };
  const advice = [...policyAdvice(result.document).map((a) => locate(a.path, a.message)), ...missingStoreAdvice(result.document, availableStores, new Map())];
  return { issues, advice, document: result.document, formatted: formatTrustPolicy(result.document) };
}
