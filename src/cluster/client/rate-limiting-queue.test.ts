import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';

describe('RateLimitingQueue', () => {
  it('requeues a failing key with growing waits and resets them after forget', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });

    queue.add('ns/web');
    for (const wait of [5, 10, 20]) {
      const key = (await queue.get())!;
      queue.addRateLimited(key);
      queue.done(key);
      clock.step(wait - 1);
      expect(queue.len()).toBe(0);
      clock.step(1);
      expect(queue.len()).toBe(1);
    }
    expect(queue.numRequeues('ns/web')).toBe(3);

    const key = (await queue.get())!;
    queue.forget(key);
    queue.done(key);
    expect(queue.numRequeues('ns/web')).toBe(0);
    queue.addRateLimited('ns/web');
    clock.step(5);
    expect(queue.len()).toBe(1);
  });

  it('uses the rate limiter it is given', () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 1000 }),
    });
    queue.addRateLimited('a');
    clock.step(999);
    expect(queue.len()).toBe(0);
    clock.step(1);
    expect(queue.len()).toBe(1);
  });
});
