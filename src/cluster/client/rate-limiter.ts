import { type Clock, systemClock } from '../clock/clock.ts';

/**
 * RateLimiter decides how long a key waits before it is retried, after client-go's
 * workqueue.RateLimiter. when() is asked once per retry (and counts it); forget() is called
 * when the key finally succeeded, so its next failure starts from the shortest wait again.
 */
export interface RateLimiter<T> {
  /** Milliseconds `item` should wait before its next try. */
  when(item: T): number;
  /** Stops tracking `item`: it succeeded, or is no longer wanted. */
  forget(item: T): void;
  /** How many times `item` has been rate-limited since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * ItemExponentialFailureRateLimiter backs each key off on its own: base * 2^failures, capped.
 * With client-go's defaults (5 ms, 1000 s) a key that keeps failing waits 5, 10, 20, 40 ms, ...
 * and reaches the cap after 18 failures, so a broken object costs little while a passing glitch
 * is retried almost at once.
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: { readonly baseDelayMs?: number; readonly maxDelayMs?: number } = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  when(item: T): number {
    const failures = this.failures.get(item) ?? 0;
    this.failures.set(item, failures + 1);
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * BucketRateLimiter is a token bucket over all keys together (client-go wraps golang.org/x/time/rate):
 * `burst` tokens to start with, refilled at `qps` per second. Every when() takes a token,
 * borrowing one from the future when the bucket is empty; the wait is how long until that token
 * exists. It bounds the retry rate of the whole controller, which per-key backoff cannot do
 * when many keys fail at once.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly clock: Clock;
  private readonly qps: number;
  private readonly burst: number;
  /** Below zero when tokens have been promised ahead of time. */
  private tokens: number;
  private last: number;

  constructor(options: { readonly qps?: number; readonly burst?: number; readonly clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.qps = options.qps ?? 10;
    this.burst = options.burst ?? 100;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000) - 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** MaxOfRateLimiter waits as long as the strictest of its limiters says. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    // Every limiter must see every try, so no short-circuit here.
    return Math.max(0, ...this.limiters.map((limiter) => limiter.when(item)));
  }

  forget(item: T): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  numRequeues(item: T): number {
    return Math.max(0, ...this.limiters.map((limiter) => limiter.numRequeues(item)));
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-key exponential backoff from 5 ms to 1000 s,
 * together with an overall bucket of 10 retries per second and a burst of 100.
 */
export function defaultControllerRateLimiter<T>(clock: Clock = systemClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<T>({ qps: 10, burst: 100, clock }),
  );
}
