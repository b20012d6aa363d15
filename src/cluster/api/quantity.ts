/**
 * Quantities: the fixed-point numbers Kubernetes uses for resources ("100m" CPU, "512Mi" memory),
 * parsed, compared, added and printed the way apimachinery's resource.Quantity does it.
 *
 * A quantity is kept as an exact count of nano-units (10^-9) in a bigint. Kubernetes rounds every
 * parsed value up to the nano scale, so nothing finer ever exists and arithmetic stays exact.
 *
 * The suffix decides how a quantity is printed back:
 *   "1.5Gi"  -> BinarySI        -> "1536Mi"   (largest binary suffix that keeps an integer)
 *   "0.5"    -> DecimalSI       -> "500m"     (largest SI suffix that keeps an integer)
 *   "1500e3" -> DecimalExponent -> "1500e3"   (exponent kept a multiple of 3)
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  readonly nanos: bigint;
  /** How the value is printed; taken from the suffix it was written with. */
  readonly format: QuantityFormat;
}

/** Kubernetes' own messages for a string that is not a quantity. */
export const ErrFormatWrong =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ErrNumeric = 'unable to parse numeric part of quantity';
export const ErrSuffix = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

const NANO = 1_000_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;
/** Beyond this decimal exponent a bigint of nanos would be absurdly large; Kubernetes accepts it, we refuse. */
const MAX_EXPONENT = 300;

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

interface SuffixMeaning {
  base: 10 | 2;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(suffix: string): SuffixMeaning | undefined {
  const dec = decimalSuffixes[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exp = suffix.slice(1);
    if (!/^[-+]?[0-9]+$/.test(exp)) return undefined;
    const exponent = Number(exp);
    if (!Number.isSafeInteger(exponent)) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

interface QuantityParts {
  positive: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

/**
 * splitQuantity walks the string the way apimachinery's parseQuantityString does: sign, leading
 * zeros, whole digits, optional "." and fraction digits, then suffix letters and an optional
 * signed exponent. Anything left over is a format error.
 */
function splitQuantity(str: string): QuantityParts {
  let pos = 0;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] !== '-';
    pos++;
  }
  while (str[pos] === '0') pos++;
  const wholeStart = pos;
  while (pos < str.length && isDigit(str[pos]!)) pos++;
  const whole = str.slice(wholeStart, pos) || '0';
  let fraction = '';
  if (str[pos] === '.') {
    pos++;
    const fractionStart = pos;
    while (pos < str.length && isDigit(str[pos]!)) pos++;
    fraction = str.slice(fractionStart, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < str.length && isDigit(str[pos]!)) pos++;
  if (pos < str.length) throw new QuantityError(ErrFormatWrong);
  return { positive, whole, fraction, suffix: str.slice(suffixStart) };
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Divides rounding away from zero, as Kubernetes rounds "up" to keep a requested resource non-zero. */
function divideAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

/**
 * parseQuantity reads a quantity from its JSON form. Numbers are accepted as well as strings,
 * because manifests often say `cpu: 1` and Kubernetes parses the number's text.
 * Throws QuantityError with Kubernetes' message when the text is not a quantity.
 */
export function parseQuantity(input: string | number): Quantity {
  const str = (typeof input === 'number' ? numberText(input) : input).trim();
  if (str.length === 0) throw new QuantityError(ErrFormatWrong);
  if (str === '0') return { nanos: 0n, format: 'DecimalSI' };

  const parts = splitQuantity(str);
  const meaning = interpretSuffix(parts.suffix);
  if (!meaning) throw new QuantityError(ErrSuffix);
  if (Math.abs(meaning.exponent) > MAX_EXPONENT) throw new QuantityError(ErrNumeric);

  let digits = BigInt(parts.whole + parts.fraction);
  let scale = -parts.fraction.length + 9; // power of ten that turns `digits` into nanos
  if (meaning.base === 10) scale += meaning.exponent;
  else digits *= 2n ** BigInt(meaning.exponent);

  let nanos = scale >= 0 ? digits * 10n ** BigInt(scale) : divideAwayFromZero(digits, 10n ** BigInt(-scale));
  let format = meaning.format;
  if (format === 'BinarySI') {
    if (nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO;
    // Binary suffixes cannot show a value below one, so such values print as DecimalSI.
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
  }
  return { nanos: parts.positive ? nanos : -nanos, format };
}

/** numberText spells a JSON number the way it would appear in the request body. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(ErrFormatWrong);
  // String(1e21) is "1e+21"; a quantity exponent may carry a sign, so that parses too.
  return String(n);
}

/** quantityError returns Kubernetes' parse error for a value, or undefined when it is a valid quantity. */
export function quantityError(input: unknown): string | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return ErrFormatWrong;
  try {
    parseQuantity(input);
    return undefined;
  } catch (err) {
    if (err instanceof QuantityError) return err.message;
    throw err;
  }
}

/**
 * formatQuantity prints the canonical form, which is what the API server returns after a write:
 * "1024Mi" -> "1Gi", "0.5" -> "500m", "1000m" -> "1". Binary quantities print in binary only when
 * they are whole numbers of at least 1024; otherwise they fall back to decimal so nothing is lost.
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.nanos < 0n ? -q.nanos : q.nanos;
    if (abs < 1024n * NANO || q.nanos % NANO !== 0n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let value = q.nanos / NANO;
    let power = 0;
    while (power < binarySuffixByPower.length - 1 && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${value}${binarySuffixByPower[power]}`;
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // Move down to a multiple of three so an SI suffix (or a readable exponent) fits.
  const shift = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(shift);
  exponent -= shift;
  if (format === 'DecimalSI') {
    const suffix = decimalSuffixByExponent.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/** canonicalQuantity parses and prints back, as a round trip through the API server does. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.nanos === b.nanos) return 0;
  return a.nanos < b.nanos ? -1 : 1;
}

/** addQuantities keeps the left side's format, unless the left side is zero (as Quantity.Add does). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** roundUpQuantity rounds away from zero to a multiple of 10^scale (scale -3 means milli-units). */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  const step = 10n ** BigInt(scale + 9);
  return { nanos: divideAwayFromZero(q.nanos, step) * step, format: q.format };
}

/** milliValue is the value in thousandths, rounded away from zero: CPU "250m" -> 250, "1" -> 1000. */
export function milliValue(q: Quantity): number {
  return Number(divideAwayFromZero(q.nanos, 1_000_000n));
}

/** value is the whole value, rounded away from zero: memory "1Gi" -> 1073741824 bytes. */
export function value(q: Quantity): number {
  return Number(divideAwayFromZero(q.nanos, NANO));
}

export function quantityFromMilli(milli: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(Math.trunc(milli)) * 1_000_000n, format };
}

export function quantityFromValue(n: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(Math.trunc(n)) * NANO, format };
}

export const zeroQuantity: Quantity = { nanos: 0n, format: 'DecimalSI' };
