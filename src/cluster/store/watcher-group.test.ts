import { describe, expect, it } from 'vitest';
import { keyRange, toKeyString } from './key-range.ts';
import type { RevisionChanges } from './kv-store.ts';
import type { Event, KeyValue, WatchFilter } from './types.ts';
import { Selector, Watcher } from './watcher.ts';
import { WatcherGroup, type WatcherSet } from './watcher-group.ts';

const b = (s: string) => Buffer.from(s);

const kv = (key: string, modRevision: number): KeyValue => ({
  key: b(key),
  createRevision: 2,
  modRevision,
  version: modRevision - 1,
  value: b('v'),
  lease: 0n,
});

function changes(revision: number, events: Event[]): RevisionChanges {
  return { revision, events, keys: events.map((e) => toKeyString(e.kv.key)) };
}

function watcher(key: string, rangeEnd?: string, filters: WatchFilter[] = [], prevKv = false): Watcher {
  const selector = new Selector(
    keyRange(b(key), rangeEnd === undefined ? undefined : b(rangeEnd)),
    filters,
    prevKv,
  );
  return new Watcher(selector, 1, false, () => true);
}

function candidates(group: WatcherGroup, c: RevisionChanges): WatcherSet[] {
  const sets: WatcherSet[] = [];
  group.forEachCandidate(c, (set) => sets.push(set));
  return sets;
}

describe('Selector', () => {
  it('selects the events in its range, drops filtered types, and strips prev_kv unless asked', () => {
    const c = changes(5, [
      { type: 'PUT', kv: kv('/a/1', 5), prevKv: kv('/a/1', 4) },
      { type: 'DELETE', kv: kv('/a/2', 5), prevKv: kv('/a/2', 3) },
      { type: 'PUT', kv: kv('/b/1', 5) },
    ]);
    const select = (selector: Selector) => {
      const into: Event[] = [];
      selector.select(c, into);
      return into;
    };
    const prefix = keyRange(b('/a/'), b('/a0'));
    expect(select(new Selector(prefix, [], true))).toEqual(c.events.slice(0, 2));
    expect(select(new Selector(prefix, ['NODELETE'], false))).toEqual([{ type: 'PUT', kv: kv('/a/1', 5) }]);
    expect(select(new Selector(prefix, ['NOPUT'], false))).toEqual([{ type: 'DELETE', kv: kv('/a/2', 5) }]);
    expect(select(new Selector(keyRange(b('/b/1')), [], false))).toEqual([c.events[2]]);
    // Watchers that did not ask for prev_kv share one stripped copy of each event.
    expect(select(new Selector(prefix, [], false))[0]).toBe(select(new Selector(prefix, [], false))[0]);
  });

  it('gives equal selectors equal ids, whatever bytes the keys hold', () => {
    expect(new Selector(keyRange(b('a'), b('b')), [], false).id).toBe(
      new Selector(keyRange(b('a'), b('b')), [], false).id,
    );
    const ids = new Set(
      [
        new Selector(keyRange(b('a'), b('b')), [], false),
        new Selector(keyRange(b('a'), b('b')), [], true),
        new Selector(keyRange(b('a'), b('b')), ['NOPUT'], false),
        new Selector(keyRange(b('a'), Buffer.from([0])), [], false),
        new Selector(keyRange(b('a')), [], false),
        new Selector(keyRange(b('a",'), b('b')), [], false),
      ].map((s) => s.id),
    );
    expect(ids.size).toBe(6);
  });
});

describe('WatcherGroup', () => {
  it('keeps watchers with one selector in one set, found by key or as a range', () => {
    const group = new WatcherGroup();
    const informers = Array.from({ length: 3 }, () => watcher('/a/', '/a0'));
    const single = watcher('/b/1');
    const other = watcher('/c/1');
    for (const w of [...informers, single, other]) group.add(w);
    expect(group.size).toBe(5);

    const sets = candidates(group, changes(5, [{ type: 'PUT', kv: kv('/b/1', 5) }]));
    // The key's own set and the one range set, not the other key's.
    expect(sets.map((set) => [...set.watchers])).toEqual([[single], informers]);
  });

  it('visits a set matched by several keys of one revision once', () => {
    const group = new WatcherGroup();
    const w = watcher('/b/1');
    group.add(w);
    const c = changes(5, [
      { type: 'PUT', kv: kv('/b/1', 5) },
      { type: 'PUT', kv: kv('/b/2', 5) },
    ]);
    expect(candidates(group, c)).toHaveLength(1);
  });

  it('forgets a set once its last watcher leaves', () => {
    const group = new WatcherGroup();
    const [first, second] = [watcher('/a/', '/a0'), watcher('/a/', '/a0')];
    const single = watcher('/b/1');
    for (const w of [first!, second!, single]) group.add(w);
    expect(group.delete(first!)).toBe(true);
    expect(group.delete(first!)).toBe(false);
    expect(group.has(second!)).toBe(true);
    group.delete(second!);
    group.delete(single);
    expect(group.size).toBe(0);
    expect(candidates(group, changes(5, [{ type: 'PUT', kv: kv('/b/1', 5) }]))).toEqual([]);
    expect(group.watchers()).toEqual([]);
  });
});
