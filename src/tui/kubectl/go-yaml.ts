/**
 * YAML the way kubectl's `-o yaml` writes it: sigs.k8s.io/yaml turns the JSON object into go-yaml
 * v2 output, so map keys are sorted, sequences sit at their key's indentation, nothing is folded,
 * and a string is quoted only when plain text would read back as something else:
 *
 *   "1"  -> "1"        (an int)          yes  -> "yes"     (a YAML 1.1 bool)
 *   a: b -> 'a: b'     (an indicator)    a\tb -> "a\tb"    (not printable)
 *   a\nb -> |-         (a literal block, kept verbatim)
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Plain words go-yaml's resolver reads as bool, null, float or merge (resolve.go's resolveMap). */
const RESOLVED_WORDS = new Set(
  [
    'y Y yes Yes YES on On ON true True TRUE',
    'n N no No NO off Off OFF false False FALSE',
    '~ null Null NULL',
    '.nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF <<',
  ].flatMap((line) => line.split(' ')),
);
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?(Z|[+-]\d{1,2}(:\d{2})?)?)?$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Would go-yaml's resolver read this plain scalar as anything but a string? */
function resolvesToNonString(s: string): boolean {
  if (s === '' || RESOLVED_WORDS.has(s)) return true;
  const first = s[0]!;
  if (first === '.') return YAML_FLOAT.test(s);
  if (!/[-+0-9]/.test(first)) return false;
  const plain = s.replaceAll('_', '');
  return TIMESTAMP.test(s) || GO_INT.test(plain) || YAML_FLOAT.test(plain) || BASE60_FLOAT.test(s);
}

/** The printable characters of the YAML spec, minus the break that literal blocks carry. */
const isPrintable = (c: string) =>
  /[\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd]/u.test(c) || c.codePointAt(0)! > 0xffff;

/** The emitter's analysis (emitterc.go yaml_emitter_analyze_scalar) for block context. */
function scalarStyle(s: string): 'plain' | 'single' | 'double' {
  if (![...s].every((c) => isPrintable(c))) return 'double';
  if (s.startsWith('---') || s.startsWith('...')) return 'single';
  if (s.startsWith(' ') || s.endsWith(' ')) return 'single';
  const first = s[0]!;
  const followedByBlank = (i: number) => i + 1 >= s.length || s[i + 1] === ' ';
  if (',[]{}#&*!|>\'"%@`'.includes(first)) return 'single';
  if ('?:-'.includes(first) && followedByBlank(0)) return 'single';
  for (let i = 1; i < s.length; i++) {
    if (s[i] === ':' && followedByBlank(i)) return 'single';
    if (s[i] === '#' && s[i - 1] === ' ') return 'single';
  }
  return 'plain';
}

const doubleQuoted = (s: string) =>
  `"${[...s]
    .map((c) => {
      const escapes: Record<string, string> = {
        '"': '\\"',
        '\\': '\\\\',
        '\t': '\\t',
        '\r': '\\r',
        '\n': '\\n',
      };
      if (escapes[c]) return escapes[c];
      if (isPrintable(c)) return c;
      const code = c.codePointAt(0)!;
      return code <= 0xff
        ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
        : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    })
    .join('')}"`;

/** go-yaml's best_width: plain and single-quoted scalars break at a space past this column. */
const BEST_WIDTH = 80;

/**
 * Breaks a plain or single-quoted scalar as go-yaml's emitter does: at a space (not one of several)
 * once the line has passed BEST_WIDTH, the space giving way to a line break and `indent`.
 */
function fold(text: string, column: number, indent: string): string {
  let out = '';
  let at = column;
  const chars = [...text];
  chars.forEach((c, i) => {
    const next = chars[i + 1];
    if (c === ' ' && chars[i - 1] !== ' ' && next !== undefined && next !== ' ' && at > BEST_WIDTH) {
      out += `\n${indent}`;
      at = indent.length;
      return;
    }
    out += c;
    at++;
  });
  return out;
}

/**
 * A string scalar as go-yaml writes it, starting at `column`; `indent` is where its continuation
 * lines (a folded scalar's, a literal block's) start.
 */
function scalar(s: string, indent: string, column: number): string {
  if (s.includes('\n') && [...s].every((c) => c === '\n' || isPrintable(c))) {
    const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
    const body = s.endsWith('\n') ? s.slice(0, -1) : s;
    const indicator = s.startsWith(' ') ? '2' : '';
    return `|${indicator}${chomp}\n${body
      .split('\n')
      .map((line) => (line ? indent + line : ''))
      .join('\n')}`;
  }
  if (resolvesToNonString(s)) return doubleQuoted(s);
  const style = scalarStyle(s);
  if (style === 'plain') return fold(s, column, indent);
  if (style === 'single') return fold(`'${s.replaceAll("'", "''")}'`, column, indent);
  return doubleQuoted(s);
}

const isMap = (v: Json): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function inline(v: Json, indent: string, column: number): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return scalar(v, indent, column);
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (isMap(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

/** The lines of a map or sequence whose entries start at `indent`. */
function block(v: Json, indent: string): string[] {
  const lines: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      const simple = inline(item, `${indent}  `, indent.length + 2);
      if (simple !== undefined) {
        lines.push(`${indent}- ${simple}`);
        continue;
      }
      const inner = block(item, `${indent}  `);
      // The first line of the item shares the dash's line.
      lines.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
    }
    return lines;
  }
  for (const key of Object.keys(v as object).sort()) {
    const value = (v as Record<string, Json>)[key]!;
    const name = scalar(key, indent, indent.length);
    const simple = inline(value, `${indent}  `, indent.length + [...name].length + 2);
    if (simple !== undefined) lines.push(`${indent}${name}: ${simple}`);
    else lines.push(`${indent}${name}:`, ...block(value, Array.isArray(value) ? indent : `${indent}  `));
  }
  return lines;
}

/** toGoYaml writes a JSON value as `kubectl -o yaml` prints it, ending with a newline. */
export function toGoYaml(value: unknown): string {
  const v = JSON.parse(JSON.stringify(value)) as Json;
  const simple = inline(v, '', 0);
  return `${simple ?? block(v, '').join('\n')}\n`;
}

/** A JSON value with every map's keys in sorted order, as Go writes a decoded object's maps. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

/**
 * goJson writes a JSON value as Go's encoding/json does for a decoded object: map keys sorted, and
 * <, > and & escaped; `indent` spaces per level (json.MarshalIndent), or compact.
 */
export function goJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortedKeys(value), null, indent)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026');
}

/** toGoJson writes a JSON value as `kubectl -o json` prints it: sorted keys, 4 spaces, a newline. */
export const toGoJson = (value: unknown): string => `${goJson(value, 4)}\n`;
