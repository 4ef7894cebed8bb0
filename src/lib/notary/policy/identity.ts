/**
 * `x509.subject:` trusted identities: parsing and matching exactly as notation v1.3.2 does it.
 * Spec digest §12.5.
 *
 * notation parses identity values with go-ldap's ParseDN (v3.4.10) plus its own rules (no
 * multi-valued RDNs, no duplicate types, no `=#`, C/ST/O required), and compares them against the
 * leaf certificate's subject after rendering that subject with Go's `pkix.Name.String()` and
 * parsing the result with the same rules. Both halves are reproduced here, because the rendering
 * decides which subjects can ever match (see {@link goSubjectString}).
 *
 * Values are byte strings (see go-text.ts): a hex escape may produce bytes that are not UTF-8,
 * and Go compares bytes.
 */
import { SignetError } from '../../errors';
import {
  byteStringToText,
  compareByteStrings,
  goQuote,
  goQuoteByteMap,
  goQuoteByteString,
  toByteString
} from '../go-text';
import { WILDCARD, X509_SUBJECT_PREFIX } from './types';

/** One attribute of a certificate subject, in certificate order (multi-valued RDNs flattened). */
export interface SubjectAttribute {
  /** Dotted OID, e.g. `2.5.4.3`. */
  readonly oid: string;
  /** Go's short name (C, O, OU, CN, SERIALNUMBER, L, ST, STREET, POSTALCODE) or undefined. */
  readonly type?: string;
  readonly value: string;
}

/** A distinguished name as notation holds it: one value per attribute type. */
export interface DistinguishedName {
  /** Attribute type → value, as text for display (S already renamed ST). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Attribute type → value as Go byte strings; what matching compares. */
  readonly bytes: ReadonlyMap<string, string>;
}

/** A trusted identity entry, classified as notation classifies it. */
export type TrustedIdentity =
  | { readonly kind: 'wildcard'; readonly raw: string }
  | { readonly kind: 'x509.subject'; readonly raw: string; readonly dn: DistinguishedName }
  /** Another prefix: valid in a policy, but notation ignores it when matching. */
  | { readonly kind: 'other'; readonly raw: string; readonly prefix: string; readonly value: string };

/** Outcome of matching a leaf subject against a statement's trusted identities. */
export type IdentityMatch =
  | { readonly matched: true; readonly identity: string }
  | { readonly matched: false; readonly message: string };

function dnError(message: string): SignetError {
  return new SignetError('ERR_TRUST_POLICY_INVALID', message);
}

/** Go's unicode.IsSpace, which strings.TrimSpace uses (differs from JS trim on U+0085, U+FEFF). */
function isGoSpace(c: string): boolean {
  const n = c.codePointAt(0)!;
  if (n === 0x20 || (n >= 0x09 && n <= 0x0d) || n === 0x85 || n === 0xa0) return true;
  return n === 0x1680 || (n >= 0x2000 && n <= 0x200a) || n === 0x2028 || n === 0x2029 || n === 0x202f || n === 0x205f || n === 0x3000;
}

function isBlank(s: string): boolean {
  for (const c of s) if (!isGoSpace(c)) return false;
  return true;
}

const HEX_DIGIT = /^[0-9a-fA-F]$/;
const LDAP_SPECIALS = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

/** Go's `%#U` of an ASCII rune, as hex.InvalidByteError prints it. */
function formatRuneU(c: string): string {
  const n = c.charCodeAt(0);
  const code = 'U+' + n.toString(16).toUpperCase().padStart(4, '0');
  return n >= 0x20 && n < 0x7f ? `${code} '${c}'` : code;
}

/**
 * go-ldap's decodeString: trims spaces (keeping an escaped trailing one), then resolves `\c`
 * escapes of special characters and `\XX` hex pairs. Returns a byte string.
 */
function ldapDecode(raw: string): string {
  let trimmed = raw.replace(/^ +| +$/g, '');
  // go-ldap re-adds one trailing space when the trimmed text ends in a backslash, even if that
  // backslash is itself escaped (`a\\ ` keeps its space); reproduced as is.
  if (trimmed.endsWith('\\') && raw.endsWith(' ')) trimmed += ' ';
  const s = [...trimmed];
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += toByteString(c);
      continue;
    }
    if (i + 1 >= s.length) throw dnError(`got corrupted escaped character: '${trimmed}'`);
    const next = s[i + 1]!;
    if (LDAP_SPECIALS.has(next)) {
      out += next;
      i++;
      continue;
    }
    if (i + 2 >= s.length) throw dnError('failed to decode escaped character: encoding/hex: invalid byte: ' + next);
    const pair = next + s[i + 2]!;
    if (toByteString(pair).length !== 2) throw dnError('failed to decode escaped character: invalid byte: ' + pair);
    for (const h of pair) {
      if (!HEX_DIGIT.test(h)) throw dnError('failed to decode escaped character: encoding/hex: invalid byte: ' + formatRuneU(h));
    }
    out += String.fromCharCode(parseInt(pair, 16));
    i += 2;
  }
  return out;
}

interface LdapAttribute {
  type: string;
  value: string;
}

/** go-ldap ParseDN: RDNs split on `,`/`;`, attributes within an RDN on `+`. */
function ldapParseDn(str: string): LdapAttribute[][] {
  const rdns: LdapAttribute[][] = [];
  if (isBlank(str)) return rdns;
  let rdn: LdapAttribute[] = [];
  let type = '';
  let escaping = false;
  let start = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str[i]!;
    if (escaping) {
      escaping = false;
    } else if (c === '\\') {
      escaping = true;
    } else if (c === '=' && type.length === 0) {
      type = ldapDecode(str.slice(start, i));
      start = i + 1;
    } else if (c === ',' || c === '+' || c === ';') {
      if (type.length === 0) throw dnError('incomplete type, value pair');
      rdn.push({ type, value: decodeValue(str.slice(start, i)) });
      type = '';
      start = i + 1;
      if (c !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
    }
  }
  if (type.length === 0) throw dnError('DN ended with incomplete type, value pair');
  rdn.push({ type, value: decodeValue(str.slice(start)) });
  rdns.push(rdn);
  return rdns;
}

function decodeValue(raw: string): string {
  // A leading '#' means a BER-encoded value in go-ldap; notation refuses any "=#" before parsing,
  // and a value always starts right after '=', so this cannot be reached through notation's rules.
  if (raw.startsWith('#')) throw dnError('unsupported BER-encoded attribute value');
  return ldapDecode(raw);
}

const MANDATORY = ['C', 'ST', 'O'] as const;

/**
 * Parses the value of an `x509.subject:` identity (the text after the colon) with notation's
 * rules. Throws ERR_TRUST_POLICY_INVALID with notation's message.
 * Spec digest §12.5.
 */
export function parseDistinguishedName(name: string): DistinguishedName {
  const q = goQuote(name);
  if (name.includes('=#')) {
    throw dnError(`unsupported distinguished name (DN) ${q}: notation does not support x509.subject identities containing "=#"`);
  }
  let rdns: LdapAttribute[][];
  try {
    rdns = ldapParseDn(name);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw dnError(
      `parsing distinguished name (DN) ${q} failed with err: ${detail}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`
    );
  }
  const map = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      throw dnError(`distinguished name (DN) ${q} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported`);
    }
    for (const attr of rdn) {
      const type = attr.type === 'S' ? 'ST' : attr.type;
      // notation treats an empty earlier value as absent, so `OU=,OU=x` is not a duplicate.
      if ((map.get(type) ?? '') === '') map.set(type, attr.value);
      else {
        throw dnError(
          `distinguished name (DN) ${q} has duplicate RDN attribute for ${goQuoteByteString(type)}, DN can only have unique RDN attributes`
        );
      }
    }
  }
  for (const field of MANDATORY) {
    if ((map.get(field) ?? '') === '') {
      throw dnError(
        `distinguished name (DN) ${q} has no mandatory RDN attribute for ${goQuote(field)}, it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum`
      );
    }
  }
  const attributes: Record<string, string> = {};
  for (const [k, v] of map) attributes[byteStringToText(k)] = byteStringToText(v);
  return { attributes, bytes: map };
}

/**
 * True when every attribute of `a` has the same value in `b` (notation's IsSubsetDN; an absent
 * attribute counts as the empty value).
 */
export function isSubsetDn(a: DistinguishedName, b: DistinguishedName): boolean {
  for (const [k, v] of a.bytes) if ((b.bytes.get(k) ?? '') !== v) return false;
  return true;
}

/**
 * Classifies one `trustedIdentities` entry the way notation's policy validation does; throws
 * ERR_TRUST_POLICY_INVALID (notation's DN message) when an `x509.subject` value does not parse.
 * Empty entries and entries without `:` are the caller's concern (they are statement errors).
 */
export function parseTrustedIdentity(identity: string): TrustedIdentity {
  if (identity === WILDCARD) return { kind: 'wildcard', raw: identity };
  const colon = identity.indexOf(':');
  if (colon < 0) throw dnError(`trusted identity ${goQuote(identity)} missing separator`);
  const prefix = identity.slice(0, colon);
  const value = identity.slice(colon + 1);
  if (prefix !== X509_SUBJECT_PREFIX) return { kind: 'other', raw: identity, prefix, value };
  return { kind: 'x509.subject', raw: identity, dn: parseDistinguishedName(value) };
}

// ---- the leaf subject as Go renders it -------------------------------------------------------

const OID_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE'
};

function escapeGoDnValue(value: string): string {
  const bytes = toByteString(value);
  let out = '';
  // Go ranges over runes but tests positions in bytes; the characters involved are all ASCII.
  let k = 0;
  for (const c of value) {
    const width = toByteString(c).length;
    const escape =
    ',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === bytes.length - 1)) || (c === '#' && k === 0);
    out += escape ? '\\' + c : c;
    k += width;
  }
  return out;
}

function isAsn1Printable(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x27 && c <= 0x29) ||
    (c >= 0x2b && c <= 0x2f) ||
    c === 0x20 ||
    c === 0x3a ||
    c === 0x3d ||
    c === 0x3f
  );
}

/** asn1.Marshal of a Go string: PrintableString when it can be, else UTF8String; as hex. */
function marshalStringHex(value: string): string {
  const bytes = toByteString(value);
  let printable = true;
  for (let i = 0; i < bytes.length; i++) if (!isAsn1Printable(bytes.charCodeAt(i))) printable = false;
  const tag = printable ? 0x13 : 0x0c;
  const n = bytes.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const octets: number[] = [];
    for (let m = n; m > 0; m = Math.floor(m / 256)) octets.unshift(m % 256);
    len = [0x80 | octets.length, ...octets];
  }
  const hex = (b: number): string => b.toString(16).padStart(2, '0');
  let out = hex(tag) + len.map(hex).join('');
  for (let i = 0; i < bytes.length; i++) out += hex(bytes.charCodeAt(i));
  return out;
}

/**
 * The leaf subject as Go's `pkix.Name.String()` renders it (Go 1.26, which built notation
 * v1.3.2): known attributes regrouped by type — several values of one type become one
 * multi-valued RDN, CN and SERIALNUMBER keep only their last value — in the order
 * SERIALNUMBER, CN, OU, O, POSTALCODE, STREET, L, ST, C; attributes without a Go short name
 * follow as `oid=#<DER hex>`. notation parses this string, so a `+` (several values of one type)
 * or a `=#` here means no x509.subject identity can match.
 * Spec digest §12.5.
 */
export function goSubjectString(subject: readonly SubjectAttribute[]): string {
  const multi: Record<string, string[]> = { C: [], ST: [], L: [], STREET: [], POSTALCODE: [], O: [], OU: [] };
  let cn = '';
  let serial = '';
  const unknown: SubjectAttribute[] = [];
  for (const attr of subject) {
    const name = OID_NAMES[attr.oid];
    if (name === undefined) unknown.push(attr);
    else if (name === 'CN') cn = attr.value;
    else if (name === 'SERIALNUMBER') serial = attr.value;
    else multi[name]!.push(attr.value);
  }
  // Go's RDN sequence, which String() prints last to first.
  const sequence: string[][] = unknown.map((a) => [`${a.oid}=#${marshalStringHex(a.value)}`]);
  for (const name of ['C', 'ST', 'L', 'STREET', 'POSTALCODE', 'O', 'OU']) {
    const values = multi[name]!;
    if (values.length > 0) sequence.push(values.map((v) => `${name}=${escapeGoDnValue(v)}`));
  }
  if (cn.length > 0) sequence.push([`CN=${escapeGoDnValue(cn)}`]);
  if (serial.length > 0) sequence.push([`SERIALNUMBER=${escapeGoDnValue(serial)}`]);
  return sequence
    .reverse()
    .map((rdn) => rdn.join('+'))
    .join(',');
}

/**
 * Parses a leaf subject the way notation does before matching; throws ERR_TRUST_POLICY_INVALID
 * with notation's DN message when it cannot (then no x509.subject identity can match).
 */
export function parseLeafSubject(subject: readonly SubjectAttribute[]): DistinguishedName {
  return parseDistinguishedName(goSubjectString(subject));
}

/**
 * Matches the leaf certificate subject against a statement's trusted identities, as notation's
 * verifier does during the authenticity check (only the leaf is compared; `*` matches anything;
 * prefixes other than `x509.subject` are ignored). The failure messages are notation's, including
 * those for statements that were never validated (as Go tests build them).
 * Spec digest §12.4 step 3, §12.5.
 */
export function matchTrustedIdentities(
  policyName: string,
  trustedIdentities: readonly string[],
  leafSubject: readonly SubjectAttribute[]
): IdentityMatch {
  if (trustedIdentities.includes(WILDCARD)) return { matched: true, identity: WILDCARD };
  const candidates: { raw: string; dn: DistinguishedName }[] = [];
  for (const identity of trustedIdentities) {
    const colon = identity.indexOf(':');
    if (colon < 0) {
      return { matched: false, message: `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} missing separator` };
    }
    if (identity.slice(0, colon) !== X509_SUBJECT_PREFIX) continue;
    const value = identity.slice(colon + 1);
    if (value === '') {
      return {
        matched: false,
        message: `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} without an identity value`
      };
    }
    try {
      candidates.push({ raw: identity, dn: parseDistinguishedName(value) });
    } catch (e) {
      return { matched: false, message: (e as Error).message };
    }
  }
  if (candidates.length === 0) {
    return { matched: false, message: `no x509 trusted identities are configured in the trust policy ${goQuote(policyName)}` };
  }
  let leaf: DistinguishedName;
  try {
    leaf = parseLeafSubject(leafSubject);
  } catch (e) {
    return {
      matched: false,
      message: `error while parsing the certificate subject from the digital signature. error : ${goQuote((e as Error).message)}`
    };
  }
  for (const candidate of candidates) {
    if (isSubsetDn(candidate.dn, leaf)) return { matched: true, identity: candidate.raw };
  }
  const listed = '[' + candidates.map((c) => goQuoteByteMap(c.dn.bytes)).join(' ') + ']';
  return {
    matched: false,
    message: `signing certificate from the digital signature does not match the X.509 trusted identities ${listed} defined in the trust policy ${goQuote(policyName)}`
  };
}

/** Attribute types of a DN sorted as Go sorts map keys; handy for stable display. */
export function sortedAttributeTypes(dn: DistinguishedName): string[] {
  return [...dn.bytes.keys()].sort(compareByteStrings).map(byteStringToText);
}
