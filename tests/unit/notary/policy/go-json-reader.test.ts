import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goJsonFromValue, GoJsonSyntaxError, readGoJson, type GoJsonNode } from '../../../../src/lib/notary/policy/go-json-reader';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The tree as a plain JS value (last duplicate wins, like JSON.parse). */
function toJs(node: GoJsonNode): unknown {
  switch (node.kind) {
    case 'null':
      return null;
    case 'bool':
      return node.value;
    case 'number':
      return Number(node.raw);
    case 'string':
      return node.value;
    case 'array':
      return node.items.map(toJs);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        // defineProperty so that a "__proto__" key stays an own property, as in JSON.parse
        Object.defineProperty(out, e.key, { value: toJs(e.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

function syntaxError(text: string | Uint8Array): GoJsonSyntaxError {
  try {
    readGoJson(typeof text === 'string' ? bytes(text) : text);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${String(text)}`);
}

describe('readGoJson: syntax errors worded as Go encoding/json', () => {
  // Messages and offsets as Go's scanner produces them (checked against notation policy import).
  it.each([
    ['', 'unexpected end of JSON input', 0],
    ['   ', 'unexpected end of JSON input', 3],
    ['{', 'unexpected end of JSON input', 1],
    ['{"a"', 'unexpected end of JSON input', 4],
    ['"abc', 'unexpected end of JSON input', 4],
    ['x', "invalid character 'x' looking for beginning of value", 0],
    ['\ufeff{}', "invalid character 'ï' looking for beginning of value", 0],
    ['{,}', "invalid character ',' looking for beginning of object key string", 1],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string", 7],
    ['{"a" 1}', "invalid character '1' after object key", 5],
    ['{"a":1 "b":2}', 'invalid character \'"\' after object key:value pair', 7],
    ['[1 2]', "invalid character '2' after array element", 3],
    ['[1,]', "invalid character ']' looking for beginning of value", 3],
    ['{} x', "invalid character 'x' after top-level value", 3],
    ['1 2', "invalid character '2' after top-level value", 2],
    ['01', "invalid character '1' after top-level value", 1],
    ['-', "invalid character ' ' in numeric literal", 1],
    ['-a', "invalid character 'a' in numeric literal", 1],
    ['1.', "invalid character ' ' after decimal point in numeric literal", 2],
    ['1.e5', "invalid character 'e' after decimal point in numeric literal", 2],
    ['1e', "invalid character ' ' in exponent of numeric literal", 2],
    ['1e+', "invalid character ' ' in exponent of numeric literal", 3],
    ['tru', "invalid character ' ' in literal true (expecting 'e')", 3],
    ['trUe', "invalid character 'U' in literal true (expecting 'u')", 2],
    ['fals', "invalid character ' ' in literal false (expecting 'e')", 4],
    ['nul', "invalid character ' ' in literal null (expecting 'l')", 3],
    ['"a\u0001"', "invalid character '\\x01' in string literal", 2],
    ['"a\n"', "invalid character '\\n' in string literal", 2],
    ['"\\x"', "invalid character 'x' in string escape code", 2],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape", 5],
    ["'a'", "invalid character '\\'' looking for beginning of value", 0],
    ['{"a":"b"}}', "invalid character '}' after top-level value", 9]
  ])('%j → %s', (text, message, offset) => {
    const e = syntaxError(text);
    expect(e.message).toBe(message);
    expect(e.offset).toBe(offset);
  });

  it('names a non-ASCII byte by its Latin-1 rune and a C1 byte as \\u00XX', () => {
    expect(syntaxError(new Uint8Array([0xc3, 0xa9])).message).toBe("invalid character 'Ã' looking for beginning of value");
    expect(syntaxError(new Uint8Array([0x80])).message).toBe("invalid character '\\u0080' looking for beginning of value");
  });

  it('accepts 10000 levels of nesting and rejects 10001, without overflowing the stack', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(readGoJson(bytes(deep(10000))).kind).toBe('array');
    expect(syntaxError(deep(10001)).message).toBe("invalid character '[' exceeded max depth");
  });
});

describe('readGoJson: values', () => {
  it('keeps duplicate keys in order with their byte offsets', () => {
    const node = readGoJson(bytes('{"a": 1, "é": "x", "a": [true, null]}'));
    expect(node.kind).toBe('object');
    if (node.kind !== 'object') return;
    expect(node.entries.map((e) => e.key)).toEqual(['a', 'é', 'a']);
    expect(node.entries.map((e) => e.keyStart)).toEqual([1, 9, 20]);
    expect(node.entries[2]!.value).toMatchObject({ kind: 'array', start: 25, end: 37 });
    expect(node.entries[1]!.value).toMatchObject({ kind: 'string', value: 'x', start: 15, end: 18 });
  });

  it('decodes strings as Go does: escapes, surrogate pairs, lone surrogates and invalid UTF-8 become U+FFFD', () => {
    const str = (raw: Uint8Array | string): string => {
      const n = readGoJson(typeof raw === 'string' ? bytes(raw) : raw);
      if (n.kind !== 'string') throw new Error('not a string');
      return n.value;
    };
    expect(str('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"')).toBe('a"b\\c/d\b\f\n\r\t');
    expect(str('"\\u00e9\\ud83d\\ude00"')).toBe('é😀');
    expect(str('"\\ud800x"')).toBe('\ufffdx');
    expect(str('"\\ude00\\ud83d"')).toBe('\ufffd\ufffd');
    expect(str('"\\ud83d\\u0041"')).toBe('\ufffdA');
    expect(str(new Uint8Array([0x22, 0x61, 0xff, 0xc3, 0x22]))).toBe('a\ufffd\ufffd');
    expect(str(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBe('\ufffd\ufffd\ufffd');
  });

  it('reads the same values as JSON.parse for any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(toJs(readGoJson(bytes(text)))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 }
    );
  });

  it('accepts exactly the texts JSON.parse accepts', () => {
    const token = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '"a"', '1', '-', '.5', 'e3', '0', 'true', 'nul', ' ', '\n', '\\', 'x', '\\u00');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
        const text = tokens.join('');
        let jsOk = true;
        try {
          JSON.parse(text);
        } catch {
          jsOk = false;
        }
        let goOk = true;
        try {
          readGoJson(bytes(text));
        } catch (e) {
          expect(e).toBeInstanceOf(GoJsonSyntaxError);
          goOk = false;
        }
        expect(goOk).toBe(jsOk);
      }),
      { numRuns: 2000 }
    );
  });

  it('turns parsed JS values into trees, refusing what JSON cannot hold', () => {
    expect(toJs(goJsonFromValue({ a: [1, 'x', null, true], b: { c: 2 } }))).toEqual({ a: [1, 'x', null, true], b: { c: 2 } });
    expect(() => goJsonFromValue({ f: () => 1 })).toThrowError(/function is not a JSON value/);
  });
});
