/**
 * CBOR for COSE envelopes (RFC 8949).
 *
 * Encoding uses cbor-x, configured for the deterministic shapes go-cose writes (definite lengths,
 * maps from JS `Map` in the caller's key order, whole-second tag-1 times as unsigned integers).
 *
 * Decoding is a small strict reader written here instead of cbor-x's decoder because verification
 * needs facts a convenience decoder hides: which tag a time carried (notation requires tag 1),
 * duplicate map keys (two readers could disagree on the value), integer vs float, and hard bounds on
 * length, nesting and allocation for hostile input. It keeps tags as `CborTag` values and maps as
 * `Map`s with their keys in wire order.
 */
import { Encoder, Tag } from 'cbor-x';
import { SignetError } from '../../errors';

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | Map<CborKey, CborValue>
  | CborTag
  | CborSimple;

export type CborKey = number | bigint | string;

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue
  ) {}
}

export class CborSimple {
  constructor(readonly value: number) {}
}

export interface DecodeLimits {
  /** Deepest nesting of arrays, maps and tags. */
  maxDepth: number;
  /** Largest number of items in one array or map. */
  maxItems: number;
}

const DEFAULT_LIMITS: DecodeLimits = { maxDepth: 32, maxItems: 10_000 };

function fail(message: string): never {
  throw new SignetError('ERR_CBOR_INVALID', message);
}

class Reader {
  offset = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly limits: DecodeLimits,
    readonly what: string
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (n > this.bytes.length - this.offset) {
      fail(`${this.what} is truncated: ${n} more bytes needed at offset ${this.offset}, ${this.bytes.length - this.offset} left`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  /** The argument of a head: a length or a small integer, as a number or bigint. */
  private argument(info: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        return this.u8();
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.offset);
        this.offset += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getUint32(this.offset);
        this.offset += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.offset);
        this.offset += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      default:
        return fail(`${this.what} uses reserved or indefinite-length encoding (additional info ${info}) at offset ${this.offset - 1}`);
    }
  }

  private length(info: number, kind: string): number {
    const n = this.argument(info);
    // A length can never exceed what is left, so a hostile length fails before any allocation.
    if (typeof n !== 'number' || n > this.bytes.length - this.offset) {
      fail(`${this.what} is truncated or corrupt: a ${kind} at offset ${this.offset} declares ${String(n)} ${kind === 'byte string' || kind === 'text string' ? 'bytes' : 'items'} but only ${this.bytes.length - this.offset} bytes are left`);
    }
    return n;
  }

  read(depth: number): CborValue {
    if (depth > this.limits.maxDepth) fail(`${this.what} nests deeper than ${this.limits.maxDepth} levels`);
    const start = this.offset;
    const head = this.u8();
    const major = head >> 5;
    const info = head & 31;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1: {
        const n = this.argument(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2: {
        const n = this.length(info, 'byte string');
        const out = this.bytes.slice(this.offset, this.offset + n);
        this.offset += n;
        return out;
      }
      case 3: {
        const n = this.length(info, 'text string');
        const raw = this.bytes.subarray(this.offset, this.offset + n);
        this.offset += n;
        try {
          return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
        } catch {
          return fail(`${this.what} has a text string that is not valid UTF-8 at offset ${start}`);
        }
      }
      case 4: {
        const n = this.length(info, 'array');
        if (n > this.limits.maxItems) fail(`${this.what} has an array of ${n} items; the limit is ${this.limits.maxItems}`);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.read(depth + 1));
        return out;
      }
      case 5: {
        const n = this.length(info, 'map');
        if (n > this.limits.maxItems) fail(`${this.what} has a map of ${n} entries; the limit is ${this.limits.maxItems}`);
        const out = new Map<CborKey, CborValue>();
        for (let i = 0; i < n; i++) {
          const keyOffset = this.offset;
          const key = this.read(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
            fail(`${this.what} has a map key at offset ${keyOffset} that is neither an integer nor a text string`);
          }
          if (out.has(key)) fail(`${this.what} has a duplicate map key ${JSON.stringify(String(key))} at offset ${keyOffset}`);
          out.set(key, this.read(depth + 1));
        }
        return out;
      }
      case 6: {
        const tag = this.argument(info);
        if (typeof tag !== 'number') fail(`${this.what} has an out-of-range tag at offset ${start}`);
        return new CborTag(tag, this.read(depth + 1));
      }
      default: {
        // major 7: simple values and floats
        switch (info) {
          case 20:
            return false;
          case 21:
            return true;
          case 22:
            return null;
          case 23:
            return undefined;
          case 25: {
            this.need(2);
            const v = decodeHalf(this.view.getUint16(this.offset));
            this.offset += 2;
            return v;
          }
          case 26: {
            this.need(4);
            const v = this.view.getFloat32(this.offset);
            this.offset += 4;
            return v;
          }
          case 27: {
            this.need(8);
            const v = this.view.getFloat64(this.offset);
            this.offset += 8;
            return v;
          }
          default:
            if (info < 20) return new CborSimple(info);
            if (info === 24) return new CborSimple(this.u8());
            return fail(`${this.what} has an unsupported simple/break value (additional info ${info}) at offset ${start}`);
        }
      }
    }
  }
}

function decodeHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Decodes exactly one CBOR data item that spans all of `bytes`. Indefinite lengths are refused
 * (go-cose never writes them and COSE headers must be definite), as are trailing bytes.
 */
export function decodeCbor(bytes: Uint8Array, what = 'CBOR data', limits: Partial<DecodeLimits> = {}): CborValue {
  if (bytes.length === 0) fail(`${what} is empty`);
  const reader = new Reader(bytes, { ...DEFAULT_LIMITS, ...limits }, what);
  const value = reader.read(0);
  if (reader.offset !== bytes.length) {
    fail(`${what} has ${bytes.length - reader.offset} unexpected trailing bytes after the first data item`);
  }
  return value;
}

// One encoder, configured once: no records/structures extensions (plain RFC 8949), Maps kept as
// Maps so key order is the caller's, Uint8Array as a plain byte string (no typed-array tags).
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  useFloat32: 0
} as ConstructorParameters<typeof Encoder>[0]);

/** A value for `encodeCbor`: JS Maps for maps, Uint8Array for bstr, `epochTime` for tag-1 times. */
export type CborInput = number | string | boolean | null | Uint8Array | CborInput[] | Map<CborKey, CborInput> | Tag;

/** A CBOR tag around a value, for encoding (e.g. 18 for COSE_Sign1_Tagged). */
export function tagged(value: CborInput, tag: number): Tag {
  return new Tag(value, tag);
}

/** Tag 1 (epoch-based date/time) with whole seconds as an integer, as go-cose writes it. */
export function epochTime(date: Date): Tag {
  const seconds = Math.floor(date.getTime() / 1000);
  return new Tag(seconds, 1);
}

export function encodeCbor(value: CborInput): Uint8Array {
  const out = encoder.encode(value);
  // Copy out of the encoder's shared buffer so later encodes cannot change the result.
  return new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}

/**
 * Orders map entries the way RFC 8949 §4.2.1 core deterministic encoding does (bytewise
 * lexicographic order of the encoded keys), which is what go-cose emits for protected headers.
 */
export function sortCanonical(entries: [CborKey, CborInput][]): Map<CborKey, CborInput> {
  const encoded = entries.map(([k, v]) => ({ k, v, bytes: encodeCbor(k as CborInput) }));
  encoded.sort((a, b) => compareBytes(a.bytes, b.bytes));
  return new Map(encoded.map(({ k, v }) => [k, v]));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
