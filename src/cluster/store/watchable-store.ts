import { keyRange } from './key-range.ts';
import type { KVStore, RevisionChanges } from './kv-store.ts';
import type { Event, WatchBatch, WatchCreateRequest, WatchHandle, WatchSink } from './types.ts';
import { Selector, Watcher } from './watcher.ts';
import { WatcherGroup } from './watcher-group.ts';

export interface WatchableStoreOptions {
  /** How often watchers that asked for it get a progress notification (etcd: 10 minutes). */
  readonly progressNotifyIntervalMs?: number;
  /** Upper bound on the events one catch-up batch carries, so one slow watcher cannot hog a tick. */
  readonly maxEventsPerBatch?: number;
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
  private readonly synced = new WatcherGroup();
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
    const selector = new Selector(keyRange(req.key, req.rangeEnd), req.filters ?? [], req.prevKv ?? false);
    const watcher = new Watcher(selector, start, req.progressNotify ?? false, sink);
    if (start > this.committedRevision) this.synced.add(watcher);
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

  /**
   * Hands a newly durable revision to the synced watchers. Revisions arrive in order. Watchers
   * sharing a selector share one selection and one batch object.
   */
  notify(changes: RevisionChanges): void {
    this.committedRevision = changes.revision;
    const header = { revision: changes.revision };
    this.synced.forEachCandidate(changes, ({ selector, watchers }) => {
      if (watchers.size === 0) return;
      const events: Event[] = [];
      selector.select(changes, events);
      if (events.length === 0) return;
      const batch = { header, events };
      for (const watcher of watchers) {
        // A watcher may have asked to start at a revision still to come.
        if (watcher.nextRevision > changes.revision) continue;
        watcher.nextRevision = changes.revision + 1;
        this.send(watcher, batch);
      }
    });
  }

  /** Compaction may strand unsynced watchers below it; the next pass tells them. */
  compacted(): void {
    if (this.unsynced.size > 0) this.scheduleSync();
  }

  close(): void {
    clearInterval(this.progressTimer);
    for (const watcher of [...this.unsynced, ...this.synced.watchers()]) watcher.canceled = true;
    this.unsynced.clear();
    this.synced.clear();
  }

  watcherCount(): { synced: number; unsynced: number } {
    return { synced: this.synced.size, unsynced: this.unsynced.size };
  }

  private header() {
    return { revision: this.committedRevision };
  }

  /** Sends a batch; a refusal parks the watcher in the unsynced group until it resumes. */
  private send(watcher: Watcher, batch: WatchBatch): void {
    if (watcher.sink(batch) || watcher.canceled) return;
    watcher.paused = true;
    if (this.synced.delete(watcher)) this.unsynced.add(watcher);
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
   *
   * Watchers that stand at the same revision with the same selector get the same batch, so history
   * is read and selected once for them all. That is the usual case: a stream that fills up refuses
   * every watcher it carries at about the same revision, and its drain resumes them together.
   */
  private syncWatchers(): void {
    const cohorts = new Map<string, Map<number, Watcher[]>>();
    for (const watcher of this.unsynced) {
      if (watcher.paused) continue;
      let byRevision = cohorts.get(watcher.selector.id);
      if (!byRevision) {
        byRevision = new Map();
        cohorts.set(watcher.selector.id, byRevision);
      }
      const cohort = byRevision.get(watcher.nextRevision);
      if (cohort) cohort.push(watcher);
      else byRevision.set(watcher.nextRevision, [watcher]);
    }
    let again = false;
    for (const byRevision of cohorts.values()) {
      for (const cohort of byRevision.values()) again = !this.syncCohort(cohort) || again;
    }
    if (again) this.scheduleSync();
  }

  /**
   * Catches up watchers that share a selector and a next revision, by one batch. Returns false when
   * they are still behind.
   */
  private syncCohort(cohort: readonly Watcher[]): boolean {
    const { nextRevision, selector } = cohort[0]!;
    if (nextRevision < this.kv.compactRevision) {
      for (const watcher of cohort) {
        if (watcher.canceled) continue;
        this.remove(watcher);
        watcher.sink({ header: this.header(), events: [], compactRevision: this.kv.compactRevision });
      }
      return true;
    }
    const upTo = this.committedRevision;
    const events: Event[] = [];
    let reached = nextRevision - 1;
    for (const changes of this.kv.changesBetween(nextRevision, upTo)) {
      selector.select(changes, events);
      reached = changes.revision;
      if (events.length >= this.maxEventsPerBatch) break;
    }
    if (reached < upTo && events.length < this.maxEventsPerBatch) reached = upTo;
    const batch = { header: this.header(), events };
    for (const watcher of cohort) {
      // A sink called earlier in this pass may have canceled a watcher still waiting its turn.
      if (watcher.canceled) continue;
      watcher.nextRevision = reached + 1;
      if (reached >= upTo) {
        this.unsynced.delete(watcher);
        this.synced.add(watcher);
      }
      if (events.length > 0) this.send(watcher, batch);
    }
    return reached >= upTo;
  }

  private notifyProgress(): void {
    const header = this.header();
    for (const watcher of this.synced.watchers()) {
      if (watcher.progressNotify && !watcher.canceled) this.send(watcher, { header, events: [] });
    }
  }

  private addUnsynced(watcher: Watcher): void {
    this.unsynced.add(watcher);
    this.scheduleSync();
  }

  private remove(watcher: Watcher): void {
    watcher.canceled = true;
    this.unsynced.delete(watcher);
    this.synced.delete(watcher);
  }
}
