/**
 * Small helpers for a trust policy editor: building statements, placing issues in the text,
 * and advice about policies notation accepts but that will not do what their author likely wants.
 * Validation itself (every issue, as the user types) is {@link checkTrustPolicy}.
 * Spec digest §12.1.
 */
import { parseDistinguishedName, type DistinguishedName } from './identity';
import { checkTrustPolicy, type TrustPolicyCheck, type TrustPolicyInput } from './trust-policy';
import {
  TRUST_POLICY_VERSION,
  WILDCARD,
  X509_SUBJECT_PREFIX,
  type CheckAction,
  type OverridableCheck,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type VerificationLevelName,
  type VerifyTimestampOption
} from './types';

export { checkTrustPolicy };
export type { TrustPolicyCheck, TrustPolicyInput };

/** What an editor needs to build a statement; omitted lists start empty. */
export interface StatementInit {
  readonly name: string;
  readonly registryScopes?: readonly string[];
  readonly level?: VerificationLevelName;
  readonly override?: Partial<Record<OverridableCheck, CheckAction>>;
  readonly verifyTimestamp?: VerifyTimestampOption;
  readonly trustStores?: readonly string[];
  readonly trustedIdentities?: readonly string[];
}

/** A statement with notation's shape (not validated; run {@link checkTrustPolicy} on the result). */
export function createStatement(init: StatementInit): TrustPolicyStatement {
  const level = init.level ?? 'strict';
  return {
    name: init.name,
    registryScopes: [...(init.registryScopes ?? [])],
    signatureVerification: {
      level,
      ...(init.override && Object.keys(init.override).length > 0 ? { override: { ...init.override } } : {}),
      ...(init.verifyTimestamp ? { verifyTimestamp: init.verifyTimestamp } : {})
    },
    trustStores: level === 'skip' ? [] : [...(init.trustStores ?? [])],
    trustedIdentities: level === 'skip' ? [] : [...(init.trustedIdentities ?? [])]
  };
}

/** A document from statements (not validated). */
export function createTrustPolicy(statements: readonly TrustPolicyStatement[]): TrustPolicyDocument {
  return { version: TRUST_POLICY_VERSION, trustPolicies: [...statements] };
}

/** The same document with statement `index` replaced (or appended when index = length). */
export function withStatement(doc: TrustPolicyDocument, index: number, statement: TrustPolicyStatement): TrustPolicyDocument {
  const list = [...doc.trustPolicies];
  list[index] = statement;
  return { version: doc.version, trustPolicies: list };
}

/** The same document without statement `index`. */
export function withoutStatement(doc: TrustPolicyDocument, index: number): TrustPolicyDocument {
  return { version: doc.version, trustPolicies: doc.trustPolicies.filter((_, i) => i !== index) };
}

/** Checks a document built with these helpers, reporting every issue with its JSON path. */
export function checkDocument(doc: TrustPolicyDocument): TrustPolicyCheck {
  return checkTrustPolicy(JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
}

/** A position in editor terms: index into the JS string, 1-based line and column (UTF-16). */
export interface TextPosition {
  readonly index: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Converts an issue's byte offset (UTF-8, as found when the policy was read from text) into a
 * position in that text; null for an offset that is not in it.
 */
export function textPosition(text: string, byteOffset: number | undefined): TextPosition | null {
  if (byteOffset === undefined || byteOffset < 0) return null;
  let bytes = 0;
  let line = 1;
  let column = 1;
  for (let index = 0; index < text.length; ) {
    if (bytes >= byteOffset) return bytes === byteOffset ? { index, line, column } : null;
    const code = text.codePointAt(index)!;
    const units = code > 0xffff ? 2 : 1;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code === 0x0a) {
      line++;
      column = 1;
    } else column += units;
    index += units;
  }
  return bytes === byteOffset ? { index: text.length, line, column } : null;
}

/** Advice about a valid policy: notation accepts it, but it may not do what was meant. */
export interface PolicyAdvice {
  readonly path: string;
  readonly message: string;
}

/**
 * Points out what notation accepts but the spec forbids or that cannot work: `skip` with the
 * global scope (spec: MUST NOT), identities notation ignores (prefix other than `x509.subject`),
 * statements that can never pass authenticity (no `ca` or `signingAuthority` store, or only
 * ignored identities), identities the spec calls overlapping (one certificate could match both;
 * notation only rejects an identity whose attributes are a subset of another's), and
 * `verifyTimestamp` without a `tsa` store (no effect).
 */
export function policyAdvice(doc: TrustPolicyDocument): PolicyAdvice[] {
  const advice: PolicyAdvice[] = [];
  doc.trustPolicies.forEach((st, i) => {
    const base = `$.trustPolicies[${i}]`;
    const level = st.signatureVerification.level;
    if (level === 'skip') {
      if (st.registryScopes.includes(WILDCARD)) {
        advice.push({
          path: `${base}.registryScopes`,
          message: `statement "${st.name}" skips verification for every artifact (scope "*"); the Notary Project specification forbids skip with the global scope, although notation accepts it`
        });
      }
      return;
    }
    const ignored = st.trustedIdentities.filter((t) => t !== WILDCARD && !t.startsWith(`${X509_SUBJECT_PREFIX}:`));
    ignored.forEach((identity) => {
      advice.push({
        path: `${base}.trustedIdentities[${st.trustedIdentities.indexOf(identity)}]`,
        message: `identity "${identity}" is ignored: notation only understands "x509.subject:" identities and "*"`
      });
    });
    if (ignored.length === st.trustedIdentities.length && ignored.length > 0) {
      advice.push({
        path: `${base}.trustedIdentities`,
        message: `statement "${st.name}" has no identity notation understands, so authenticity always fails`
      });
    }
    const subjects: { index: number; dn: DistinguishedName }[] = [];
    st.trustedIdentities.forEach((identity, index) => {
      if (identity.startsWith(`${X509_SUBJECT_PREFIX}:`)) {
        subjects.push({ index, dn: parseDistinguishedName(identity.slice(X509_SUBJECT_PREFIX.length + 1)) });
      }
    });
    // Quadratic; documents with more identities were refused by checkTrustPolicy already.
    subjects.slice(0, 1000).forEach((a, i) => {
      for (const b of subjects.slice(i + 1, 1000)) {
        const compatible = [...a.dn.bytes].every(([k, v]) => !b.dn.bytes.has(k) || b.dn.bytes.get(k) === v);
        if (compatible) {
          advice.push({
            path: `${base}.trustedIdentities[${b.index}]`,
            message: `identities ${a.index + 1} and ${b.index + 1} of statement "${st.name}" overlap in the sense of the specification (a certificate with both sets of attributes matches both); notation accepts them`
          });
        }
      }
    });
    if (!st.trustStores.some((s) => s.startsWith('ca:') || s.startsWith('signingAuthority:'))) {
      advice.push({
        path: `${base}.trustStores`,
        message: `statement "${st.name}" names no "ca" or "signingAuthority" store, so authenticity always fails`
      });
    }
    if (st.signatureVerification.verifyTimestamp && !st.trustStores.some((s) => s.startsWith('tsa:'))) {
      advice.push({
        path: `${base}.signatureVerification.verifyTimestamp`,
        message: `verifyTimestamp has no effect in statement "${st.name}": timestamps are only verified when a "tsa" store is listed`
      });
    }
  });
  return advice;
}
