/**
 * Go's encoding/json syntax check (its scanner), kept for its error wording: kube-apiserver
 * reports a malformed body with the message Go's decoder gives, and kubectl prints it verbatim.
 *
 *   {"a":1,}    invalid character '}' looking for beginning of object key string
 *   {"a" 1}     invalid character '1' after object key
 *   [1 2]       invalid character '2' after array element
 *   {"a":       unexpected end of JSON input
 *
 * Each state function below is the one of the same name in Go's encoding/json/scanner.go: it
 * consumes one byte, or hands the byte on to the state that ends the current value. The scanner
 * works on bytes, so a stray byte is named as Go names it ('ÿ' for 0xff). `maxDepth` is Go's
 * nesting limit (10,000) unless the caller wants a lower one.
 */
export function goJsonSyntaxError(data: Uint8Array, maxDepth = 10_000): string | undefined {
  /** What encloses the value being read: an object before a key's colon, after it, or an array. */
  const parseState: ('objectKey' | 'objectValue' | 'arrayValue')[] = [];
  let error: string | undefined;
  let endTop = false;

  const fail = (c: number, context: string): Step => {
    error = `invalid character ${quoteChar(c)} ${context}`;
    return stateError;
  };
  const push = (c: number, state: 'objectKey' | 'arrayValue', next: Step): Step => {
    parseState.push(state);
    return parseState.length <= maxDepth ? next : fail(c, 'exceeded max depth');
  };

  type Step = (c: number) => Step;
  const stateError: Step = () => stateError;

  const stateBeginValue: Step = (c) => {
    if (isSpace(c)) return stateBeginValue;
    switch (c) {
      case 0x7b: // {
        return push(c, 'objectKey', stateBeginStringOrEmpty);
      case 0x5b: // [
        return push(c, 'arrayValue', stateBeginValueOrEmpty);
      case 0x22:
        return stateInString;
      case 0x2d: // -
        return stateNeg;
      case 0x30:
        return state0;
      case 0x74:
        return literal('true', 1);
      case 0x66:
        return literal('false', 1);
      case 0x6e:
        return literal('null', 1);
    }
    if (c >= 0x31 && c <= 0x39) return state1;
    return fail(c, 'looking for beginning of value');
  };
  const stateBeginValueOrEmpty: Step = (c) => {
    if (isSpace(c)) return stateBeginValueOrEmpty;
    if (c === 0x5d) return stateEndValue(c);
    return stateBeginValue(c);
  };
  const stateBeginStringOrEmpty: Step = (c) => {
    if (isSpace(c)) return stateBeginStringOrEmpty;
    if (c === 0x7d) {
      parseState[parseState.length - 1] = 'objectValue';
      return stateEndValue(c);
    }
    return stateBeginString(c);
  };
  const stateBeginString: Step = (c) => {
    if (isSpace(c)) return stateBeginString;
    if (c === 0x22) return stateInString;
    return fail(c, 'looking for beginning of object key string');
  };
  const stateEndValue: Step = (c) => {
    const n = parseState.length;
    if (n === 0) {
      endTop = true;
      return stateEndTop(c);
    }
    if (isSpace(c)) return stateEndValue;
    switch (parseState[n - 1]) {
      case 'objectKey':
        if (c === 0x3a) {
          parseState[n - 1] = 'objectValue';
          return stateBeginValue;
        }
        return fail(c, 'after object key');
      case 'objectValue':
        if (c === 0x2c) {
          parseState[n - 1] = 'objectKey';
          return stateBeginString;
        }
        if (c === 0x7d) return popParseState();
        return fail(c, 'after object key:value pair');
      default:
        if (c === 0x2c) return stateBeginValue;
        if (c === 0x5d) return popParseState();
        return fail(c, 'after array element');
    }
  };
  const popParseState = (): Step => {
    parseState.pop();
    if (parseState.length === 0) {
      endTop = true;
      return stateEndTop;
    }
    return stateEndValue;
  };
  const stateEndTop: Step = (c) => (isSpace(c) ? stateEndTop : fail(c, 'after top-level value'));
  const stateInString: Step = (c) => {
    if (c === 0x22) return stateEndValue;
    if (c === 0x5c) return stateInStringEsc;
    if (c < 0x20) return fail(c, 'in string literal');
    return stateInString;
  };
  const stateInStringEsc: Step = (c) => {
    if (c === 0x75) return stateInStringEscU(0);
    if (SIMPLE_ESCAPES.has(c)) return stateInString;
    return fail(c, 'in string escape code');
  };
  const stateInStringEscU =
    (read: number): Step =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return read === 3 ? stateInString : stateInStringEscU(read + 1);
    };
  const stateNeg: Step = (c) => {
    if (c === 0x30) return state0;
    if (c >= 0x31 && c <= 0x39) return state1;
    return fail(c, 'in numeric literal');
  };
  const state1: Step = (c) => (isDigit(c) ? state1 : state0(c));
  const state0: Step = (c) => {
    if (c === 0x2e) return stateDot;
    if (c === 0x65 || c === 0x45) return stateE;
    return stateEndValue(c);
  };
  const stateDot: Step = (c) => (isDigit(c) ? stateDot0 : fail(c, 'after decimal point in numeric literal'));
  const stateDot0: Step = (c) => {
    if (isDigit(c)) return stateDot0;
    if (c === 0x65 || c === 0x45) return stateE;
    return stateEndValue(c);
  };
  const stateE: Step = (c) => (c === 0x2b || c === 0x2d ? stateESign : stateESign(c));
  const stateESign: Step = (c) => (isDigit(c) ? stateE0 : fail(c, 'in exponent of numeric literal'));
  const stateE0: Step = (c) => (isDigit(c) ? stateE0 : stateEndValue(c));
  const literal =
    (word: string, at: number): Step =>
    (c) => {
      const expected = word.charCodeAt(at);
      if (c !== expected) return fail(c, `in literal ${word} (expecting ${quoteChar(expected)})`);
      return at + 1 === word.length ? stateEndValue : literal(word, at + 1);
    };

  let step: Step = stateBeginValue;
  for (const c of data) {
    step = step(c);
    if (error) return error;
  }
  // Go's scanner.eof: a space ends a number still being read; anything else unfinished is an error.
  if (endTop) return undefined;
  step(0x20);
  if (error) return error;
  return endTop ? undefined : 'unexpected end of JSON input';
}

/** The characters that may follow a backslash in a JSON string, besides u: b f n r t \ / " */
const SIMPLE_ESCAPES = new Set([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22]);

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: the byte as a rune in single quotes, escaped as strconv.Quote escapes it. */
export function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  return `'${goEscapeRune(c)}'`;
}

const SHORT_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
  92: '\\\\',
};

/** strconv.Quote's escaping of one rune below U+0100 (a byte read as Latin-1, as Go's string(c) does). */
function goEscapeRune(r: number): string {
  const short = SHORT_ESCAPES[r];
  if (short) return short;
  if (r < 0x20 || r === 0x7f) return `\\x${r.toString(16).padStart(2, '0')}`;
  // Go's IsPrint: C1 controls, no-break space and soft hyphen are not printable.
  if ((r >= 0x80 && r <= 0xa0) || r === 0xad) return `\\u${r.toString(16).padStart(4, '0')}`;
  return String.fromCharCode(r);
}
