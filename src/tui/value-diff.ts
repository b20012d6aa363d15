/** One change between two revisions of a stored object, at one field path. */
export interface FieldChange {
  readonly op: '+' | '-' | '~';
  /** metadata.labels.tier, spec.containers[0].image; "" for a value that is not a JSON object. */
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

/** Every leaf of a JSON value by its path; empty maps and lists are leaves too ({} and []). */
function leaves(value: unknown, path: string, into: Map<string, string>): Map<string, string> {
  const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v])
    : isMap
      ? Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v])
      : [];
  if (entries.length === 0) into.set(path, JSON.stringify(value));
  for (const [p, v] of entries) leaves(v, p, into);
  return into;
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * valueDiff compares two stored values field by field, as a learner reads a write: what it
 * added (+), removed (-) and changed (~ before → after), in path order. The API server stores
 * objects as JSON; a value that is not JSON compares as one field.
 *
 *   {"metadata":{"labels":{"run":"web"}}} → {"metadata":{"labels":{"run":"web","tier":"front"}}}
 *   gives [{ op: '+', path: 'metadata.labels.tier', after: '"front"' }]
 */
export function valueDiff(before: string, after: string): FieldChange[] {
  const old = leaves(parsed(before), '', new Map());
  const now = leaves(parsed(after), '', new Map());
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const [a, b] = [old.get(path), now.get(path)];
    if (a === b) continue;
    if (a === undefined) changes.push({ op: '+', path, after: b });
    else if (b === undefined) changes.push({ op: '-', path, before: a });
    else changes.push({ op: '~', path, before: a, after: b });
  }
  return changes;
}
