import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  ErrFormatWrong,
  ErrSuffix,
  formatQuantity,
  milliValue,
  parseQuantity,
  quantityError,
  quantityFromMilli,
  quantityFromValue,
  roundUpQuantity,
  subtractQuantities,
  value,
} from './quantity.ts';

const q = parseQuantity;

describe('canonical form, as a round trip through kube-apiserver prints it', () => {
  it.each([
    ['100m', '100m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1.5', '1500m'],
    ['2000', '2k'],
    ['0.1', '100m'],
    ['0.0001', '100u'],
    ['1n', '1n'],
    ['1Gi', '1Gi'],
    ['512Mi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1000Mi', '1000Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['129M', '129M'],
    ['1E', '1E'],
    ['-1', '-1'],
    ['-100m', '-100m'],
    ['0', '0'],
    ['00', '0'],
    [' 1Gi ', '1Gi'],
  ])('%j -> %j', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('reads JSON numbers the way their text reads', () => {
    expect(canonicalQuantity(1)).toBe('1');
    expect(canonicalQuantity(0.5)).toBe('500m');
    expect(canonicalQuantity(2.25)).toBe('2250m');
  });

  it('rounds values below a nano-unit up, so asking for some gets some', () => {
    expect(canonicalQuantity('0.0000000001')).toBe('1n');
    expect(canonicalQuantity('-0.0000000001')).toBe('-1n');
  });
});

describe('errors carry Kubernetes messages', () => {
  it.each([
    ['', ErrFormatWrong],
    ['abc', ErrFormatWrong],
    ['1Kb', ErrFormatWrong],
    ['1.2.3', ErrFormatWrong],
    ['1kk', ErrSuffix],
    ['1Ki5', ErrSuffix],
  ])('%j', (input, message) => {
    expect(() => q(input)).toThrow(message);
    expect(quantityError(input)).toBe(message);
  });

  it('names the regular expression in the format error', () => {
    expect(ErrFormatWrong).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('accepts valid values', () => {
    expect(quantityError('250m')).toBeUndefined();
    expect(quantityError(3)).toBeUndefined();
    expect(quantityError(true)).toBe(ErrFormatWrong);
  });
});

describe('arithmetic', () => {
  it('compares across suffixes', () => {
    expect(compareQuantities(q('1Gi'), q('1024Mi'))).toBe(0);
    expect(compareQuantities(q('100m'), q('1'))).toBe(-1);
    expect(compareQuantities(q('1k'), q('999'))).toBe(1);
  });

  it('adds and subtracts, keeping the format of the left side', () => {
    expect(formatQuantity(addQuantities(q('100m'), q('200m')))).toBe('300m');
    expect(formatQuantity(addQuantities(q('1Gi'), q('512Mi')))).toBe('1536Mi');
    expect(formatQuantity(addQuantities(q('0'), q('1Gi')))).toBe('1Gi');
    expect(formatQuantity(subtractQuantities(q('4'), q('250m')))).toBe('3750m');
  });

  it('gives milli-values for CPU and whole values for bytes, rounding up', () => {
    expect(milliValue(q('250m'))).toBe(250);
    expect(milliValue(q('1'))).toBe(1000);
    expect(milliValue(q('100u'))).toBe(1);
    expect(value(q('1Gi'))).toBe(1073741824);
    expect(value(q('500m'))).toBe(1);
  });

  it('builds quantities from counts', () => {
    expect(formatQuantity(quantityFromMilli(1500))).toBe('1500m');
    expect(formatQuantity(quantityFromValue(2 * 1024 ** 3, 'BinarySI'))).toBe('2Gi');
  });

  it('rounds up to milli-units as resource list defaulting does', () => {
    expect(formatQuantity(roundUpQuantity(q('0.0001'), -3))).toBe('1m');
    expect(formatQuantity(roundUpQuantity(q('1.0001'), -3))).toBe('1001m');
  });
});
