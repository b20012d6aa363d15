/**
 * Clock is the time a client component reads and the timers it sets. Components take one in their
 * options (the system clock by default), so a test can hand them a FakeClock and move time itself.
 */
export interface Clock {
  /** Milliseconds, as Date.now(). */
  now(): number;
  /** Calls `callback` once, `ms` from now; the handle cancels it. */
  setTimeout(callback: () => void, ms: number): Timer;
}

/** A pending Clock.setTimeout. */
export interface Timer {
  /** Cancels the callback if it has not run; harmless afterwards. */
  cancel(): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
