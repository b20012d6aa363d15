import { describe, expect, it } from 'vitest';
import { humanDuration, parseTimestamp, shortHumanDuration, translateTimestampSince } from './duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 3 * s, '2m3s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 30 * m, '3h30m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [3 * y + 12 * d, '3y12d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [42 * y + 100 * d, '42y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [59 * s, '59s'],
    [60 * s, '1m'],
    [59 * m + 59 * s, '59m'],
    [23 * h + 59 * m, '23h'],
    [364 * d, '364d'],
    [365 * d, '1y'],
    [3 * y + 200 * d, '3y'],
  ])('%d ms is %s', (ms, text) => {
    expect(shortHumanDuration(ms)).toBe(text);
  });
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it('measures from a Time or a MicroTime to now', () => {
    expect(translateTimestampSince('2024-05-01T11:57:55Z', now)).toBe('2m5s');
    expect(translateTimestampSince('2024-05-01T11:59:59.123456Z', now)).toBe('0s');
    expect(translateTimestampSince('2024-04-28T12:00:00Z', now)).toBe('3d');
  });

  it('prints <unknown> without a timestamp, Go zero time included', () => {
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
    expect(translateTimestampSince('', now)).toBe('<unknown>');
    expect(translateTimestampSince('0001-01-01T00:00:00Z', now)).toBe('<unknown>');
  });

  it('prints <invalid> for a timestamp in the future beyond clock skew', () => {
    expect(translateTimestampSince('2024-05-01T12:00:05Z', now)).toBe('<invalid>');
  });

  it('reads timestamps with offsets', () => {
    expect(parseTimestamp('2024-05-01T14:00:00+02:00')).toBe(Date.parse('2024-05-01T12:00:00Z'));
  });
});
