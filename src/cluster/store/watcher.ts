import { type KeyRange, rangeContains } from './key-range.ts';
import type { RevisionChanges } from './kv-store.ts';
import type { Event, WatchFilter, WatchSink } from './types.ts';

/**
 * Selector is what a watch asked to see: a key range, the event types it filters out, and whether
 * events keep their prev_kv. Watchers with equal selectors see exactly the same events, so the
 * store selects once per selector and hands every such watcher the same array: a thousand informers
 * on one prefix cost one selection per revision, not a thousand.
 */
export class Selector {
  /** Equal for equal selectors, so it can key the sharing. */
  readonly id: string;
  private readonly noPut: boolean;
  private readonly noDelete: boolean;

  constructor(
    readonly range: KeyRange,
    filters: readonly WatchFilter[],
    readonly prevKv: boolean,
  ) {
    this.noPut = filters.includes('NOPUT');
    this.noDelete = filters.includes('NODELETE');
    // JSON keeps the parts apart whatever bytes the keys hold.
    this.id = JSON.stringify([
      range.start,
      range.end ?? null,
      range.single,
      this.noPut,
      this.noDelete,
      prevKv,
    ]);
  }

  /** Appends the events of `changes` this selector wants, shaped as it asked. */
  select(changes: RevisionChanges, into: Event[]): void {
    const { events, keys } = changes;
    for (let i = 0; i < events.length; i++) {
      if (!rangeContains(this.range, keys[i]!)) continue;
      const event = events[i]!;
      if (event.type === 'PUT' ? this.noPut : this.noDelete) continue;
      into.push(this.prevKv || !event.prevKv ? event : withoutPrevKv(event));
    }
  }
}

const stripped = new WeakMap<Event, Event>();

/** The event as watchers that did not ask for prev_kv get it: one copy, shared by them all. */
function withoutPrevKv(event: Event): Event {
  let copy = stripped.get(event);
  if (!copy) {
    copy = { type: event.type, kv: event.kv };
    stripped.set(event, copy);
  }
  return copy;
}

/** Watcher is one watch: what it selects, how far it has been sent, and where its batches go. */
export class Watcher {
  /** The first revision this watcher has not been sent. */
  nextRevision: number;
  /** The consumer refused more; nothing is sent until it resumes. */
  paused = false;
  canceled = false;

  constructor(
    readonly selector: Selector,
    startRevision: number,
    readonly progressNotify: boolean,
    readonly sink: WatchSink,
  ) {
    this.nextRevision = startRevision;
  }
}
