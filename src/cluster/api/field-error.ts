/**
 * Field errors: what validation returns, shaped and worded like apimachinery's field.Error so a
 * learner sees the same text a real API server prints, e.g.
 *   spec.containers[0].image: Required value
 *   metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of ...
 */

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  /** The cause reason Kubernetes puts in Status details. */
  readonly type: FieldErrorType;
  /** Path of the field, e.g. `spec.containers[0].ports[1].containerPort`. */
  readonly field: string;
  /** The message without the field, e.g. `Invalid value: 0: must be between 1 and 65535, inclusive`. */
  readonly message: string;
  readonly badValue?: unknown;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/**
 * GoValue carries the text Go's `%#v` would print for a value that has no natural JSON-to-Go
 * spelling, such as `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`.
 */
export class GoValue {
  constructor(
    readonly value: unknown,
    readonly text: string,
  ) {}
}

/** Types whose message never shows the bad value (as in field.Error.ErrorBody). */
const valueless = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

function make(
  type: FieldErrorType,
  field: string,
  badValue: unknown,
  detail: string,
  showValue = true,
): FieldError {
  let message = typeText[type];
  if (showValue && !valueless.has(type)) message += `: ${goValueText(badValue)}`;
  if (detail) message += `: ${detail}`;
  const value = badValue instanceof GoValue ? badValue.value : badValue;
  return value === undefined ? { type, field, message } : { type, field, message, badValue: value };
}

export function required(field: string, detail = ''): FieldError {
  return make('FieldValueRequired', field, undefined, detail);
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return make('FieldValueInvalid', field, value, detail);
}

/** notSupported lists the accepted values in the order given, as Kubernetes does. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return make('FieldValueNotSupported', field, value, detail);
}

export function duplicate(field: string, value: unknown, detail = ''): FieldError {
  return make('FieldValueDuplicate', field, value, detail);
}

export function notFound(field: string, value: unknown): FieldError {
  return make('FieldValueNotFound', field, value, '');
}

export function forbidden(field: string, detail: string): FieldError {
  return make('FieldValueForbidden', field, undefined, detail);
}

export function tooLong(field: string, maxLength: number): FieldError {
  return make(
    'FieldValueTooLong',
    field,
    undefined,
    `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`,
  );
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return make('FieldValueTooMany', field, actual, `must have at most ${max} items`, actual >= 0);
}

/** fieldErrorString is field.Error.Error(): `spec.replicas: Invalid value: -1: must be ...`. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${e.message}`;
}

/**
 * aggregateMessage joins errors like utilerrors.Aggregate: one error alone, several in brackets,
 * identical messages once.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = [...new Set(errors.map(fieldErrorString))];
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`;
}

/**
 * invalidMessage is the Status message of a 422 Invalid response:
 * `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 */
export function invalidMessage(
  kind: string,
  group: string,
  name: string,
  errors: readonly FieldError[],
): string {
  const qualified = group ? `${kind}.${group}` : kind;
  const head = `${qualified} ${goQuote(name)} is invalid`;
  return errors.length ? `${head}: ${aggregateMessage(errors)}` : head;
}

/** statusCauses turns field errors into Status details.causes. */
export function statusCauses(
  errors: readonly FieldError[],
): { reason: string; message: string; field: string }[] {
  return errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
}

// Field paths, spelled as field.Path prints them.

export function child(path: string, ...names: string[]): string {
  return [path, ...names].filter(Boolean).join('.');
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

// Go value rendering.

/** goQuote is Go's %q for a string (close enough for the printable text that reaches an error). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** goValueText prints a bad value the way field.Error.ErrorBody does for the common Go types. */
export function goValueText(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStringSlice(v);
  if (isStringMap(v)) return goStringMap(v);
  return JSON.stringify(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string')
  );
}

/** `[]string{"a", "b"}`, or `[]string(nil)` for a missing list. */
export function goStringSlice(v: readonly string[] | undefined): string {
  return v ? `[]string{${v.map(goQuote).join(', ')}}` : '[]string(nil)';
}

/** `map[string]string{"a":"1", "b":"2"}` with sorted keys, as fmt prints maps. */
export function goStringMap(v: Readonly<Record<string, string>> | undefined): string {
  if (!v) return 'map[string]string(nil)';
  const entries = Object.keys(v)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(v[k]!)}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}` for an int-or-string value. */
export function goIntOrString(v: number | string | undefined): GoValue {
  const text =
    typeof v === 'string'
      ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`
      : `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`;
  return new GoValue(v, text);
}

/** `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}` for a label selector. */
export function goLabelSelector(
  s:
    | {
        matchLabels?: Record<string, string> | undefined;
        matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
      }
    | undefined,
): GoValue {
  const exprs = s?.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStringSlice(e.values)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(
    s,
    `v1.LabelSelector{MatchLabels:${goStringMap(s?.matchLabels)}, MatchExpressions:${exprs}}`,
  );
}
