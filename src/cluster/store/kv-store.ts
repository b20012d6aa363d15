import { CompactedError, FutureRevisionError } from './errors.ts';
import { type KeyRange, type KeyString, toKeyString } from './key-range.ts';
import { TreeIndex } from './tree-index.ts';
import type { Event, KeyValue } from './types.ts';

/** The events one revision made, in sub-revision order. */
export interface RevisionChanges {
  readonly revision: number;
  readonly events: readonly Event[];
  /**
   * `keys[i]` is `events[i].kv.key` as a KeyString. The write had to convert each key to find it in
   * the index; keeping the result saves every watcher and the lessor from converting it again.
   */
  readonly keys: readonly KeyString[];
}

const EMPTY = Buffer.alloc(0);

/**
 * KVStore is the in-memory MVCC state: the key index, the current and compacted revisions, and a
 * log of each revision's events (kept from the compacted revision on) that watchers catch up from.
 * It is synchronous and knows nothing of durability; Store orders its writes against the backend.
 */
export class KVStore {
  private readonly index = new TreeIndex();
  private readonly log: RevisionChanges[] = [];
  /** An empty etcd starts at revision 1; the first write makes revision 2. */
  currentRevision = 1;
  compactRevision = 0;

  /**
   * Live versions in the range at `revision` (0 = current), in key order, plus their count.
   * `newest` is the highest revision readable: a write transaction reads its own revision before
   * it becomes current.
   */
  range(
    range: KeyRange,
    revision: number,
    limit = 0,
    newest = this.currentRevision,
  ): { kvs: KeyValue[]; count: number; revision: number } {
    const rev = revision > 0 ? revision : newest;
    if (rev > newest) throw new FutureRevisionError();
    if (rev < this.compactRevision) throw new CompactedError(this.compactRevision);
    const kvs: KeyValue[] = [];
    let count = 0;
    this.index.forEach(range, (_key, keyIndex) => {
      const kv = keyIndex.at(rev);
      if (kv === null) return;
      count++;
      if (limit <= 0 || kvs.length < limit) kvs.push(kv);
    });
    return { kvs, count, revision: this.currentRevision };
  }

  write(): WriteTxn {
    return new WriteTxn(this, this.index);
  }

  /** Called by WriteTxn.end: a revision with changes becomes current. */
  commitWrite(changes: RevisionChanges): void {
    if (changes.revision !== this.currentRevision + 1) {
      throw new Error(`kv-store: revision ${changes.revision} does not follow ${this.currentRevision}`);
    }
    this.currentRevision = changes.revision;
    this.log.push(changes);
  }

  /** Undoes the newest revision (its write never became durable). */
  rollback(revision: number): RevisionChanges {
    const last = this.log.at(-1);
    if (!last || last.revision !== revision) throw new Error(`kv-store: cannot roll back ${revision}`);
    for (const key of last.keys) {
      const keyIndex = this.index.get(key);
      keyIndex?.dropRevision(revision);
      if (keyIndex?.isEmpty()) this.index.delete(key);
    }
    this.log.pop();
    this.currentRevision = revision - 1;
    return last;
  }

  /** Drops history below `revision`; reads and watches below it then get CompactedError. */
  compact(revision: number): void {
    for (const [key, keyIndex] of this.index.all()) {
      if (keyIndex.compact(revision)) this.index.delete(key);
    }
    const keepFrom = this.logIndexAtOrAfter(revision);
    this.log.splice(0, keepFrom);
    this.compactRevision = revision;
  }

  /** The logged revisions in [from, to], oldest first. */
  changesBetween(from: number, to: number): RevisionChanges[] {
    const start = this.logIndexAtOrAfter(from);
    const result: RevisionChanges[] = [];
    for (let i = start; i < this.log.length && this.log[i]!.revision <= to; i++) result.push(this.log[i]!);
    return result;
  }

  /** Every key as it stood at the compacted revision: the head of a snapshot. */
  keysAtCompactRevision(): KeyValue[] {
    const kvs: KeyValue[] = [];
    for (const [, keyIndex] of this.index.all()) {
      const kv = keyIndex.at(this.compactRevision);
      if (kv) kvs.push(kv);
    }
    return kvs;
  }

  /** Loads keys captured by keysAtCompactRevision into an empty store. */
  restoreBase(revision: number, compactRevision: number, kvs: readonly KeyValue[]): void {
    if (this.index.size > 0 || this.log.length > 0)
      throw new Error('kv-store: base restored into a used store');
    for (const kv of kvs) this.index.getOrCreate(toKeyString(kv.key)).put(kv.modRevision, 0, kv);
    this.currentRevision = Math.max(1, revision);
    this.compactRevision = compactRevision;
  }

  keyCount(): number {
    return this.index.size;
  }

  private logIndexAtOrAfter(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.revision < revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * WriteTxn makes one revision. Changes apply to the index at once, so reads inside the same
 * transaction see them (as in etcd); `end()` makes the revision current if anything changed.
 */
export class WriteTxn {
  private readonly beginRevision: number;
  private readonly events: Event[] = [];
  private readonly keys: KeyString[] = [];

  constructor(
    private readonly store: KVStore,
    private readonly index: TreeIndex,
  ) {
    this.beginRevision = store.currentRevision;
  }

  /** The revision reads inside this transaction see: the new one once something changed. */
  get revision(): number {
    return this.events.length > 0 ? this.beginRevision + 1 : this.beginRevision;
  }

  get changed(): boolean {
    return this.events.length > 0;
  }

  /** Reads at `revision`, or at this transaction's own revision when 0. */
  range(range: KeyRange, limit = 0, revision = 0): { kvs: KeyValue[]; count: number } {
    return this.store.range(range, revision, limit, this.revision);
  }

  latest(key: Buffer): KeyValue | null {
    return this.index.get(toKeyString(key))?.latest() ?? null;
  }

  put(key: Buffer, value: Buffer, lease: bigint): KeyValue | null {
    const keyString = toKeyString(key);
    const keyIndex = this.index.getOrCreate(keyString);
    const prev = keyIndex.latest();
    const rev = this.beginRevision + 1;
    const kv: KeyValue = {
      key,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: prev ? prev.version + 1 : 1,
      value,
      lease,
    };
    keyIndex.put(rev, this.events.length, kv);
    this.events.push(prev ? { type: 'PUT', kv, prevKv: prev } : { type: 'PUT', kv });
    this.keys.push(keyString);
    return prev;
  }

  /** Deletes every live key in the range and returns what each held. */
  deleteRange(range: KeyRange): KeyValue[] {
    const rev = this.beginRevision + 1;
    const deleted: KeyValue[] = [];
    // A tombstone changes the key's own history, not the tree, so it can go in during the walk.
    this.index.forEach(range, (key, keyIndex) => {
      const prev = keyIndex.latest();
      if (!prev) return;
      keyIndex.tombstone(rev, this.events.length);
      const kv: KeyValue = {
        key: prev.key,
        createRevision: 0,
        modRevision: rev,
        version: 0,
        value: EMPTY,
        lease: 0n,
      };
      this.events.push({ type: 'DELETE', kv, prevKv: prev });
      this.keys.push(key);
      deleted.push(prev);
    });
    return deleted;
  }

  /** Takes back every change made so far (the request failed part-way), leaving no revision. */
  abort(): void {
    const rev = this.beginRevision + 1;
    for (const key of this.keys) {
      const keyIndex = this.index.get(key);
      keyIndex?.dropRevision(rev);
      if (keyIndex?.isEmpty()) this.index.delete(key);
    }
    this.events.length = 0;
    this.keys.length = 0;
  }

  /** Makes the revision current; null when the transaction changed nothing. */
  end(): RevisionChanges | null {
    if (this.events.length === 0) return null;
    const changes = { revision: this.beginRevision + 1, events: this.events, keys: this.keys };
    this.store.commitWrite(changes);
    return changes;
  }
}
