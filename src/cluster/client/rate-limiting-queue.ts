import { DelayingQueue, type DelayingQueueOptions } from './delaying-queue.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface RateLimitingQueueOptions<T> extends DelayingQueueOptions {
  /** defaultControllerRateLimiter on the queue's clock unless given. */
  readonly rateLimiter?: RateLimiter<T>;
}

/**
 * RateLimitingQueue is the queue a controller owns, after client-go's rate-limiting work queue.
 * The worker loop it is made for:
 *
 *   const key = await queue.get();
 *   try { await reconcile(key); queue.forget(key); }      // success: reset its backoff
 *   catch { queue.addRateLimited(key); }                 // failure: retry later, not in a hot loop
 *   finally { queue.done(key); }
 */
export class RateLimitingQueue<T extends NonNullable<unknown> = string> extends DelayingQueue<T> {
  private readonly rateLimiter: RateLimiter<T>;

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super(options);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds `item` after the wait its rate limiter gives it (which counts as one more requeue). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Forgets `item`'s failures; it stays queued if it is queued. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
