import { describe, expect, it } from 'vitest';
import {
  decodeRune,
  goQuote,
  goQuoteByteMap,
  goQuoteBytes,
  goQuoteChar,
  goQuoteList,
  toByteString
} from '../../../src/lib/notary/go-text';

describe('Go %q', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\tnl\ncr\rbell\u0007\u000b\f\b', '"tab\\tnl\\ncr\\rbell\\a\\v\\f\\b"'],
    ['\u0001\u007f', '"\\x01\\x7f"'],
    ['é ビ 😀', '"é ビ 😀"'],
    ['\u00a0\u00ad\u200b\u2028', '"\\u00a0\\u00ad\\u200b\\u2028"'],
    ["it's", '"it\'s"']
  ])('%j', (text, quoted) => {
    expect(goQuote(text)).toBe(quoted);
  });

  it('prints invalid UTF-8 bytes as \\x escapes', () => {
    expect(goQuoteBytes(new Uint8Array([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]))).toBe('"a\\xff\\xc3(\\xed\\xa0\\x80"');
  });

  it('decodes runes as utf8.DecodeRune', () => {
    const b = (...x: number[]) => new Uint8Array(x);
    expect(decodeRune(b(0x41), 0)).toEqual({ rune: 0x41, width: 1 });
    expect(decodeRune(b(0xc3, 0xa9), 0)).toEqual({ rune: 0xe9, width: 2 });
    expect(decodeRune(b(0xf0, 0x9f, 0x98, 0x80), 0)).toEqual({ rune: 0x1f600, width: 4 });
    expect(decodeRune(b(0xc0, 0x80), 0)).toEqual({ rune: 0xfffd, width: 1 });
    expect(decodeRune(b(0xe0, 0x80, 0x80), 0)).toEqual({ rune: 0xfffd, width: 1 });
    expect(decodeRune(b(0xf4, 0x90, 0x80, 0x80), 0)).toEqual({ rune: 0xfffd, width: 1 });
    expect(decodeRune(b(0xe2, 0x82), 0)).toEqual({ rune: 0xfffd, width: 1 });
  });

  it('quotes lists, maps and scanner characters as fmt does', () => {
    expect(goQuoteList(['a', 'b c'])).toBe('["a" "b c"]');
    expect(goQuoteByteMap(new Map([['O', 'x'], ['C', 'US'], ['CN', toByteString('é')]]))).toBe('map["C":"US" "CN":"é" "O":"x"]');
    expect(goQuoteChar(0x27)).toBe("'\\''");
    expect(goQuoteChar(0x22)).toBe(`'"'`);
    expect(goQuoteChar(0x0a)).toBe("'\\n'");
    expect(goQuoteChar(0xef)).toBe("'ï'");
  });
});
