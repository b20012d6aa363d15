import type { KeyString } from './key-range.ts';
import type { RevisionChanges } from './kv-store.ts';
import type { Selector, Watcher } from './watcher.ts';

/** The watchers of a group that share one selector. */
export interface WatcherSet {
  readonly selector: Selector;
  readonly watchers: Set<Watcher>;
}

/**
 * WatcherGroup holds watchers indexed by what they watch, as etcd's watcherGroup does, so a revision
 * reaches only the watchers that may want it:
 * - watchers are kept per selector (WatcherSet), and a revision is matched against each selector once;
 * - single-key selectors are found by the revision's keys;
 * - range selectors are all tried. There are few distinct ones (one per resource prefix an API
 *   server's informers watch), however many watchers share them.
 */
export class WatcherGroup {
  private readonly bySelector = new Map<string, WatcherSet>();
  private readonly byKey = new Map<KeyString, Set<WatcherSet>>();
  private readonly ranges = new Set<WatcherSet>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(watcher: Watcher): void {
    const { selector } = watcher;
    let set = this.bySelector.get(selector.id);
    if (!set) {
      set = { selector, watchers: new Set() };
      this.bySelector.set(selector.id, set);
      if (selector.range.single) {
        let sets = this.byKey.get(selector.range.start);
        if (!sets) {
          sets = new Set();
          this.byKey.set(selector.range.start, sets);
        }
        sets.add(set);
      } else {
        this.ranges.add(set);
      }
    }
    if (set.watchers.has(watcher)) return;
    set.watchers.add(watcher);
    this.count++;
  }

  has(watcher: Watcher): boolean {
    return this.bySelector.get(watcher.selector.id)?.watchers.has(watcher) ?? false;
  }

  delete(watcher: Watcher): boolean {
    const { selector } = watcher;
    const set = this.bySelector.get(selector.id);
    if (!set?.watchers.delete(watcher)) return false;
    this.count--;
    if (set.watchers.size === 0) {
      this.bySelector.delete(selector.id);
      if (selector.range.single) {
        const sets = this.byKey.get(selector.range.start)!;
        sets.delete(set);
        if (sets.size === 0) this.byKey.delete(selector.range.start);
      } else {
        this.ranges.delete(set);
      }
    }
    return true;
  }

  /**
   * Calls `visit` once for each set whose selector may want something from `changes`. `visit` may
   * add and remove watchers; a set emptied meanwhile is still visited, with no watchers.
   */
  forEachCandidate(changes: RevisionChanges, visit: (set: WatcherSet) => void): void {
    if (changes.keys.length === 1) {
      const sets = this.byKey.get(changes.keys[0]!);
      if (sets) for (const set of [...sets]) visit(set);
    } else if (this.byKey.size > 0) {
      // Keys in one revision are distinct today, but a Set costs little and needs no such promise.
      const seen = new Set<WatcherSet>();
      for (const key of changes.keys) for (const set of this.byKey.get(key) ?? []) seen.add(set);
      for (const set of seen) visit(set);
    }
    for (const set of [...this.ranges]) visit(set);
  }

  /** Every watcher, as a copy: callers may move watchers out while they go through it. */
  watchers(): Watcher[] {
    const all: Watcher[] = [];
    for (const set of this.bySelector.values()) for (const watcher of set.watchers) all.push(watcher);
    return all;
  }

  clear(): void {
    this.bySelector.clear();
    this.byKey.clear();
    this.ranges.clear();
    this.count = 0;
  }
}
