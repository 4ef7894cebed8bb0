/**
 * Byte helpers that behave the same in Node and in browsers (no Buffer). Decoders are strict:
 * they reject rather than guess, because a lenient decoder lets two different byte strings mean
 * the same signature.
 */
import { SignetError } from './errors';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, rejecting invalid sequences instead of substituting U+FFFD. */
export function utf8Decode(bytes: Uint8Array, what = 'text'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new SignetError('ERR_INPUT_INVALID', `${what} is not valid UTF-8`, { cause });
  }
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

export function fromHex(hex: string, what = 'hex string'): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SignetError('ERR_INPUT_INVALID', `${what} is not an even-length hexadecimal string`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_REVERSE = reverseTable(B64);
const B64URL_REVERSE = reverseTable(B64URL);

function reverseTable(alphabet: string): Int16Array {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decode(text: string, table: Int16Array, padded: boolean, what: string): Uint8Array {
  let body = text;
  if (padded) {
    if (text.length % 4 !== 0) {
      throw new SignetError('ERR_BASE64_INVALID', `${what} is not padded base64 (length ${text.length} is not a multiple of 4)`);
    }
    if (body.endsWith('==')) body = body.slice(0, -2);
    else if (body.endsWith('=')) body = body.slice(0, -1);
  }
  if (body.length % 4 === 1) {
    throw new SignetError('ERR_BASE64_INVALID', `${what} has an impossible base64 length ${text.length}`);
  }
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? table[c]! : -1;
    if (v < 0) {
      throw new SignetError('ERR_BASE64_INVALID', `${what} has an invalid base64 character at input byte ${i}`);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Non-zero leftover bits mean a non-canonical encoding: two strings for the same bytes.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new SignetError('ERR_BASE64_INVALID', `${what} is not canonical base64 (stray bits in the last character)`);
  }
  return out;
}

/** Standard base64 with padding (RFC 4648 §4), as used by JWS `x5c`. */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, B64, true);
}

export function base64Decode(text: string, what = 'base64 value'): Uint8Array {
  return decode(text, B64_REVERSE, true, what);
}

/** base64url without padding (RFC 4648 §5, RFC 7515 §2); a trailing '=' is rejected. */
export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(bytes, B64URL, false);
}

export function base64UrlDecode(text: string, what = 'base64url value'): Uint8Array {
  return decode(text, B64URL_REVERSE, false, what);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A copy whose buffer is exactly its bytes. WebCrypto and some parsers take the whole
 * underlying ArrayBuffer, so views into larger buffers must be cut out first.
 */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}
