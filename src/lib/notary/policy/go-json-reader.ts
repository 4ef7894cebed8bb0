/**
 * A JSON reader that accepts and rejects exactly what Go's encoding/json (the reader behind
 * `notation policy import`) accepts and rejects, with the same syntax error text, and that keeps
 * what JSON.parse throws away: duplicate keys in order, and the byte offset of every value (so an
 * editor can point at the offending text).
 *
 * It works in two passes, as Go does: a byte-level state machine decides validity (and words the
 * error), then a builder, which may assume valid input, makes the tree. Both are iterative, so
 * Go's nesting limit of 10000 levels cannot overflow the JS stack.
 */
import { decodeRune, goQuoteChar } from '../go-text';

interface NodeBase {
  /** Byte offset of the value's first byte. */
  readonly start: number;
  /** Byte offset just after the value. */
  readonly end: number;
}

export interface GoJsonNull extends NodeBase {
  readonly kind: 'null';
}
export interface GoJsonBool extends NodeBase {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface GoJsonNumber extends NodeBase {
  readonly kind: 'number';
  /** The literal as written. */
  readonly raw: string;
}
export interface GoJsonString extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}
export interface GoJsonArray extends NodeBase {
  readonly kind: 'array';
  readonly items: GoJsonNode[];
}
export interface GoJsonEntry {
  readonly key: string;
  readonly keyStart: number;
  readonly value: GoJsonNode;
}
export interface GoJsonObject extends NodeBase {
  readonly kind: 'object';
  /** In document order, duplicates kept. */
  readonly entries: GoJsonEntry[];
}
export type GoJsonNode = GoJsonNull | GoJsonBool | GoJsonNumber | GoJsonString | GoJsonArray | GoJsonObject;

/** A syntax error worded as Go words it. */
export class GoJsonSyntaxError extends Error {
  /** Index of the offending byte (Go's SyntaxError.Offset minus one); the input length at its end. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'GoJsonSyntaxError';
    this.offset = offset;
  }
}

const MAX_DEPTH = 10000;

const enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue
}

type Step = (c: number) => Step | null;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * Checks `bytes` is one JSON value (surrounded by optional whitespace) following Go's scanner
 * state by state; throws GoJsonSyntaxError with Go's message otherwise.
 */
function checkValid(bytes: Uint8Array): void {
  const stack: Parse[] = [];
  let error: GoJsonSyntaxError | null = null;
  let endTop = false;
  let offset = 0;

  const fail = (c: number, context: string): null => {
    error = new GoJsonSyntaxError(`invalid character ${goQuoteChar(c)} ${context}`, offset);
    return null;
  };
  const push = (c: number, state: Parse, next: Step): Step | null => {
    stack.push(state);
    return stack.length <= MAX_DEPTH ? next : fail(c, 'exceeded max depth');
  };

  const beginValueOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginValueOrEmpty;
    if (c === 0x5d) return endValue(c);
    return beginValue(c);
  };
  const beginValue: Step = (c) => {
    if (isSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        return push(c, Parse.ObjectKey, beginStringOrEmpty);
      case 0x5b:
        return push(c, Parse.ArrayValue, beginValueOrEmpty);
      case 0x22:
        return inString;
      case 0x2d:
        return neg;
      case 0x30:
        return zero;
      case 0x74:
        return literal('true', 1);
      case 0x66:
        return literal('false', 1);
      case 0x6e:
        return literal('null', 1);
    }
    if (c >= 0x31 && c <= 0x39) return one;
    return fail(c, 'looking for beginning of value');
  };
  const beginStringOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) {
      stack[stack.length - 1] = Parse.ObjectValue;
      return endValue(c);
    }
    return beginString(c);
  };
  const beginString: Step = (c) => {
    if (isSpace(c)) return beginString;
    if (c === 0x22) return inString;
    return fail(c, 'looking for beginning of object key string');
  };
  const endTopStep: Step = (c) => {
    if (!isSpace(c)) return fail(c, 'after top-level value');
    return endTopStep;
  };
  const endValue: Step = (c) => {
    if (stack.length === 0) {
      endTop = true;
      return endTopStep(c);
    }
    if (isSpace(c)) return endValue;
    const top = stack[stack.length - 1]!;
    switch (top) {
      case Parse.ObjectKey:
        if (c === 0x3a) {
          stack[stack.length - 1] = Parse.ObjectValue;
          return beginValue;
        }
        return fail(c, 'after object key');
      case Parse.ObjectValue:
        if (c === 0x2c) {
          stack[stack.length - 1] = Parse.ObjectKey;
          return beginString;
        }
        if (c === 0x7d) return pop();
        return fail(c, 'after object key:value pair');
      case Parse.ArrayValue:
        if (c === 0x2c) return beginValue;
        if (c === 0x5d) return pop();
        return fail(c, 'after array element');
    }
    return fail(c, '');
  };
  // Closing the outermost container completes the document at once, as in Go.
  const pop = (): Step => {
    stack.pop();
    if (stack.length > 0) return endValue;
    endTop = true;
    return endTopStep;
  };
  const inString: Step = (c) => {
    if (c === 0x22) return endValue;
    if (c === 0x5c) return inStringEsc;
    if (c < 0x20) return fail(c, 'in string literal');
    return inString;
  };
  const inStringEsc: Step = (c) => {
    switch (c) {
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x5c:
      case 0x2f:
      case 0x22:
        return inString;
      case 0x75:
        return hexDigits(4);
    }
    return fail(c, 'in string escape code');
  };
  const hexDigits =
    (left: number): Step =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return left === 1 ? inString : hexDigits(left - 1);
    };
  const neg: Step = (c) => {
    if (c === 0x30) return zero;
    if (c >= 0x31 && c <= 0x39) return one;
    return fail(c, 'in numeric literal');
  };
  const one: Step = (c) => (isDigit(c) ? one : zero(c));
  const zero: Step = (c) => {
    if (c === 0x2e) return dot;
    if (c === 0x65 || c === 0x45) return exp;
    return endValue(c);
  };
  const dot: Step = (c) => (isDigit(c) ? dot0 : fail(c, 'after decimal point in numeric literal'));
  const dot0: Step = (c) => {
    if (isDigit(c)) return dot0;
    if (c === 0x65 || c === 0x45) return exp;
    return endValue(c);
  };
  const exp: Step = (c) => (c === 0x2b || c === 0x2d ? expSign : expSign(c));
  const expSign: Step = (c) => (isDigit(c) ? exp0 : fail(c, 'in exponent of numeric literal'));
  const exp0: Step = (c) => (isDigit(c) ? exp0 : endValue(c));
  const literal =
    (word: string, at: number): Step =>
    (c) => {
      const want = word.charCodeAt(at);
      if (c !== want) return fail(c, `in literal ${word} (expecting '${word[at]}')`);
      return at === word.length - 1 ? endValue : literal(word, at + 1);
    };

  let step: Step | null = beginValue;
  for (; offset < bytes.length; offset++) {
    step = step!(bytes[offset]!);
    if (step === null) throw error!;
  }
  // At the end Go feeds one space, which completes a number and flags an unfinished literal.
  if (endTop) return;
  step = step!(0x20);
  if (step === null) throw error!;
  if (!endTop) throw new GoJsonSyntaxError('unexpected end of JSON input', bytes.length);
}

/** Decodes the body of a JSON string literal (between the quotes) the way Go's unquote does. */
function unquote(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  const hex4 = (at: number): number => {
    let n = 0;
    for (let k = 0; k < 4; k++) n = n * 16 + parseInt(String.fromCharCode(bytes[at + k]!), 16);
    return n;
  };
  while (i < end) {
    const c = bytes[i]!;
    if (c === 0x5c) {
      const e = bytes[i + 1]!;
      switch (e) {
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          let r = hex4(i + 2);
          i += 6;
          if (r >= 0xd800 && r < 0xdc00) {
            // A high surrogate counts only when a low one follows as another \u escape.
            if (bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
              const r2 = hex4(i + 2);
              if (r2 >= 0xdc00 && r2 < 0xe000) {
                out += String.fromCodePoint(0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00));
                i += 6;
                continue;
              }
            }
            r = 0xfffd;
          } else if (r >= 0xdc00 && r < 0xe000) {
            r = 0xfffd;
          }
          out += String.fromCodePoint(r);
          continue;
        }
        default:
          out += String.fromCharCode(e); // \\ \/ \"
      }
      i += 2;
      continue;
    }
    const { rune, width } = decodeRune(bytes, i);
    out += String.fromCodePoint(rune);
    i += width;
  }
  return out;
}

/** Builds the tree of input already known to be valid. */
function build(bytes: Uint8Array): GoJsonNode {
  type Frame =
    | { kind: 'array'; start: number; items: GoJsonNode[] }
    | { kind: 'object'; start: number; entries: GoJsonEntry[]; key: string; keyStart: number };
  const stack: Frame[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < bytes.length && isSpace(bytes[i]!)) i++;
  };
  const readString = (): string => {
    const start = i + 1;
    let j = start;
    while (bytes[j] !== 0x22) j += bytes[j] === 0x5c ? 2 : 1;
    i = j + 1;
    return unquote(bytes, start, j);
  };
  const deliver = (node: GoJsonNode): GoJsonNode | null => {
    const top = stack[stack.length - 1];
    if (top === undefined) return node;
    if (top.kind === 'array') top.items.push(node);
    else top.entries.push({ key: top.key, keyStart: top.keyStart, value: node });
    return null;
  };

  for (;;) {
    skipSpace();
    const top = stack[stack.length - 1];
    // Positioned where a value, a key, a separator or a closing bracket may be.
    if (top !== undefined) {
      const c = bytes[i]!;
      if (c === 0x2c) {
        i++;
        skipSpace();
      }
      const d = bytes[i]!;
      if ((top.kind === 'array' && d === 0x5d) || (top.kind === 'object' && d === 0x7d)) {
        i++;
        stack.pop();
        const node: GoJsonNode =
          top.kind === 'array'
            ? { kind: 'array', start: top.start, end: i, items: top.items }
            : { kind: 'object', start: top.start, end: i, entries: top.entries };
        const done = deliver(node);
        if (done) return done;
        continue;
      }
      if (top.kind === 'object') {
        top.keyStart = i;
        top.key = readString();
        skipSpace();
        i++; // ':'
        skipSpace();
      }
    }
    const start = i;
    const c = bytes[i]!;
    let node: GoJsonNode | null = null;
    if (c === 0x7b) {
      i++;
      stack.push({ kind: 'object', start, entries: [], key: '', keyStart: 0 });
      continue;
    } else if (c === 0x5b) {
      i++;
      stack.push({ kind: 'array', start, items: [] });
      continue;
    } else if (c === 0x22) {
      const value = readString();
      node = { kind: 'string', start, end: i, value };
    } else if (c === 0x74) {
      i += 4;
      node = { kind: 'bool', start, end: i, value: true };
    } else if (c === 0x66) {
      i += 5;
      node = { kind: 'bool', start, end: i, value: false };
    } else if (c === 0x6e) {
      i += 4;
      node = { kind: 'null', start, end: i };
    } else {
      while (i < bytes.length && /[-+.eE0-9]/.test(String.fromCharCode(bytes[i]!))) i++;
      node = { kind: 'number', start, end: i, raw: String.fromCharCode(...bytes.subarray(start, i)) };
    }
    const done = deliver(node);
    if (done) return done;
  }
}

/**
 * Reads one JSON document as Go's json.Unmarshal does: the whole input must be one value
 * (trailing non-space bytes are an error), invalid UTF-8 inside strings becomes U+FFFD.
 * Throws GoJsonSyntaxError worded as Go.
 */
export function readGoJson(bytes: Uint8Array): GoJsonNode {
  checkValid(bytes);
  return build(bytes);
}

/** Turns an already-parsed JS value into a tree (no offsets), for callers that hold objects. */
export function goJsonFromValue(value: unknown, depth = 0): GoJsonNode {
  const at = { start: -1, end: -1 };
  if (depth > MAX_DEPTH) throw new GoJsonSyntaxError('exceeded max depth', -1);
  if (value === null || value === undefined) return { kind: 'null', ...at };
  if (typeof value === 'boolean') return { kind: 'bool', value, ...at };
  if (typeof value === 'number' || typeof value === 'bigint') return { kind: 'number', raw: String(value), ...at };
  if (typeof value === 'string') return { kind: 'string', value, ...at };
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v) => goJsonFromValue(v, depth + 1)), ...at };
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
      key,
      keyStart: -1,
      value: goJsonFromValue(v, depth + 1)
    }));
    return { kind: 'object', entries, ...at };
  }
  throw new GoJsonSyntaxError(`a ${typeof value} is not a JSON value`, -1);
}
