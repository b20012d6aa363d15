import { describe, expect, it } from 'vitest';
import { goDuration } from '../api/meta.ts';
import { FakeClock } from '../clock/fake-clock.ts';
import { BackOff } from './backoff.ts';

describe('BackOff', () => {
  it('lets the first crash restart at once, then doubles the wait up to the cap', () => {
    const clock = new FakeClock(1_000_000);
    const backOff = new BackOff({ initialMs: 10_000, maxMs: 40_000 }, clock);
    const key = 'web_default_uid_web';
    expect(backOff.isInBackOffSince(key, clock.now())).toBe(false);
    backOff.next(key, clock.now());
    clock.step(1000);
    expect(backOff.isInBackOffSince(key, clock.now())).toBe(true);
    expect(goDuration(backOff.get(key))).toBe('10s');
    clock.step(10_000);
    expect(backOff.isInBackOffSince(key, clock.now() - 10_000)).toBe(false);
    for (const expected of ['20s', '40s', '40s']) {
      backOff.next(key, clock.now());
      expect(goDuration(backOff.get(key))).toBe(expected);
    }
  });

  it('starts over after a quiet spell of twice the cap', () => {
    const clock = new FakeClock(0);
    const backOff = new BackOff({ initialMs: 10, maxMs: 100 }, clock);
    backOff.next('k');
    backOff.next('k');
    expect(backOff.get('k')).toBe(20);
    clock.step(201);
    backOff.next('k');
    expect(backOff.get('k')).toBe(10);
  });
});
