import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from './rate-limiter.ts';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles the wait per failure of each key, up to the cap, until forgotten', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    expect([1, 2, 3, 4].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40]);
    expect(limiter.when('b')).toBe(5);
    expect(limiter.numRequeues('a')).toBe(4);
    for (let i = 0; i < 30; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1_000_000);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces tries at the refill rate', () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter<string>({ qps: 10, burst: 3, clock });
    expect([1, 2, 3].map(() => limiter.when('x'))).toEqual([0, 0, 0]);
    expect(limiter.when('x')).toBeCloseTo(100);
    expect(limiter.when('y')).toBeCloseTo(200);
    clock.step(1000);
    // 10 tokens refilled, 2 of them already promised, and the bucket holds at most 3.
    expect([1, 2, 3].map(() => limiter.when('x'))).toEqual([0, 0, 0]);
    expect(limiter.when('x')).toBeCloseTo(100);
  });
});

describe('MaxOfRateLimiter', () => {
  it('takes the longest wait and lets every limiter count the try', () => {
    const a = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 1 });
    const b = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 3 });
    const limiter = new MaxOfRateLimiter(a, b);
    expect([limiter.when('k'), limiter.when('k')]).toEqual([3, 6]);
    expect(a.numRequeues('k')).toBe(2);
    limiter.forget('k');
    expect([a.numRequeues('k'), b.numRequeues('k')]).toEqual([0, 0]);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('backs a key off from 5 ms and holds all keys to 10 per second after a burst of 100', () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>(clock);
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([5, 10, 20]);
    for (let i = 0; i < 97; i++) limiter.when(`key-${i}`);
    expect(limiter.when('fresh')).toBeCloseTo(100);
    expect(limiter.numRequeues('a')).toBe(3);
  });
});
