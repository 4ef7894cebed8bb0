/**
 * A strict DER reader for the few X.509 structures the Notary rules look at. Go's x509 parser
 * (which notation uses) accepts only DER: definite, minimal lengths and no trailing bytes, so we
 * reject the same inputs instead of inheriting BER leniency from a general ASN.1 library.
 * Every failure throws `DerError`; callers turn it into a SignetError naming the field.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** ASN.1 universal tag numbers used here. */
export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  BMP_STRING: 30
} as const;

export const CLASS_UNIVERSAL = 0;
export const CLASS_CONTEXT = 2;

/** One TLV: `raw` is the whole encoding (header + content), `content` the value bytes. */
export interface DerNode {
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  readonly raw: Uint8Array;
  readonly content: Uint8Array;
}

/** Reads the TLV starting at `offset`; returns it and the offset just after it. */
export function readTlv(bytes: Uint8Array, offset: number): { node: DerNode; next: number } {
  let pos = offset;
  if (pos >= bytes.length) throw new DerError('unexpected end of data');
  const first = bytes[pos++]!;
  const tagClass = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag number form: base-128, minimal, and at most 4 bytes (plenty for X.509).
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (pos >= bytes.length) throw new DerError('truncated tag');
      const b = bytes[pos++]!;
      if (i === 0 && b === 0x80) throw new DerError('non-minimal tag encoding');
      if (i >= 4) throw new DerError('tag number too large');
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 0x1f) throw new DerError('non-minimal tag encoding');
  }
  if (pos >= bytes.length) throw new DerError('truncated length');
  const lenByte = bytes[pos++]!;
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else if (lenByte === 0x80) {
    throw new DerError('indefinite length is not allowed in DER');
  } else {
    const count = lenByte & 0x7f;
    if (count > 4) throw new DerError('length too large');
    if (pos + count > bytes.length) throw new DerError('truncated length');
    if (bytes[pos] === 0) throw new DerError('non-minimal length encoding');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
    if (length < 0x80) throw new DerError('non-minimal length encoding');
  }
  if (length > bytes.length - pos) throw new DerError('content runs past the end of the data');
  const end = pos + length;
  return {
    node: { tagClass, tagNumber, constructed, raw: bytes.subarray(offset, end), content: bytes.subarray(pos, end) },
    next: end
  };
}

/** Decodes exactly one TLV that must span all of `bytes`. */
export function decodeOne(bytes: Uint8Array): DerNode {
  const { node, next } = readTlv(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing data after the encoded value');
  return node;
}

/**
 * Reads TLVs one after another from a constructed value's content, the way Go's cryptobyte does:
 * a structure's known fields are read in order and anything left over is ignored unless the
 * caller checks `empty`. `peekByte` looks at the next identifier octet only, like PeekASN1Tag.
 */
export class DerReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get empty(): boolean {
    return this.pos >= this.bytes.length;
  }

  peekByte(): number | undefined {
    return this.bytes[this.pos];
  }

  /** The next TLV; throws DerError(`message`) when there is none or it is malformed. */
  read(message: string): DerNode {
    if (this.empty) throw new DerError(message);
    try {
      const { node, next } = readTlv(this.bytes, this.pos);
      this.pos = next;
      return node;
    } catch (e) {
      if (e instanceof DerError) throw new DerError(message);
      throw e;
    }
  }

  /** The next TLV, which must start with identifier octet `tagByte` (e.g. 0x30 SEQUENCE). */
  readTag(tagByte: number, message: string): DerNode {
    if (this.peekByte() !== tagByte) throw new DerError(message);
    return this.read(message);
  }

  /** Reads the next TLV only when its identifier octet is `tagByte`. */
  readOptional(tagByte: number, message: string): DerNode | undefined {
    return this.peekByte() === tagByte ? this.read(message) : undefined;
  }
}

/** A reader over a node's content. */
export function readerOf(node: DerNode): DerReader {
  return new DerReader(node.content);
}

/** Children of a constructed node. */
export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError('expected a constructed value');
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.content.length) {
    const { node: child, next } = readTlv(node.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function isUniversal(node: DerNode | undefined, tagNumber: number): node is DerNode {
  return node !== undefined && node.tagClass === CLASS_UNIVERSAL && node.tagNumber === tagNumber;
}

export function isContext(node: DerNode | undefined, tagNumber: number): node is DerNode {
  return node !== undefined && node.tagClass === CLASS_CONTEXT && node.tagNumber === tagNumber;
}

/** Asserts `node` is a universal SEQUENCE/SET and returns its children. */
export function expectConstructed(node: DerNode | undefined, tagNumber: number, what: string): DerNode[] {
  if (!isUniversal(node, tagNumber) || !node.constructed) throw new DerError(`${what}: expected ${tagNumber === TAG.SET ? 'a SET' : 'a SEQUENCE'}`);
  return childrenOf(node);
}

export function expectPrimitive(node: DerNode | undefined, tagNumber: number, what: string): DerNode {
  if (!isUniversal(node, tagNumber) || node.constructed) throw new DerError(`${what}: unexpected ASN.1 type`);
  return node;
}

export function readOid(node: DerNode | undefined, what: string): string {
  const content = expectPrimitive(node, TAG.OID, what).content;
  if (content.length === 0) throw new DerError(`${what}: empty object identifier`);
  const arcs: string[] = [];
  let value = 0n;
  let started = false;
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!;
    if (!started && b === 0x80) throw new DerError(`${what}: non-minimal object identifier`);
    started = true;
    value = (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        // The first subidentifier packs the first two arcs.
        if (value < 40n) arcs.push('0', value.toString());
        else if (value < 80n) arcs.push('1', (value - 40n).toString());
        else arcs.push('2', (value - 80n).toString());
      } else {
        arcs.push(value.toString());
      }
      value = 0n;
      started = false;
    } else if (i === content.length - 1) {
      throw new DerError(`${what}: truncated object identifier`);
    }
  }
  return arcs.join('.');
}

/** INTEGER content as a signed bigint (DER: minimal two's complement). */
export function readInteger(node: DerNode | undefined, what: string): bigint {
  const content = expectPrimitive(node, TAG.INTEGER, what).content;
  if (content.length === 0) throw new DerError(`${what}: empty integer`);
  if (content.length > 1) {
    const a = content[0]!;
    const b = content[1]!;
    if ((a === 0 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) throw new DerError(`${what}: non-minimal integer`);
  }
  let value = 0n;
  for (const b of content) value = (value << 8n) | BigInt(b);
  if ((content[0]! & 0x80) !== 0) value -= 1n << BigInt(content.length * 8);
  return value;
}

export function readBoolean(node: DerNode | undefined, what: string): boolean {
  const content = expectPrimitive(node, TAG.BOOLEAN, what).content;
  // DER: TRUE is exactly 0xff.
  if (content.length !== 1 || (content[0] !== 0 && content[0] !== 0xff)) throw new DerError(`${what}: invalid boolean`);
  return content[0] === 0xff;
}

/** BIT STRING: the bytes and the number of unused bits in the last byte. */
export function readBitString(node: DerNode | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const content = expectPrimitive(node, TAG.BIT_STRING, what).content;
  if (content.length === 0) throw new DerError(`${what}: empty bit string`);
  const unusedBits = content[0]!;
  if (unusedBits > 7 || (content.length === 1 && unusedBits !== 0)) throw new DerError(`${what}: invalid bit string`);
  const bytes = content.subarray(1);
  if (unusedBits > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw new DerError(`${what}: bit string padding bits are not zero`);
  }
  return { bytes, unusedBits };
}

/**
 * UTCTime or GeneralizedTime as Go's cryptobyte accepts them: UTCTime `YYMMDDhhmm[ss]` and
 * GeneralizedTime `YYYYMMDDhhmmss[.fff]` (fraction without trailing zeros), each ending in `Z` or
 * a non-zero `±hhmm` offset (Go re-formats and compares, so `+0000` is refused).
 */
export function readTime(node: DerNode | undefined, what: string): Date {
  if (!node || node.tagClass !== CLASS_UNIVERSAL || node.constructed) throw new DerError(`${what}: unsupported time format`);
  let text = '';
  for (const b of node.content) {
    if (b < 0x20 || b > 0x7e) throw new DerError(`${what}: malformed time`);
    text += String.fromCharCode(b);
  }
  let m: RegExpExecArray | null;
  let year: number;
  let fractionMs = 0;
  if (node.tagNumber === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text);
    if (!m) throw new DerError(`${what}: malformed UTCTime`);
    const yy = Number(m[1]);
    // RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tagNumber === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?(Z|[+-]\d{4})$/.exec(text);
    if (!m) throw new DerError(`${what}: malformed GeneralizedTime`);
    year = Number(m[1]);
    if (m[7]) fractionMs = Math.floor(Number(`0.${m[7]}`) * 1000);
    m.splice(7, 1);
  } else {
    throw new DerError(`${what}: unsupported time format`);
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const zone = m[7]!;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`${what}: time out of range ${JSON.stringify(text)}`);
  }
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC, which maps years 0..99 to 1900..1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, fractionMs);
  if (d.getUTCDate() !== day) throw new DerError(`${what}: invalid calendar date ${JSON.stringify(text)}`);
  let ms = d.getTime();
  if (zone !== 'Z') {
    const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    if (offsetMinutes === 0 || Number(zone.slice(3, 5)) > 59) throw new DerError(`${what}: malformed time zone ${JSON.stringify(text)}`);
    ms -= (zone[0] === '+' ? 1 : -1) * offsetMinutes * 60_000;
  }
  return new Date(ms);
}
