/**
 * Decoding: turning a request body into a typed object, with the errors kube-apiserver's JSON
 * decoder gives, because kubectl prints them verbatim:
 *
 *   400  Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go
 *        struct field PodSpec.spec.containers of type []v1.Container
 *   400  Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"
 *   422  spec.containers[0].name: Required value        (a required field that is missing)
 *
 * Unknown fields follow the request's fieldValidation: Strict fails, Warn drops them and
 * returns `unknown field "spec.foo"` warnings, Ignore drops them silently.
 */
import type { z } from 'zod';
import * as field from './field-error.ts';
import { ErrFormatWrong } from './quantity.ts';
import { definitionName, goTypeName } from './schema.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export type DecodeResult<T> =
  | { readonly ok: true; readonly object: T; readonly warnings: string[] }
  | { readonly ok: false; readonly reason: 'BadRequest'; readonly message: string }
  | { readonly ok: false; readonly reason: 'Invalid'; readonly errors: field.FieldError[] };

export interface DecodeTarget<T> {
  readonly schema: z.ZodType<T>;
  /** The kind and version named in error messages ("Deployment", "v1"). */
  readonly kind: string;
  readonly version: string;
}

type Path = readonly PropertyKey[];

/**
 * decode parses `raw` (already JSON-parsed) into the target's type. JSON nulls on object fields
 * mean "not set", as they do for Go's decoder, so `creationTimestamp: null` in a manifest is fine.
 */
export function decode<T>(
  target: DecodeTarget<T>,
  raw: unknown,
  fieldValidation: FieldValidation,
): DecodeResult<T> {
  const input = dropNulls(raw);
  const first = target.schema.safeParse(input, { reportInput: true });
  if (first.success) return { ok: true, object: first.data, warnings: [] };

  const order = documentOrder(input);
  const issues = [...first.error.issues].sort((a, b) => position(order, a.path) - position(order, b.path));
  const cannotHandle = (message: string) =>
    ({
      ok: false,
      reason: 'BadRequest',
      message: `${target.kind} in version ${field.goQuote(target.version)} cannot be handled as a ${target.kind}: ${message}`,
    }) as const;

  // Go's decoder reports the first value it could not decode, in document order.
  const broken = issues.find((i) => i.code !== 'unrecognized_keys' && !isMissing(i));
  if (broken) return cannotHandle(decodeMessage(target.schema, broken));

  const unknown = unknownFields(target.schema, issues, order);
  if (unknown.length > 0 && fieldValidation === 'Strict') {
    return cannotHandle(`strict decoding error: ${unknown.map((u) => u.message).join(', ')}`);
  }
  if (unknown.length === 0)
    return { ok: false, reason: 'Invalid', errors: missingFields(target.schema, issues) };

  for (const u of unknown) deleteAt(input, u.path);
  const second = target.schema.safeParse(input, { reportInput: true });
  if (!second.success) {
    return { ok: false, reason: 'Invalid', errors: missingFields(target.schema, second.error.issues) };
  }
  const warnings = fieldValidation === 'Warn' ? unknown.map((u) => u.message) : [];
  return { ok: true, object: second.data, warnings };
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.input === undefined;
}

function missingFields(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[]): field.FieldError[] {
  return issues.filter(isMissing).map((i) => field.required(walk(schema, i.path).kubePath));
}

function unknownFields(
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
  order: Map<string, number>,
) {
  const found = issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k] as const) : [],
  );
  found.sort((a, b) => position(order, a) - position(order, b));
  return found.map((path) => ({
    path,
    message: `unknown field ${field.goQuote(walk(schema, path).kubePath)}`,
  }));
}

/** decodeMessage words one decoding failure as Go's encoding/json (or the type's own decoder) does. */
function decodeMessage(schema: z.core.$ZodType, issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom' && issue.params?.decode) return issue.message;
  const at = walk(schema, issue.path);
  if (at.goType === 'resource.Quantity') return ErrFormatWrong;
  const what = jsonValueText(issue.input, at.goType);
  const into =
    at.struct && at.goFields.length ? `Go struct field ${at.struct}.${at.goFields.join('.')}` : 'Go value';
  return `json: cannot unmarshal ${what} into ${into} of type ${at.goType}`;
}

/** jsonValueText is UnmarshalTypeError.Value: the JSON type, plus the literal for a number that did not fit. */
function jsonValueText(input: unknown, goType: string): string {
  if (Array.isArray(input)) return 'array';
  if (input === null) return 'null';
  if (typeof input === 'number') return /^u?int/.test(goType) ? `number ${input}` : 'number';
  if (typeof input === 'boolean') return 'bool';
  return typeof input;
}

interface Location {
  /** Kubernetes' field path: spec.containers[0].env[2].name, data[key]. */
  kubePath: string;
  /** Innermost Go struct holding the last named field, e.g. "Container". */
  struct: string | undefined;
  /** Names of the fields from the root, without indices or map keys (Go's FieldStack). */
  goFields: string[];
  goType: string;
}

/** walk follows a zod issue path through the schema to name it the way Kubernetes and Go do. */
function walk(root: z.core.$ZodType, path: Path): Location {
  let schema: z.core.$ZodType | undefined = root;
  let kubePath = '';
  let struct: string | undefined;
  const goFields: string[] = [];
  for (const segment of path) {
    const s = unwrap(schema);
    const def = s?._zod.def as (z.core.$ZodTypeDef & Record<string, unknown>) | undefined;
    if (def?.type === 'object') {
      const name = String(segment);
      struct = (definitionName(s!) ?? '').split('.').pop() || struct;
      goFields.push(name);
      kubePath = field.child(kubePath, name);
      const shape = def.shape as Record<string, z.core.$ZodType>;
      schema = Object.hasOwn(shape, name) ? shape[name] : undefined;
    } else if (def?.type === 'array') {
      kubePath = field.index(kubePath, Number(segment));
      schema = def.element as z.core.$ZodType;
    } else if (def?.type === 'record') {
      kubePath = field.key(kubePath, String(segment));
      schema = def.valueType as z.core.$ZodType;
    } else {
      kubePath =
        typeof segment === 'number' ? field.index(kubePath, segment) : field.child(kubePath, String(segment));
      schema = undefined;
    }
  }
  return { kubePath, struct, goFields, goType: schema ? goTypeName(schema) : 'interface {}' };
}

/** unwrap looks through optional, default and prefault wrappers to the schema they hold. */
function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  while (s) {
    const def = s._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    if (
      def.type === 'optional' ||
      def.type === 'default' ||
      def.type === 'prefault' ||
      def.type === 'nullable'
    ) {
      s = def.innerType as z.core.$ZodType;
    } else {
      return s;
    }
  }
  return undefined;
}

/**
 * dropNulls copies a JSON value, leaving out object fields that are null. Fields are defined
 * rather than assigned, so a "__proto__" key stays an (unknown) field instead of a prototype.
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null)
      Object.defineProperty(out, k, {
        value: dropNulls(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function deleteAt(root: unknown, path: Path): void {
  let node = root as Record<PropertyKey, unknown> | undefined;
  for (const segment of path.slice(0, -1)) node = node?.[segment] as Record<PropertyKey, unknown> | undefined;
  if (node) delete node[path.at(-1)!];
}

/** documentOrder numbers every path of a JSON value depth-first, so errors can be reported in reading order. */
function documentOrder(value: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const visit = (v: unknown, path: PropertyKey[]) => {
    order.set(pathKey(path), order.size);
    if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) visit(child, [...path, Array.isArray(v) ? Number(k) : k]);
    }
  };
  visit(value, []);
  return order;
}

function position(order: Map<string, number>, path: Path): number {
  return order.get(pathKey(path)) ?? Number.MAX_SAFE_INTEGER;
}

function pathKey(path: Path): string {
  return JSON.stringify(path.map(String));
}
