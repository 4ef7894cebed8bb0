/**
 * Small ASN.1 helpers for RFC 3161 / CMS structures on top of the strict DER reader in
 * ../x509/der.ts: a cursor that decodes SEQUENCE fields the way Go's encoding/asn1 does
 * (optional fields are skipped when the tag does not match; elements after the last known field
 * are ignored), Go's GeneralizedTime rules with sub-second precision, and a minimal DER writer.
 */
import { concatBytes } from '../../bytes';
import { CLASS_CONTEXT, CLASS_UNIVERSAL, DerError, TAG, type DerNode, childrenOf, readInteger, readTime } from '../x509/der';

const TAG_NAMES: Readonly<Record<number, string>> = {
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  19: 'PrintableString',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime'
};

/** "SEQUENCE", "[0]", "APPLICATION 3"… for error messages. */
export function describeTag(node: DerNode | undefined): string {
  if (!node) return 'nothing';
  if (node.tagClass === CLASS_UNIVERSAL) return TAG_NAMES[node.tagNumber] ?? `universal tag ${node.tagNumber}`;
  if (node.tagClass === CLASS_CONTEXT) return `[${node.tagNumber}]`;
  return `${node.tagClass === 1 ? 'APPLICATION' : 'PRIVATE'} ${node.tagNumber}`;
}

export function structureError(what: string, expected: string, node: DerNode | undefined): DerError {
  return new DerError(`asn1: structure error: ${what}: expected ${expected}, found ${describeTag(node)}`);
}

/** Reads the fields of a constructed value in order. */
export class FieldReader {
  private index = 0;
  private readonly nodes: DerNode[];

  constructor(
    node: DerNode,
    private readonly what: string
  ) {
    this.nodes = childrenOf(node);
  }

  /** The next field, which must exist. */
  next(field: string): DerNode {
    const node = this.nodes[this.index];
    if (!node) throw new DerError(`asn1: syntax error: sequence truncated: ${this.what}.${field} is missing`);
    this.index++;
    return node;
  }

  /** The next field when it matches (Go: an optional field whose tag does not match is absent). */
  optional(match: (node: DerNode) => boolean): DerNode | undefined {
    const node = this.nodes[this.index];
    if (node && match(node)) {
      this.index++;
      return node;
    }
    return undefined;
  }
}

export function isUniversalTag(node: DerNode, tag: number, constructed: boolean): boolean {
  return node.tagClass === CLASS_UNIVERSAL && node.tagNumber === tag && node.constructed === constructed;
}

export function isContextTag(node: DerNode, tag: number): boolean {
  return node.tagClass === CLASS_CONTEXT && node.tagNumber === tag;
}

export function expectSequence(node: DerNode | undefined, what: string): DerNode {
  if (!node || !isUniversalTag(node, TAG.SEQUENCE, true)) throw structureError(what, 'SEQUENCE', node);
  return node;
}

export function expectSet(node: DerNode | undefined, what: string): DerNode {
  if (!node || !isUniversalTag(node, TAG.SET, true)) throw structureError(what, 'SET', node);
  return node;
}

export function readOctetString(node: DerNode | undefined, what: string): Uint8Array {
  if (!node || !isUniversalTag(node, TAG.OCTET_STRING, false)) throw structureError(what, 'OCTET STRING', node);
  return node.content;
}

/** An INTEGER that Go would decode into an `int` (at most 8 content bytes). */
export function readSmallInteger(node: DerNode | undefined, what: string): number {
  if (node && node.tagClass === CLASS_UNIVERSAL && node.tagNumber === TAG.INTEGER && node.content.length > 8) {
    throw new DerError(`asn1: structure error: ${what}: integer too large`);
  }
  const value = readBigInteger(node, what);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DerError(`asn1: structure error: ${what}: integer too large`);
  }
  return Number(value);
}

export function readBigInteger(node: DerNode | undefined, what: string): bigint {
  if (!node || !isUniversalTag(node, TAG.INTEGER, false)) throw structureError(what, 'INTEGER', node);
  return readInteger(node, what);
}

/** A point in time with nanosecond precision and the UTC offset it was written with. */
export interface PreciseTime {
  /** Nanoseconds since the Unix epoch. */
  readonly ns: bigint;
  /** Offset from UTC in minutes as written (0 for "Z"); Go keeps it when printing the time. */
  readonly offsetMinutes: number;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** The millisecond Date at or before `ns`. */
export function dateFloor(ns: bigint): Date {
  return new Date(Number(floorDiv(ns, NS_PER_MS)));
}

/** The millisecond Date at or after `ns`. */
export function dateCeil(ns: bigint): Date {
  return new Date(Number(-floorDiv(-ns, NS_PER_MS)));
}

export function dateToNs(date: Date): bigint {
  return BigInt(date.getTime()) * NS_PER_MS;
}

const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{4})$/;

/**
 * GeneralizedTime as Go decodes it into a time.Time (layout `20060102150405.999999999Z0700`,
 * and the text must serialise back identically: no trailing zeros in the fraction, "Z" rather
 * than "+0000"). UTCTime is accepted too, as Go does for time fields.
 */
export function readPreciseTime(node: DerNode | undefined, what: string): PreciseTime {
  if (node && isUniversalTag(node, TAG.UTC_TIME, false)) {
    const date = readTime(node, what);
    const zone = /([+-])(\d{2})(\d{2})$/.exec(String.fromCharCode(...node.content));
    const offsetMinutes = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
    return { ns: dateToNs(date), offsetMinutes };
  }
  if (!node || !isUniversalTag(node, TAG.GENERALIZED_TIME, false)) throw structureError(what, 'GeneralizedTime', node);
  let text = '';
  for (const b of node.content) text += String.fromCharCode(b);
  const m = GENERALIZED.exec(text);
  const bad = () => new DerError(`asn1: time did not serialize back to the original value and may be invalid: ${what} is ${JSON.stringify(text)}`);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (frac !== undefined && frac.endsWith('0')) throw bad();
  if (zone === '+0000' || zone === '-0000') throw bad();
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`asn1: structure error: ${what}: time out of range ${JSON.stringify(text)}`);
  }
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  probe.setUTCHours(hour, minute, second, 0);
  if (probe.getUTCDate() !== day) throw new DerError(`asn1: structure error: ${what}: day out of range ${JSON.stringify(text)}`);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const zh = Number(zone!.slice(1, 3));
    const zm = Number(zone!.slice(3, 5));
    if (zh > 23 || zm > 59) throw new DerError(`asn1: structure error: ${what}: time zone out of range ${JSON.stringify(text)}`);
    offsetMinutes = (zone![0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  const fractionNs = frac === undefined ? 0n : BigInt(frac.padEnd(9, '0'));
  const ns = BigInt(probe.getTime()) * NS_PER_MS + fractionNs - BigInt(offsetMinutes) * 60n * NS_PER_S;
  return { ns, offsetMinutes };
}

// --- Go time formatting (what notation prints) ---------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go layouts notation uses for timestamps: RFC 3339 (JSON v1), RFC 3339 with nanoseconds (v2), ANSIC (tree). */
export type GoTimeLayout = 'RFC3339' | 'RFC3339Nano' | 'ANSIC';

/** Formats like Go's `time.Time.Format(layout)` for a time in a fixed UTC offset (seconds truncated, never rounded). */
export function formatGoTime(time: PreciseTime, layout: GoTimeLayout): string {
  const local = time.ns + BigInt(time.offsetMinutes) * 60n * NS_PER_S;
  const seconds = floorDiv(local, NS_PER_S);
  const fraction = local - seconds * NS_PER_S;
  const d = new Date(Number(seconds) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  const clock = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  if (layout === 'ANSIC') {
    return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock} ${year}`;
  }
  let frac = '';
  if (layout === 'RFC3339Nano' && fraction !== 0n) frac = `.${fraction.toString().padStart(9, '0').replace(/0+$/, '')}`;
  let zone = 'Z';
  if (time.offsetMinutes !== 0) {
    const abs = Math.abs(time.offsetMinutes);
    zone = `${time.offsetMinutes < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
  }
  return `${year}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${clock}${frac}${zone}`;
}

// --- DER writer ----------------------------------------------------------------------------------

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte identifier. */
export function tlv(identifier: number, content: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([identifier]), encodeLength(content.length), content);
}

export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return tlv(0x30, concatBytes(...parts));
}

/** SET OF in DER order (Go sorts the encodings with bytes.Compare). */
export function derSetOf(elements: Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort(compareBytes);
  return tlv(0x31, concatBytes(...sorted));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function derInteger(value: bigint): Uint8Array {
  // Minimal two's complement.
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0xffn);
    bytes.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return tlv(0x02, new Uint8Array(bytes));
}

export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new Error(`invalid OID ${oid}`);
  const out: number[] = [];
  const push = (value: bigint) => {
    const chunk: number[] = [Number(value & 0x7fn)];
    for (let v = value >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, new Uint8Array(out));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return tlv(0x04, bytes);
}

export const DER_NULL = new Uint8Array([0x05, 0x00]);
export const DER_TRUE = new Uint8Array([0x01, 0x01, 0xff]);
