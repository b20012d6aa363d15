import { type Clock, systemClock, type Timer } from '../clock/clock.ts';
import { WorkQueue } from './work-queue.ts';

/** The clock a delaying queue measures its delays on. */
export interface DelayingQueueOptions {
  /** The system clock unless a test brings a FakeClock. */
  readonly clock?: Clock;
}

interface Waiting<T> {
  readonly item: T;
  readonly readyAt: number;
  /** Keeps items that become ready at the same moment in the order they were added. */
  readonly seq: number;
}

/**
 * DelayingQueue is client-go's delaying work queue: a WorkQueue that can also take a key later,
 * with addAfter(key, ms). A controller uses it to look at an object again in a while (a pod's
 * grace period, a deployment's progress deadline) without holding a worker.
 *
 * Waiting keys sit in a min-heap by ready time, with one timer set for the earliest. A key waits
 * once: adding it again with a later time changes nothing, with an earlier time moves it up (the
 * stale heap entry is skipped when it surfaces). When it is ready it goes through add(), so
 * the dedup and processing rules of WorkQueue still hold.
 */
export class DelayingQueue<T extends NonNullable<unknown> = string> extends WorkQueue<T> {
  protected readonly clock: Clock;
  private readonly heap: Waiting<T>[] = [];
  /** The ready time that counts for each waiting key; heap entries that disagree are stale. */
  private readonly readyAt = new Map<T, number>();
  private seq = 0;
  private timer: { readonly at: number; readonly handle: Timer } | undefined;

  constructor(options: DelayingQueueOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
  }

  /** Adds `item` once `ms` have passed (at once when ms <= 0); ignored after shutDown(). */
  addAfter(item: T, ms: number): void {
    if (this.isShuttingDown()) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const current = this.readyAt.get(item);
    if (current !== undefined && current <= readyAt) return;
    this.readyAt.set(item, readyAt);
    this.push({ item, readyAt, seq: this.seq++ });
    this.arm();
  }

  /** Also drops every key still waiting: nobody would process it. */
  override shutDown(): void {
    super.shutDown();
    this.timer?.handle.cancel();
    this.timer = undefined;
    this.heap.length = 0;
    this.readyAt.clear();
  }

  /** Sets the timer for the earliest waiting key, unless one is already set for that moment or sooner. */
  private arm(): void {
    const next = this.peek();
    if (next === undefined) return;
    if (this.timer && this.timer.at <= next.readyAt) return;
    this.timer?.handle.cancel();
    const handle = this.clock.setTimeout(() => this.fire(), next.readyAt - this.clock.now());
    this.timer = { at: next.readyAt, handle };
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (let next = this.peek(); next !== undefined && next.readyAt <= now; next = this.peek()) {
      this.pop();
      this.readyAt.delete(next.item);
      this.add(next.item);
    }
    this.arm();
  }

  /** The earliest live entry, after discarding stale ones from the top. */
  private peek(): Waiting<T> | undefined {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.readyAt.get(top.item) === top.readyAt) return top;
      this.pop();
    }
    return undefined;
  }

  private push(entry: Waiting<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before<T>(a: Waiting<T>, b: Waiting<T>): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}
