import { describe, expect, it } from 'vitest';
import { intOrPercent, scaledValueFromIntOrPercent } from './intstr.ts';

describe('int-or-percent values', () => {
  it('reads counts and percentages', () => {
    expect(intOrPercent(3)).toEqual({ value: 3, percent: false });
    expect(intOrPercent('25%')).toEqual({ value: 25, percent: true });
    expect(intOrPercent('25')).toBeUndefined();
  });

  it('scales percentages the way a rolling update does', () => {
    expect(scaledValueFromIntOrPercent('25%', 10, true)).toBe(3);
    expect(scaledValueFromIntOrPercent('25%', 10, false)).toBe(2);
    expect(scaledValueFromIntOrPercent(1, 10, false)).toBe(1);
    expect(() => scaledValueFromIntOrPercent('many', 10, true)).toThrow('invalid value for IntOrString');
  });
});
