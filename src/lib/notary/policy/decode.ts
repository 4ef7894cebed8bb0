/**
 * JSON tree → notation's Go structs, with encoding/json's rules, because they decide what a
 * trustpolicy.json means to notation:
 * - keys match field names case-insensitively with Go's folding (`VERSION`, and even `verſion`
 *   with U+017F, mean `version`); unknown keys are ignored;
 * - `null` leaves a value as it was; a wrong JSON type is a type error (the first one is
 *   reported, worded as Go words it) and decoding goes on;
 * - a repeated key decodes again into the same field: objects merge, arrays overwrite element by
 *   element (what Go does, unlike JSON.parse's last-wins).
 */
import type { GoJsonNode, GoJsonObject } from './go-json-reader';
import type { PolicyIssue } from './types';

export interface RawStatement {
  name: string;
  registryScopes: string[] | null;
  signatureVerification: { level: string; override: Map<string, string> | null; verifyTimestamp: string };
  trustStores: string[] | null;
  trustedIdentities: string[] | null;
}

export interface RawDocument {
  version: string;
  trustPolicies: RawStatement[] | null;
}

/** Where a decoded value came from: its JSON path as written and its byte offset. */
export interface SourceLocation {
  readonly path: string;
  readonly offset?: number;
}

export interface DecodeResult {
  readonly document: RawDocument;
  /** First Go type error first; empty when Go's Unmarshal would succeed. */
  readonly typeErrors: PolicyIssue[];
  /** Canonical path (`trustPolicies[0].name`) → where it was written. */
  readonly locations: ReadonlyMap<string, SourceLocation>;
}

// Go's type names, as they appear in its UnmarshalTypeError messages.
const T_DOCUMENT = 'trustpolicy.Document';
const T_STATEMENTS = '[]trustpolicy.TrustPolicy';
const T_STATEMENT = 'trustpolicy.TrustPolicy';
const T_SIGVER = 'trustpolicy.SignatureVerification';
const T_OVERRIDE = 'map[trustpolicy.ValidationType]trustpolicy.ValidationAction';
const T_ACTION = 'trustpolicy.ValidationAction';
const T_TIMESTAMP = 'trustpolicy.TimestampOption';
const T_STRINGS = '[]string';
const T_STRING = 'string';

/** Go's name for the JSON value kind in a type error. */
function goValueKind(node: GoJsonNode): string {
  switch (node.kind) {
    case 'bool':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    default:
      return 'null';
  }
}

/** encoding/json's key folding for ASCII field names: case-insensitive, ſ ≡ s, K (Kelvin) ≡ k. */
function foldKey(key: string): string {
  let out = '';
  for (const c of key) {
    if (c === '\u017f') out += 'S';
    else if (c === '\u212a') out += 'K';
    else if (c >= 'a' && c <= 'z') out += c.toUpperCase();
    else out += c;
  }
  return out;
}

function fieldOf<F extends string>(key: string, fields: readonly F[]): F | undefined {
  const exact = fields.find((f) => f === key);
  if (exact) return exact;
  const folded = foldKey(key);
  return fields.find((f) => foldKey(f) === folded);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Go's error context: the struct whose field is being decoded and the JSON field names so far. */
interface Context {
  readonly struct: string;
  readonly fields: readonly string[];
}

class Decoder {
  readonly typeErrors: PolicyIssue[] = [];
  readonly locations = new Map<string, SourceLocation>();

  private locate(canonical: string, written: string, node: GoJsonNode): void {
    this.locations.set(canonical, node.start >= 0 ? { path: written, offset: node.start } : { path: written });
  }

  private typeError(node: GoJsonNode, goType: string, context: Context | null, written: string): void {
    const where = context ? `Go struct field ${context.struct}.${context.fields.join('.')}` : 'Go value';
    const issue: PolicyIssue = {
      path: written,
      message: `json: cannot unmarshal ${goValueKind(node)} into ${where} of type ${goType}`,
      stage: 'type',
      ...(node.start >= 0 ? { offset: node.start } : {})
    };
    this.typeErrors.push(issue);
  }

  private string(node: GoJsonNode, existing: string, goType: string, ctx: Context, canonical: string, written: string): string {
    this.locate(canonical, written, node);
    if (node.kind === 'null') return existing;
    if (node.kind === 'string') return node.value;
    this.typeError(node, goType, ctx, written);
    return existing;
  }

  private strings(node: GoJsonNode, existing: string[] | null, ctx: Context, canonical: string, written: string): string[] | null {
    this.locate(canonical, written, node);
    if (node.kind === 'null') return null;
    if (node.kind !== 'array') {
      this.typeError(node, T_STRINGS, ctx, written);
      return existing;
    }
    const out = node.items.map((item, i) =>
      this.string(item, existing?.[i] ?? '', T_STRING, ctx, childPath(canonical, i), childPath(written, i))
    );
    return out;
  }

  private override(
    node: GoJsonNode,
    existing: Map<string, string> | null,
    ctx: Context,
    canonical: string,
    written: string
  ): Map<string, string> | null {
    this.locate(canonical, written, node);
    if (node.kind === 'null') return null;
    if (node.kind !== 'object') {
      this.typeError(node, T_OVERRIDE, ctx, written);
      return existing;
    }
    const map = existing ?? new Map<string, string>();
    for (const entry of node.entries) {
      // A map element starts from its zero value each time; a repeated key keeps its place.
      const value = this.string(entry.value, '', T_ACTION, ctx, childPath(canonical, entry.key), childPath(written, entry.key));
      map.set(entry.key, value);
    }
    return map;
  }

  private signatureVerification(
    node: GoJsonNode,
    sv: RawStatement['signatureVerification'],
    parent: Context,
    canonical: string,
    written: string
  ): void {
    this.locate(canonical, written, node);
    if (node.kind === 'null') return;
    if (node.kind !== 'object') {
      this.typeError(node, T_SIGVER, parent, written);
      return;
    }
    for (const entry of node.entries) {
      const field = fieldOf(entry.key, ['level', 'override', 'verifyTimestamp'] as const);
      if (!field) continue;
      const ctx: Context = { struct: 'SignatureVerification', fields: [...parent.fields, field] };
      const c = childPath(canonical, field);
      const w = childPath(written, entry.key);
      if (field === 'level') sv.level = this.string(entry.value, sv.level, T_STRING, ctx, c, w);
      else if (field === 'verifyTimestamp') sv.verifyTimestamp = this.string(entry.value, sv.verifyTimestamp, T_TIMESTAMP, ctx, c, w);
      else sv.override = this.override(entry.value, sv.override, ctx, c, w);
    }
  }

  private statement(node: GoJsonNode, st: RawStatement, parent: Context, canonical: string, written: string): void {
    this.locate(canonical, written, node);
    if (node.kind === 'null') return;
    if (node.kind !== 'object') {
      this.typeError(node, T_STATEMENT, parent, written);
      return;
    }
    const fields = ['name', 'registryScopes', 'signatureVerification', 'trustStores', 'trustedIdentities'] as const;
    for (const entry of node.entries) {
      const field = fieldOf(entry.key, fields);
      if (!field) continue;
      const ctx: Context = { struct: 'TrustPolicy', fields: [...parent.fields, field] };
      const c = childPath(canonical, field);
      const w = childPath(written, entry.key);
      switch (field) {
        case 'name':
          st.name = this.string(entry.value, st.name, T_STRING, ctx, c, w);
          break;
        case 'signatureVerification':
          this.signatureVerification(entry.value, st.signatureVerification, ctx, c, w);
          break;
        default:
          st[field] = this.strings(entry.value, st[field], ctx, c, w);
      }
    }
  }

  document(node: GoJsonNode): RawDocument {
    const doc: RawDocument = { version: '', trustPolicies: null };
    this.locate('', '$', node);
    if (node.kind === 'null') return doc;
    if (node.kind !== 'object') {
      this.typeError(node, T_DOCUMENT, null, '$');
      return doc;
    }
    for (const entry of (node as GoJsonObject).entries) {
      const field = fieldOf(entry.key, ['version', 'trustPolicies'] as const);
      if (!field) continue;
      const ctx: Context = { struct: 'Document', fields: [field] };
      const w = childPath('$', entry.key);
      if (field === 'version') {
        doc.version = this.string(entry.value, doc.version, T_STRING, ctx, 'version', w);
        continue;
      }
      this.locate('trustPolicies', w, entry.value);
      const value = entry.value;
      if (value.kind === 'null') doc.trustPolicies = null;
      else if (value.kind !== 'array') this.typeError(value, T_STATEMENTS, ctx, w);
      else {
        const previous = doc.trustPolicies ?? [];
        doc.trustPolicies = value.items.map((item, i) => {
          const st = previous[i] ?? emptyStatement();
          this.statement(item, st, ctx, `trustPolicies[${i}]`, childPath(w, i));
          return st;
        });
      }
    }
    return doc;
  }
}

function emptyStatement(): RawStatement {
  return {
    name: '',
    registryScopes: null,
    signatureVerification: { level: '', override: null, verifyTimestamp: '' },
    trustStores: null,
    trustedIdentities: null
  };
}

/** Decodes a JSON tree into notation's trust policy structs with Go's rules. */
export function decodeTrustPolicy(node: GoJsonNode): DecodeResult {
  const decoder = new Decoder();
  const document = decoder.document(node);
  return { document, typeErrors: decoder.typeErrors, locations: decoder.locations };
}
