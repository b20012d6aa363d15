/**
 * Building blocks for the API's zod schemas. Every Kubernetes struct is a strict object (so a
 * misspelt field is an "unknown field", as with kube-apiserver's strict decoding) registered
 * under its OpenAPI definition name, so `z.toJSONSchema` emits `$ref`s to named definitions and
 * `kubectl explain` can show `<[]Container>` rather than `<[]Object>`.
 *
 * Field optionality follows the Go types: most fields are optional; fields Kubernetes' OpenAPI
 * marks required are required here too, and the decoder reports a missing one as
 * `<path>: Required value` (what Kubernetes' validation says for them).
 */
import { z } from 'zod';
import { quantityError } from './quantity.ts';

/** The Go type names used in decode errors ("... of type int32"), keyed by base schema. */
const goTypes = new WeakMap<z.core.$ZodType, string>();

function withGoType<T extends z.core.$ZodType>(schema: T, goType: string): T {
  goTypes.set(schema, goType);
  return schema;
}

/** Walks `.meta()` clones back to the schema they were made from. */
function* lineage(schema: z.core.$ZodType): Generator<z.core.$ZodType> {
  for (let s: z.core.$ZodType | undefined = schema; s; s = s._zod.parent) yield s;
}

/** definitionName returns the OpenAPI definition name a struct schema was registered under. */
export function definitionName(schema: z.core.$ZodType): string | undefined {
  for (const s of lineage(schema)) {
    const id = z.globalRegistry.get(s)?.id;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** goTypeName spells a schema's Go type as encoding/json would: `[]v1.Container`, `map[string]string`. */
export function goTypeName(schema: z.core.$ZodType): string {
  for (const s of lineage(schema)) {
    const known = goTypes.get(s);
    if (known) return known;
  }
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return goTypeName(def.innerType as z.core.$ZodType);
    case 'array':
      return `[]${goTypeName(def.element as z.core.$ZodType)}`;
    case 'record':
      return `map[string]${goTypeName(def.valueType as z.core.$ZodType)}`;
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int64';
    case 'object': {
      const id = definitionName(schema);
      // io.k8s.api.core.v1.Container -> v1.Container
      return id ? id.split('.').slice(-2).join('.') : 'struct';
    }
    default:
      return 'interface {}';
  }
}

/**
 * decodeIssue marks a check that Kubernetes makes while decoding JSON (not in validation): its
 * failure is a 400 "cannot be handled as a Pod: <message>" rather than a 422 field error.
 */
function decodeIssue(ctx: z.core.$RefinementCtx, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { decode: true } });
}

// Scalars.

export const str = z.string();
export const int32 = withGoType(z.int32(), 'int32');
export const int64 = withGoType(z.int().meta({ format: 'int64' }), 'int64');
export const bool = z.boolean();
export const strings = z.array(z.string());
export const stringMap = z.record(z.string(), z.string());

export function listOf<T extends z.core.$ZodType>(item: T) {
  return z.array(item);
}

export function mapOf<T extends z.core.$ZodType>(value: T) {
  return z.record(z.string(), value);
}

/** opaque accepts any JSON object: for volume sources this lab stores but never acts on. */
export const opaque = z.record(z.string(), z.unknown());

/**
 * Quantity: "100m", "1Gi", or a bare JSON number. Invalid text fails at decode time with
 * Kubernetes' regular-expression message.
 */
export const Quantity = withGoType(
  z
    .union([z.string(), z.number()])
    .superRefine((v, ctx) => {
      const err = quantityError(v);
      if (err) decodeIssue(ctx, err);
    })
    .meta({
      id: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
      description: 'A fixed-point number with an optional suffix: 100m, 0.5, 1Gi, 512Mi, 1e3.',
    }),
  'resource.Quantity',
);

/** IntOrString: a port number or name, or a count or percentage. Go reports its int side as int32. */
export const IntOrString = withGoType(
  z.union([z.int32(), z.string()]).meta({
    id: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    description: 'Either a 32-bit integer or a string.',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  }),
  'int32',
);

const rfc3339Layout = '2006-01-02T15:04:05Z07:00';

/**
 * timeParseError mimics Go's time.Parse(RFC3339) error for a bad timestamp, naming the first
 * element of the layout that did not match: `cannot parse "x" as "2006"`.
 */
function timeParseError(value: string): string | undefined {
  const steps: [RegExp, string][] = [
    [/^\d{4}/, '2006'],
    [/^-/, '-'],
    [/^\d{2}/, '01'],
    [/^-/, '-'],
    [/^\d{2}/, '02'],
    [/^T/, 'T'],
    [/^\d{2}/, '15'],
    [/^:/, ':'],
    [/^\d{2}/, '04'],
    [/^:/, ':'],
    [/^\d{2}(\.\d+)?/, '05'],
    [/^(Z|[+-]\d{2}:\d{2})$/, 'Z07:00'],
  ];
  const prefix = `parsing time ${JSON.stringify(value)} as ${JSON.stringify(rfc3339Layout)}`;
  let rest = value;
  for (const [pattern, element] of steps) {
    const m = pattern.exec(rest);
    if (!m) return `${prefix}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(element)}`;
    rest = rest.slice(m[0].length);
  }
  const [, month, day, hour, minute, second] = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/
    .exec(value)!
    .map(Number);
  if (month! < 1 || month! > 12) return `${prefix}: month out of range`;
  if (day! < 1 || day! > 31) return `${prefix}: day out of range`;
  if (hour! > 23) return `${prefix}: hour out of range`;
  if (minute! > 59) return `${prefix}: minute out of range`;
  if (second! > 59) return `${prefix}: second out of range`;
  return undefined;
}

function timestamp(id: string, description: string) {
  return withGoType(
    z
      .string()
      .superRefine((v, ctx) => {
        const err = timeParseError(v);
        if (err) decodeIssue(ctx, err);
      })
      .meta({ id, description, format: 'date-time' }),
    'string',
  );
}

/** Time: an RFC 3339 timestamp with second precision, e.g. 2025-01-02T03:04:05Z. */
export const Time = timestamp(
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'An RFC 3339 timestamp, serialized with second precision.',
);

/** MicroTime: an RFC 3339 timestamp with microseconds, used by events and leases. */
export const MicroTime = timestamp(
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'An RFC 3339 timestamp with microsecond precision.',
);

/**
 * base64Error is Go's error for standard base64 with padding (newlines ignored), reported at
 * the same byte offset: "illegal base64 data at input byte 4".
 */
export function base64Error(text: string): string | undefined {
  const src = Buffer.from(text, 'utf8');
  const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;
  const isAlphabet = (b: number) =>
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2b ||
    b === 0x2f;
  const fail = (at: number) => `illegal base64 data at input byte ${at}`;
  let si = 0;
  while (si < src.length) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        return j === 0 ? undefined : fail(si - j);
      }
      const b = src[si++]!;
      if (isAlphabet(b)) continue;
      if (isNewline(b)) {
        j--;
        continue;
      }
      if (b !== 0x3d || j < 2) return fail(si - 1);
      if (j === 2) {
        while (isNewline(src[si])) si++;
        if (si === src.length) return fail(src.length);
        if (src[si] !== 0x3d) return fail(si - 1);
        si++;
      }
      while (isNewline(src[si])) si++;
      return si < src.length ? fail(si) : undefined;
    }
  }
  return undefined;
}

/** Bytes: a []byte field, base64 in JSON (Secret and ConfigMap binary data). */
export const Bytes = withGoType(
  z
    .string()
    .superRefine((v, ctx) => {
      const err = base64Error(v);
      if (err) decodeIssue(ctx, err);
    })
    .meta({ format: 'byte' }),
  '[]uint8',
);

// Fields.

/** optional declares an optional field with its `kubectl explain` description. */
export function optional<T extends z.ZodType>(schema: T, description: string) {
  return schema.meta({ description }).optional();
}

/** required declares a field Kubernetes' OpenAPI marks required. */
export function required<T extends z.ZodType>(schema: T, description: string) {
  return schema.meta({ description });
}

/**
 * always declares a non-pointer Go struct field: when the JSON leaves it out, Go decodes the zero
 * value and always serializes it back, which is why a new Service reads back with
 * `status: {loadBalancer: {}}` and every container with `resources: {}`. The empty object is
 * parsed through the schema, so its own zero-value fields and required fields apply too.
 */
export function always<T extends z.ZodType>(schema: T, description: string) {
  return schema.meta({ description }).prefault({} as z.input<T>);
}

/** zero declares a scalar Go field without omitempty, serialized even when it is zero (`replicas: 0`). */
export function zero<T extends z.ZodType>(
  schema: T,
  value: z.core.util.NoUndefined<z.output<T>>,
  description: string,
) {
  return schema.meta({ description }).default(value);
}

/**
 * apiPackage names structs after their Go package, as Kubernetes' OpenAPI does:
 * `apiPackage('io.k8s.api.core.v1').struct('Container', ...)` -> definition io.k8s.api.core.v1.Container.
 */
export function apiPackage(pkg: string) {
  return {
    struct<S extends z.core.$ZodLooseShape>(name: string, description: string, shape: S) {
      return z.strictObject(shape).meta({ id: `${pkg}.${name}`, description });
    },
    /** kind declares a top-level object; the extension lets kubectl find its schema by group/version/kind. */
    kind<S extends z.core.$ZodLooseShape>(
      gvk: { group: string; version: string; kind: string },
      description: string,
      shape: S,
    ) {
      return z.strictObject(shape).meta({
        id: `${pkg}.${gvk.kind}`,
        description,
        'x-kubernetes-group-version-kind': [gvk],
      });
    },
  };
}
