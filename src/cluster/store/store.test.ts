import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import type { Backend, BackendStats, WalRecord } from './backend.ts';
import { CompactedError, FutureRevisionError, NoSpaceError } from './errors.ts';
import { Store, type StoreOptions } from './store.ts';
import type { WatchBatch } from './types.ts';

/**
 * A backend whose durability the test steers: records become durable when `sync()` is called,
 * and `fail()` makes the pending ones fail as a full disk would.
 */
class ScriptedBackend implements Backend {
  readonly durable: WalRecord[] = [];
  private queued: { record: WalRecord; resolve: () => void; reject: (err: Error) => void }[] = [];
  capture: () => WalRecord[] = () => [];
  autoSync = true;

  constructor(private readonly initial: WalRecord[] = []) {}

  async load(): Promise<WalRecord[]> {
    return this.initial;
  }

  append(record: WalRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ record, resolve, reject });
      if (this.autoSync) queueMicrotask(() => this.sync());
    });
  }

  sync(): void {
    const batch = this.queued;
    this.queued = [];
    for (const item of batch) {
      this.durable.push(item.record);
      item.resolve();
    }
  }

  fail(): void {
    const batch = this.queued;
    this.queued = [];
    for (const item of batch)
      item.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
  }

  setSnapshotSource(capture: () => WalRecord[]): void {
    this.capture = capture;
  }

  stats(): BackendStats {
    return { syncs: 0, records: this.durable.length, snapshots: 0, sizeBytes: 0 };
  }

  async close(): Promise<void> {}
}

const b = (s: string) => Buffer.from(s);
const str = (buf: Buffer | undefined) => buf?.toString();

async function openStore(backend = new ScriptedBackend(), options: Partial<StoreOptions> = {}) {
  const store = await Store.open({ backend, autoCompaction: { mode: 'off' }, ...options });
  return { store, backend };
}

describe('Store', () => {
  it('starts at revision 1 and gives each write the next revision', async () => {
    const { store } = await openStore();
    expect((await store.range({ key: b('a') })).header.revision).toBe(1);
    const first = await store.put({ key: b('a'), value: b('1') });
    const second = await store.put({ key: b('a'), value: b('2'), prevKv: true });
    expect(first.header.revision).toBe(2);
    expect(second.header.revision).toBe(3);
    expect(str(second.prevKv?.value)).toBe('1');
    const { kvs } = await store.range({ key: b('a') });
    expect(kvs[0]).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
    await store.close();
  });

  it('reads past revisions until they are compacted', async () => {
    const { store } = await openStore();
    await store.put({ key: b('k'), value: b('v1') });
    await store.put({ key: b('k'), value: b('v2') });
    await store.deleteRange({ key: b('k') });
    expect(str((await store.range({ key: b('k'), revision: 2 })).kvs[0]?.value)).toBe('v1');
    expect((await store.range({ key: b('k') })).kvs).toHaveLength(0);
    await expect(store.range({ key: b('k'), revision: 9 })).rejects.toBeInstanceOf(FutureRevisionError);
    await store.compact({ revision: 3 });
    expect(str((await store.range({ key: b('k'), revision: 3 })).kvs[0]?.value)).toBe('v2');
    await expect(store.range({ key: b('k'), revision: 2 })).rejects.toBeInstanceOf(CompactedError);
    await expect(store.compact({ revision: 3 })).rejects.toBeInstanceOf(CompactedError);
    await store.close();
  });

  it('runs a txn as one revision and leaves the store unchanged when a check fails', async () => {
    const { store } = await openStore();
    await store.put({ key: b('x'), value: b('1') });
    const resp = await store.txn({
      compare: [{ key: b('x'), target: 'VALUE', result: 'EQUAL', value: b('1') }],
      success: [
        { requestPut: { key: b('y'), value: b('2') } },
        { requestPut: { key: b('z'), value: b('3') } },
      ],
      failure: [],
    });
    expect(resp.succeeded).toBe(true);
    expect(resp.header.revision).toBe(3);
    const ys = await store.range({ key: b('y'), rangeEnd: b('{') });
    expect(ys.kvs.map((kv) => kv.modRevision)).toEqual([3, 3]);
    await expect(
      store.txn({
        compare: [],
        success: [{ requestPut: { key: b('w'), value: b('1'), lease: 42n } }],
        failure: [],
      }),
    ).rejects.toThrow('requested lease not found');
    expect((await store.range({ key: b('w') })).header.revision).toBe(3);
    await store.close();
  });

  it('replays history to a watcher that starts in the past, then goes live', async () => {
    const { store } = await openStore();
    await store.put({ key: b('w/a'), value: b('1') });
    await store.put({ key: b('w/b'), value: b('2') });
    const batches: WatchBatch[] = [];
    store.watch({ key: b('w/'), rangeEnd: b('w0'), startRevision: 2, prevKv: true }, (batch) => {
      batches.push(batch);
      return true;
    });
    await new Promise((r) => setImmediate(r));
    await store.put({ key: b('w/a'), value: b('3') });
    const events = batches.flatMap((batch) => batch.events);
    expect(events.map((e) => [e.type, str(e.kv.value), e.kv.modRevision])).toEqual([
      ['PUT', '1', 2],
      ['PUT', '2', 3],
      ['PUT', '3', 4],
    ]);
    expect(str(events[2]!.prevKv?.value)).toBe('1');
    await store.close();
  });

  it('parks a slow watcher without holding up writers or other watchers, then catches it up', async () => {
    const { store } = await openStore();
    const slow: number[] = [];
    const fast: number[] = [];
    const handle = store.watch({ key: b('s') }, (batch) => {
      slow.push(...batch.events.map((e) => e.kv.modRevision));
      return false;
    });
    store.watch({ key: b('s') }, (batch) => {
      fast.push(...batch.events.map((e) => e.kv.modRevision));
      return true;
    });
    for (let i = 0; i < 5; i++) await store.put({ key: b('s'), value: b(String(i)) });
    expect(fast).toEqual([2, 3, 4, 5, 6]);
    expect(slow).toEqual([2]);
    handle.resume();
    await new Promise((r) => setImmediate(r));
    expect(slow).toEqual([2, 3, 4, 5, 6]);
    await store.close();
  });

  it('tells a watcher below the compacted revision so', async () => {
    const { store } = await openStore();
    await store.put({ key: b('c'), value: b('1') });
    await store.put({ key: b('c'), value: b('2') });
    await store.compact({ revision: 3 });
    const batches: WatchBatch[] = [];
    store.watch({ key: b('c'), startRevision: 1 }, (batch) => batches.push(batch) > 0);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([{ header: { revision: 3 }, events: [], compactRevision: 3 }]);
    await store.close();
  });

  it('deletes the keys of an expired lease in one revision', async () => {
    const clock = new FakeClock(1_000_000);
    const { store } = await openStore(new ScriptedBackend(), { clock, leaseCheckIntervalMs: 5 });
    const lease = await store.leaseGrant({ ttl: 5 });
    await store.put({ key: b('l/1'), value: b('a'), lease: lease.id });
    await store.put({ key: b('l/2'), value: b('b'), lease: lease.id });
    const ttl = await store.leaseTimeToLive(lease.id, true);
    expect(ttl.keys.map(str)).toEqual(['l/1', 'l/2']);
    clock.step(5_001);
    await new Promise((r) => setTimeout(r, 30));
    const { kvs, header } = await store.range({ key: b('l/'), rangeEnd: b('l0') });
    expect(kvs).toHaveLength(0);
    expect(header.revision).toBe(4);
    expect((await store.leaseTimeToLive(lease.id, false)).ttl).toBe(-1);
    await store.close();
  });

  it('undoes every write that did not become durable when the backend fails', async () => {
    const backend = new ScriptedBackend();
    const { store } = await openStore(backend);
    await store.put({ key: b('keep'), value: b('1') });
    backend.autoSync = false;
    const lost = store.put({ key: b('keep'), value: b('2') });
    const alsoLost = store.put({ key: b('new'), value: b('x') });
    const read = store.range({ key: b('keep') });
    backend.fail();
    await expect(lost).rejects.toBeInstanceOf(NoSpaceError);
    await expect(alsoLost).rejects.toBeInstanceOf(NoSpaceError);
    expect(str((await read).kvs[0]?.value)).toBe('1');
    backend.autoSync = true;
    const next = await store.put({ key: b('keep'), value: b('3') });
    expect(next.header.revision).toBe(3);
    await store.close();
  });

  it('rebuilds the same state from its durable records and from a snapshot', async () => {
    const first = new ScriptedBackend();
    const { store } = await openStore(first);
    const lease = await store.leaseGrant({ ttl: 60 });
    await store.put({ key: b('r/a'), value: b('1'), lease: lease.id });
    await store.put({ key: b('r/b'), value: b('2') });
    await store.put({ key: b('r/b'), value: b('3') });
    await store.compact({ revision: 3 });
    await store.deleteRange({ key: b('r/a') });
    const snapshot = first.capture();
    await store.close();
    for (const records of [first.durable, snapshot]) {
      const { store: again } = await openStore(new ScriptedBackend(records));
      const { kvs, header } = await again.range({ key: b('r/'), rangeEnd: b('r0') });
      expect(header.revision).toBe(5);
      expect(kvs.map((kv) => [str(kv.key), str(kv.value), kv.createRevision, kv.version])).toEqual([
        ['r/b', '3', 3, 2],
      ]);
      expect(again.compactRevision).toBe(3);
      expect((await again.leaseLeases()).leases.map((l) => l.id)).toEqual([lease.id]);
      await again.close();
    }
  });
});
