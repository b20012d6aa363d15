import type { FieldMatcher } from './schema.ts';

/**
 * The values at a JSONPath-like path, kubectl's `-o jsonpath` subset that lessons need:
 * `.a.b`, `[n]` (negative counts from the end), `[*]`, and filters `[?(@.type=="Ready")]`.
 * A path can reach several values (through `[*]` or a filter), so the answer is a list.
 *
 *   valuesAt(pod, '.status.conditions[?(@.type=="Ready")].status')  // ['True']
 */
export function valuesAt(root: unknown, path: string): unknown[] {
  let values: unknown[] = [root];
  for (const segment of parsePath(path)) values = values.flatMap((value) => step(value, segment));
  return values;
}

type Segment =
  | { readonly field: string }
  | { readonly index: number }
  | { readonly all: true }
  | { readonly filter: { readonly field: string; readonly value: string } };

const SEGMENT =
  /^(?:\.([^.[\]]+)|\[(-?\d+)\]|\[\*\]|\[(?:"([^"]+)"|'([^']+)')\]|\[\?\(@\.([^=!]+)==(?:"([^"]*)"|'([^']*)'|([^)]*))\)\])/;

/** `.a`, `["a.b"]`, `[0]`, `[*]` and `[?(@.k=="v")]` segments, in order. */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let rest = path.startsWith('.') || path.startsWith('[') ? path : `.${path}`;
  while (rest) {
    const m = SEGMENT.exec(rest);
    if (!m) throw new Error(`bad path ${path} at ${rest}`);
    const field = m[1] ?? m[3] ?? m[4];
    if (field !== undefined) segments.push({ field });
    else if (m[2] !== undefined) segments.push({ index: Number(m[2]) });
    else if (m[5] !== undefined)
      segments.push({ filter: { field: m[5], value: m[6] ?? m[7] ?? m[8] ?? '' } });
    else segments.push({ all: true });
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** Whether `path` parses. */
export function isPath(path: string): boolean {
  try {
    parsePath(path);
    return true;
  } catch {
    return false;
  }
}

function step(value: unknown, segment: Segment): unknown[] {
  if ('field' in segment) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    const found = (value as Record<string, unknown>)[segment.field];
    return found === undefined ? [] : [found];
  }
  if (!Array.isArray(value)) return [];
  if ('index' in segment) {
    const found = value.at(segment.index);
    return found === undefined ? [] : [found];
  }
  if ('all' in segment) return value;
  const { field, value: wanted } = segment.filter;
  return value.filter((item) => valuesAt(item, field).some((v) => String(v) === wanted));
}

/**
 * Whether some value at the matcher's path satisfies it; `found` says what was there instead
 * (undefined: nothing was).
 */
export function matchField(obj: unknown, matcher: FieldMatcher): { ok: boolean; found?: string } {
  const values = valuesAt(obj, matcher.path);
  const ok = values.some((value) => {
    if (matcher.equals !== undefined)
      return value === matcher.equals || String(value) === String(matcher.equals);
    if (matcher.matches !== undefined) return new RegExp(matcher.matches).test(String(value));
    // Numbers in strings count too: resourceVersion is a revision written as a string.
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value !== ''
          ? Number(value)
          : Number.NaN;
    return n >= (matcher.atLeast ?? 0);
  });
  if (!values.length) return { ok };
  return { ok, found: values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') };
}
