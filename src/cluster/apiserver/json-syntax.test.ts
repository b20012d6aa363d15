import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError, quoteChar } from './json-syntax.ts';

describe('goJsonSyntaxError', () => {
  it('words errors as Go encoding/json does', () => {
    const cases: [string, string | undefined][] = [
      ['{"a":[1,2.5e-3,true,false,null,"\\u00e9\\n"]}', undefined],
      ['  "x"  ', undefined],
      ['-0', undefined],
      ['', 'unexpected end of JSON input'],
      ['   ', 'unexpected end of JSON input'],
      ['{"a":', 'unexpected end of JSON input'],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['[1 2]', "invalid character '2' after array element"],
      ['{"a":1 2}', "invalid character '2' after object key:value pair"],
      // At the end of input Go feeds the scanner a space, so a cut literal or exponent fails on it.
      ['nul', "invalid character ' ' in literal null (expecting 'l')"],
      ['fals3', "invalid character '3' in literal false (expecting 'e')"],
      ['01', "invalid character '1' after top-level value"],
      ['1.e5', "invalid character 'e' after decimal point in numeric literal"],
      ['1e', "invalid character ' ' in exponent of numeric literal"],
      ['"\\x"', "invalid character 'x' in string escape code"],
      ['"\\u00G0"', "invalid character 'G' in \\u hexadecimal character escape"],
      ['"a\nb"', "invalid character '\\n' in string literal"],
      ['[[[', 'unexpected end of JSON input'],
    ];
    for (const [text, expected] of cases) expect(goJsonSyntaxError(Buffer.from(text)), text).toBe(expected);
  });

  it('stops at the nesting limit', () => {
    expect(goJsonSyntaxError(Buffer.from('[[[]]]'), 3)).toBeUndefined();
    expect(goJsonSyntaxError(Buffer.from('[[[[]]]]'), 3)).toBe("invalid character '[' exceeded max depth");
  });

  it('quotes bytes as Go quotes a rune', () => {
    expect([0x27, 0x22, 0x5c, 0x00, 0x09, 0x7f, 0x80, 0xa0, 0xad, 0xe9, 0xff].map(quoteChar)).toEqual([
      "'\\''",
      `'"'`,
      "'\\\\'",
      "'\\x00'",
      "'\\t'",
      "'\\x7f'",
      "'\\u0080'",
      "'\\u00a0'",
      "'\\u00ad'",
      "'é'",
      "'ÿ'",
    ]);
  });

  it('agrees with JSON.parse on which mutated documents are valid', () => {
    const doc = JSON.stringify({ a: [1, -2.5e10, true, false, null], b: { 'c\\"': 'd\u00e9\n' }, e: '' });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = '{}[]",:\\ 0123456789.eE+-truefalsn\t\nabu';
    for (let i = 0; i < 5_000; i++) {
      const chars = [...doc];
      for (let n = 1 + rand(3); n > 0; n--) {
        const at = rand(chars.length + 1);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
        else chars[at] = alphabet[rand(alphabet.length)]!;
      }
      const text = chars.join('');
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(goJsonSyntaxError(Buffer.from(text)) === undefined, text).toBe(valid);
    }
  });
});
