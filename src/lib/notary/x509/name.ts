/**
 * X.509 distinguished names, decoded and rendered exactly like Go's `pkix.Name.String()`, because
 * notation prints DNs that way in its messages and `notation inspect`, and matches
 * `x509.subject` identities against that rendering (spec digest §12.5).
 */
import { toHex } from '../../bytes';
import { DerError, TAG, type DerNode, expectConstructed, isUniversal, readOid, readTlv, readerOf } from './der';

/** One attribute of a DN, in certificate order. */
export interface DnAttribute {
  readonly oid: string;
  /** Go's short name (C, O, OU, CN, SERIALNUMBER, L, ST, STREET, POSTALCODE); undefined otherwise. */
  readonly type?: string;
  readonly value: string;
}

/** Go's `attributeTypeNames`: the only attribute types it prints by name. */
export const GO_SHORT_NAMES: Readonly<Record<string, string>> = {
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

/** A parsed Name: its RDN sequence (attributes grouped by RDN, certificate order). */
export interface ParsedName {
  readonly rdns: readonly (readonly DnAttribute[])[];
  readonly attributes: readonly DnAttribute[];
  readonly display: string;
}

// Go's x509 PrintableString check (it tolerates '*' and '&', which real certificates contain).
function isGoPrintable(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x27 && b <= 0x29) ||
    (b >= 0x2b && b <= 0x2f) ||
    b === 0x20 ||
    b === 0x3a ||
    b === 0x3d ||
    b === 0x3f ||
    b === 0x2a ||
    b === 0x26
  );
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Decodes a DN attribute value with Go's rules; other ASN.1 types make the certificate invalid. */
function decodeAttributeValue(node: DerNode, what: string): string {
  if (node.tagClass !== 0 || node.constructed) throw new DerError(`${what}: unsupported string type`);
  const v = node.content;
  switch (node.tagNumber) {
    case TAG.T61_STRING:
      // Treated as Latin-1, as Go and BoringSSL do.
      return latin1(v);
    case TAG.PRINTABLE_STRING:
      for (const b of v) if (!isGoPrintable(b)) throw new DerError(`${what}: invalid PrintableString`);
      return latin1(v);
    case TAG.UTF8_STRING:
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(v);
      } catch {
        throw new DerError(`${what}: invalid UTF-8 string`);
      }
    case TAG.BMP_STRING: {
      if (v.length % 2 !== 0) throw new DerError(`${what}: invalid BMPString`);
      let end = v.length;
      if (end >= 2 && v[end - 1] === 0 && v[end - 2] === 0) end -= 2; // optional terminator
      let s = '';
      for (let i = 0; i < end; i += 2) {
        const p = (v[i]! << 8) | v[i + 1]!;
        if (p === 0xfffe || p === 0xffff || (p >= 0xfdd0 && p <= 0xfdef) || (p >= 0xd800 && p <= 0xdfff)) {
          throw new DerError(`${what}: invalid BMPString`);
        }
        s += String.fromCharCode(p);
      }
      return s;
    }
    case TAG.IA5_STRING:
      for (const b of v) if (b >= 0x80) throw new DerError(`${what}: invalid IA5String`);
      return latin1(v);
    case TAG.NUMERIC_STRING:
      for (const b of v) if (!((b >= 0x30 && b <= 0x39) || b === 0x20)) throw new DerError(`${what}: invalid NumericString`);
      return latin1(v);
    default:
      throw new DerError(`${what}: unsupported string type`);
  }
}

/** Parses a DER Name (the raw bytes of `issuer` or `subject`). */
export function parseName(nameNode: DerNode, what: string): ParsedName {
  const rdnNodes = expectConstructed(nameNode, TAG.SEQUENCE, what);
  const rdns: DnAttribute[][] = [];
  for (const rdnNode of rdnNodes) {
    const atvs = expectConstructed(rdnNode, TAG.SET, `${what} RDN`);
    const rdn: DnAttribute[] = [];
    for (const atvNode of atvs) {
      if (!isUniversal(atvNode, TAG.SEQUENCE) || !atvNode.constructed) throw new DerError(`${what}: invalid RDNSequence: invalid attribute`);
      // Like Go: the type, then the value; anything after them is ignored.
      const parts = readerOf(atvNode);
      const oid = readOid(parts.readTag(0x06, `${what}: invalid RDNSequence: invalid attribute type`), `${what} attribute type`);
      const value = decodeAttributeValue(parts.read(`${what}: invalid RDNSequence: invalid attribute value`), `${what} attribute ${oid}`);
      const type = GO_SHORT_NAMES[oid];
      rdn.push(type === undefined ? { oid, value } : { oid, type, value });
    }
    rdns.push(rdn);
  }
  return { rdns, attributes: rdns.flat(), display: goNameString(rdns) };
}

// --- Go's pkix.Name.String() -------------------------------------------------------------------

type Atv = { oid: string; value: string };

/**
 * Renders like Go: FillFromRDNSequence folds known attributes into fields (CN and SERIALNUMBER keep
 * the last value; the others accumulate, so repeated types print as one multi-valued RDN), then
 * String() prints non-standard attributes first in sequence (so they end up last) followed by
 * C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER, all reversed.
 */
export function goNameString(rdns: readonly (readonly DnAttribute[])[]): string {
  const fields: Record<string, string[]> = {};
  const extra: Atv[][] = [];
  for (const rdn of rdns) {
    if (rdn.length === 0) continue;
    for (const atv of rdn) {
      const known = atv.oid in GO_SHORT_NAMES;
      if (known) {
        if (atv.oid === '2.5.4.3' || atv.oid === '2.5.4.5') fields[atv.oid] = [atv.value];
        else (fields[atv.oid] ??= []).push(atv.value);
      } else {
        extra.push([{ oid: atv.oid, value: atv.value }]);
      }
    }
  }
  const order = ['2.5.4.6', '2.5.4.8', '2.5.4.7', '2.5.4.9', '2.5.4.17', '2.5.4.10', '2.5.4.11', '2.5.4.3', '2.5.4.5'];
  const seq: Atv[][] = [...extra];
  for (const oid of order) {
    const values = fields[oid];
    if (values && values.length > 0 && !(values.length === 1 && values[0] === '' && (oid === '2.5.4.3' || oid === '2.5.4.5'))) {
      seq.push(values.map((value) => ({ oid, value })));
    }
  }
  const parts: string[] = [];
  for (let i = seq.length - 1; i >= 0; i--) {
    parts.push(seq[i]!.map(renderAtv).join('+'));
  }
  return parts.join(',');
}

function renderAtv(atv: Atv): string {
  const typeName = GO_SHORT_NAMES[atv.oid];
  if (typeName === undefined) {
    // Go re-marshals the string value (PrintableString when it can, else UTF8String) and prints hex.
    return `${atv.oid}=#${toHex(marshalGoString(atv.value))}`;
  }
  return `${typeName}=${escapeGoValue(atv.value)}`;
}

function escapeGoValue(value: string): string {
  const chars = Array.from(value);
  let out = '';
  let byteIndex = 0;
  let byteLength = 0;
  for (const c of chars) byteLength += utf8Length(c);
  for (const c of chars) {
    let escape = false;
    switch (c) {
      case ',':
      case '+':
      case '"':
      case '\\':
      case '<':
      case '>':
      case ';':
        escape = true;
        break;
      case ' ':
        // Go compares the byte index of the rune with len(string)-1.
        escape = byteIndex === 0 || byteIndex === byteLength - 1;
        break;
      case '#':
        escape = byteIndex === 0;
        break;
    }
    out += escape ? `\\${c}` : c;
    byteIndex += utf8Length(c);
  }
  return out;
}

/** UTF-8 length of one code point (a lone surrogate encodes as U+FFFD: 3 bytes). */
function utf8Length(c: string): number {
  const code = c.codePointAt(0)!;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

// Go's encoding/asn1 printable set for marshalling (no '*' or '&').
function isMarshalPrintable(code: number): boolean {
  return code !== 0x2a && code !== 0x26 && isGoPrintable(code);
}

function marshalGoString(value: string): Uint8Array {
  const utf8 = new TextEncoder().encode(value);
  let printable = true;
  for (const b of utf8) {
    if (b >= 0x80 || !isMarshalPrintable(b)) {
      printable = false;
      break;
    }
  }
  const tag = printable ? TAG.PRINTABLE_STRING : TAG.UTF8_STRING;
  return new Uint8Array([tag, ...derLength(utf8.length), ...utf8]);
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | bytes.length, ...bytes];
}

/** Parses a Name from its raw DER bytes. */
export function parseNameBytes(raw: Uint8Array, what: string): ParsedName {
  const { node, next } = readTlv(raw, 0);
  if (next !== raw.length) throw new DerError(`${what}: trailing data`);
  return parseName(node, what);
}

