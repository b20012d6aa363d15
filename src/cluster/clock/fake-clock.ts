import type { Clock, Timer } from './clock.ts';

interface PendingTimer {
  readonly due: number;
  /** Breaks ties between timers due at the same moment: the one set first runs first. */
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * FakeClock is a Clock that only moves when a test says so, after k8s.io/utils/clock/testing:
 * `step(ms)` advances the time and runs, in order, every timer that has come due, so a test of a
 * delaying queue or a backoff reads like a timeline and never sleeps.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: PendingTimer = { due: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /**
   * Advances time by `ms`, running each timer at its due time; a timer that a callback sets
   * within the step runs too if it falls due before the step ends.
   */
  step(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > end) break;
      this.timers.delete(next);
      this.time = next.due;
      next.callback();
    }
    this.time = end;
  }

  /** How many timers are waiting: lets a test check that a component set (or cancelled) one. */
  pendingTimers(): number {
    return this.timers.size;
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
