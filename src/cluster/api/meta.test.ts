import { describe, expect, it } from 'vitest';
import { goDuration } from './meta.ts';

describe('goDuration', () => {
  it("prints a window as Go's time.Duration does", () => {
    expect(goDuration(15_012)).toBe('15.012s');
    expect(goDuration(15_000)).toBe('15s');
    expect(goDuration(1_500)).toBe('1.5s');
    expect(goDuration(500)).toBe('500ms');
    expect(goDuration(75_000)).toBe('1m15s');
    expect(goDuration(3_600_000)).toBe('1h0m0s');
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(300_000)).toBe('5m0s');
    expect(goDuration(160_000)).toBe('2m40s');
  });
});
