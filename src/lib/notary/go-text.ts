/**
 * Go's text conventions, reproduced so that Signet's policy messages read exactly like
 * notation's: `%q` quoting (strconv.Quote), `%q` of string slices and string maps, and Go
 * strings as byte strings.
 *
 * A "byte string" here is a JS string whose every code unit is one byte (0–255). Go strings are
 * bytes, and a DN value may hold bytes that are not UTF-8 (`\ff` is a legal hex escape), so values
 * are compared and quoted as bytes, never as UTF-16.
 */

const encoder = new TextEncoder();
const lossyDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 bytes of `text` as a byte string. */
export function toByteString(text: string): string {
  return fromBytes(encoder.encode(text));
}

/** A byte string from raw bytes. */
export function fromBytes(bytes: Uint8Array): string {
  let out = '';
  // Chunked so that a long value never builds one huge argument list.
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

/** The bytes of a byte string. */
export function byteStringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A byte string shown as text (invalid UTF-8 becomes U+FFFD); for display only, never compare. */
export function byteStringToText(s: string): string {
  return lossyDecoder.decode(byteStringBytes(s));
}

/** Decodes one UTF-8 rune the way Go's utf8.DecodeRune does: invalid input is (U+FFFD, 1). */
export function decodeRune(bytes: Uint8Array, i: number): { rune: number; width: number } {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return { rune: b0, width: 1 };
  const bad = { rune: 0xfffd, width: 1 };
  const cont = (k: number): number => {
    const b = bytes[i + k];
    return b !== undefined && (b & 0xc0) === 0x80 ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? bad : { rune: ((b0 & 0x1f) << 6) | c1, width: 2 };
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const b1 = bytes[i + 1];
    if (b1 === undefined) return bad;
    // Overlong forms (E0 80..9F) and surrogates (ED A0..BF) are invalid in Go as in Unicode.
    if ((b0 === 0xe0 && b1 < 0xa0) || (b0 === 0xed && b1 > 0x9f)) return bad;
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return bad;
    return { rune: ((b0 & 0x0f) << 12) | (c1 << 6) | c2, width: 3 };
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b1 = bytes[i + 1];
    if (b1 === undefined) return bad;
    if ((b0 === 0xf0 && b1 < 0x90) || (b0 === 0xf4 && b1 > 0x8f)) return bad;
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return bad;
    return { rune: ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, width: 4 };
  }
  return bad;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrint(rune: number): boolean {
  if (rune === 0x20) return true;
  if (rune < 0x20 || rune === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(rune));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function quoteRune(rune: number, quote: number): string {
  if (rune === quote || rune === 0x5c) return '\\' + String.fromCharCode(rune);
  if (isGoPrint(rune)) return String.fromCodePoint(rune);
  switch (rune) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (rune < 0x20 || rune === 0x7f) return '\\x' + hex(rune, 2);
  if (rune < 0x10000) return '\\u' + hex(rune, 4);
  return '\\U' + hex(rune, 8);
}

/** strconv.Quote over raw bytes (what `%q` prints for a Go string). */
export function goQuoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const { rune, width } = decodeRune(bytes, i);
    if (width === 1 && rune === 0xfffd) out += '\\x' + hex(bytes[i]!, 2);
    else out += quoteRune(rune, 0x22);
    i += width;
  }
  return out + '"';
}

/** `%q` of a text string (its UTF-8 bytes). */
export function goQuote(text: string): string {
  return goQuoteBytes(encoder.encode(text));
}

/** `%q` of a byte string. */
export function goQuoteByteString(s: string): string {
  return goQuoteBytes(byteStringBytes(s));
}

/** How Go's JSON scanner names an offending byte in a syntax error (`quoteChar`). */
export function goQuoteChar(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return `'"'`;
  // Go converts the byte to the rune of the same number before quoting it.
  return "'" + quoteRune(byte, 0x22) + "'";
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return '[' + items.map(goQuote).join(' ') + ']';
}

/** Orders byte strings the way Go sorts map keys (bytewise). */
export function compareByteStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `%q` of a map[string]string whose keys and values are byte strings: `map["C":"US" "O":"x"]`. */
export function goQuoteByteMap(map: ReadonlyMap<string, string>): string {
  const keys = [...map.keys()].sort(compareByteStrings);
  return 'map[' + keys.map((k) => `${goQuoteByteString(k)}:${goQuoteByteString(map.get(k)!)}`).join(' ') + ']';
}
