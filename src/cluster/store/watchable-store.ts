import { type KeyRange, type KeyString, keyRange, rangeContains, toKeyString } from './key-range.ts';
import type { KVStore, RevisionChanges } from './kv-store.ts';
import type { Event, WatchBatch, WatchCreateRequest, WatchFilter, WatchHandle, WatchSink } from './types.ts';

export interface WatchableStoreOptions {
  /** How often watchers that asked for it get a progress notification (etcd: 10 minutes). */
  readonly progressNotifyIntervalMs?: number;
  /** Upper bound on the events one catch-up batch carries, so one slow watcher cannot hog a tick. */
  readonly maxEventsPerBatch?: number;
}

class Watcher {
  /** The first revision this watcher has not been sent. */
  nextRevision: number;
  /** The consumer refused more; nothing is sent until it resumes. */
  paused = false;
  canceled = false;
  readonly key: KeyString | undefined;

  constructor(
    readonly range: KeyRange,
    startRevision: number,
    readonly filters: ReadonlySet<WatchFilter>,
    readonly prevKv: boolean,
    readonly progressNotify: boolean,
    readonly sink: WatchSink,
  ) {
    this.nextRevision = startRevision;
    this.key = range.single ? range.start : undefined;
  }

  /** The events of `changes` this watcher wants, shaped as it asked. */
  select(events: readonly Event[], into: Event[]): void {
    for (const event of events) {
      if (!rangeContains(this.range, toKeyString(event.kv.key))) continue;
      if (event.type === 'PUT' ? this.filters.has('NOPUT') : this.filters.has('NODELETE')) continue;
      into.push(this.prevKv || !event.prevKv ? event : { type: event.type, kv: event.kv });
    }
  }
}

/**
 * WatchableStore delivers committed revisions to watchers, keeping them in two groups as etcd does:
 * - synced watchers are up to date and get each revision as it commits;
 * - unsynced watchers are behind (they started at a past revision, or their consumer was slow) and a
 *   background pass catches them up from the revision log, so no writer and no other watcher ever
 *   waits for them.
 * A watcher that falls behind the compacted revision is told so and dropped, like etcd's.
 */
export class WatchableStore {
  /** The newest revision whose write is durable; watchers never see past it. */
  committedRevision: number;
  private readonly syncedByKey = new Map<KeyString, Set<Watcher>>();
  private readonly syncedRanges = new Set<Watcher>();
  private readonly unsynced = new Set<Watcher>();
  private syncScheduled = false;
  private readonly progressTimer: NodeJS.Timeout;
  private readonly maxEventsPerBatch: number;

  constructor(
    private readonly kv: KVStore,
    options: WatchableStoreOptions = {},
  ) {
    this.committedRevision = kv.currentRevision;
    this.maxEventsPerBatch = options.maxEventsPerBatch ?? 1000;
    this.progressTimer = setInterval(
      () => this.notifyProgress(),
      options.progressNotifyIntervalMs ?? 600_000,
    );
    this.progressTimer.unref();
  }

  watch(req: WatchCreateRequest, sink: WatchSink): WatchHandle {
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : this.committedRevision + 1;
    const watcher = new Watcher(
      keyRange(req.key, req.rangeEnd),
      start,
      new Set(req.filters ?? []),
      req.prevKv ?? false,
      req.progressNotify ?? false,
      sink,
    );
    if (start > this.committedRevision) this.addSynced(watcher);
    else this.addUnsynced(watcher);
    return {
      resume: () => {
        if (watcher.canceled || !watcher.paused) return;
        watcher.paused = false;
        this.scheduleSync();
      },
      cancel: () => this.remove(watcher),
    };
  }

  /** Hands a newly durable revision to the synced watchers. Revisions arrive in order. */
  notify(changes: RevisionChanges): void {
    this.committedRevision = changes.revision;
    const targets = new Map<Watcher, Event[]>();
    const collect = (watcher: Watcher) => {
      if (targets.has(watcher) || watcher.nextRevision > changes.revision) return;
      const events: Event[] = [];
      watcher.select(changes.events, events);
      targets.set(watcher, events);
    };
    for (const event of changes.events) {
      const byKey = this.syncedByKey.get(toKeyString(event.kv.key));
      if (byKey) for (const watcher of byKey) collect(watcher);
    }
    for (const watcher of this.syncedRanges) collect(watcher);
    const header = { revision: changes.revision };
    for (const [watcher, events] of targets) {
      watcher.nextRevision = changes.revision + 1;
      if (events.length > 0) this.send(watcher, { header, events });
    }
  }

  /** Compaction may strand unsynced watchers below it; the next pass tells them. */
  compacted(): void {
    if (this.unsynced.size > 0) this.scheduleSync();
  }

  close(): void {
    clearInterval(this.progressTimer);
    for (const watcher of [...this.unsynced, ...this.syncedRanges]) watcher.canceled = true;
    for (const set of this.syncedByKey.values()) for (const watcher of set) watcher.canceled = true;
    this.unsynced.clear();
    this.syncedRanges.clear();
    this.syncedByKey.clear();
  }

  watcherCount(): { synced: number; unsynced: number } {
    let synced = this.syncedRanges.size;
    for (const set of this.syncedByKey.values()) synced += set.size;
    return { synced, unsynced: this.unsynced.size };
  }

  private header() {
    return { revision: this.committedRevision };
  }

  /** Sends a batch; a refusal parks the watcher in the unsynced group until it resumes. */
  private send(watcher: Watcher, batch: WatchBatch): void {
    if (watcher.sink(batch) || watcher.canceled) return;
    watcher.paused = true;
    if (this.isSynced(watcher)) {
      this.removeSynced(watcher);
      this.unsynced.add(watcher);
    }
  }

  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      this.syncWatchers();
    });
  }

  /**
   * One catch-up pass: each unsynced watcher that can take events gets the revisions it missed, a
   * bounded batch at a time. Whoever is still behind afterwards waits for the next pass.
   */
  private syncWatchers(): void {
    let again = false;
    for (const watcher of this.unsynced) {
      if (watcher.paused) continue;
      if (watcher.nextRevision < this.kv.compactRevision) {
        this.remove(watcher);
        watcher.sink({ header: this.header(), events: [], compactRevision: this.kv.compactRevision });
        continue;
      }
      const upTo = this.committedRevision;
      const events: Event[] = [];
      let reached = watcher.nextRevision - 1;
      for (const changes of this.kv.changesBetween(watcher.nextRevision, upTo)) {
        watcher.select(changes.events, events);
        reached = changes.revision;
        if (events.length >= this.maxEventsPerBatch) break;
      }
      if (reached < upTo && events.length < this.maxEventsPerBatch) reached = upTo;
      watcher.nextRevision = reached + 1;
      if (reached >= upTo) {
        this.unsynced.delete(watcher);
        this.addSynced(watcher);
      } else {
        again = true;
      }
      if (events.length > 0) this.send(watcher, { header: this.header(), events });
    }
    if (again) this.scheduleSync();
  }

  private notifyProgress(): void {
    const header = this.header();
    const progress = (watcher: Watcher) => {
      if (watcher.progressNotify) this.send(watcher, { header, events: [] });
    };
    for (const watcher of [...this.syncedRanges]) progress(watcher);
    for (const set of [...this.syncedByKey.values()]) for (const watcher of [...set]) progress(watcher);
  }

  private isSynced(watcher: Watcher): boolean {
    return watcher.key !== undefined
      ? (this.syncedByKey.get(watcher.key)?.has(watcher) ?? false)
      : this.syncedRanges.has(watcher);
  }

  private addSynced(watcher: Watcher): void {
    if (watcher.key === undefined) {
      this.syncedRanges.add(watcher);
      return;
    }
    let set = this.syncedByKey.get(watcher.key);
    if (!set) {
      set = new Set();
      this.syncedByKey.set(watcher.key, set);
    }
    set.add(watcher);
  }

  private addUnsynced(watcher: Watcher): void {
    this.unsynced.add(watcher);
    this.scheduleSync();
  }

  private removeSynced(watcher: Watcher): void {
    if (watcher.key === undefined) {
      this.syncedRanges.delete(watcher);
      return;
    }
    const set = this.syncedByKey.get(watcher.key);
    set?.delete(watcher);
    if (set?.size === 0) this.syncedByKey.delete(watcher.key);
  }

  private remove(watcher: Watcher): void {
    watcher.canceled = true;
    this.unsynced.delete(watcher);
    this.removeSynced(watcher);
  }
}
