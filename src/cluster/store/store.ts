import { type Clock, systemClock } from '../clock/clock.ts';
import {
  applyDeleteRange,
  applyPut,
  applyRange,
  applyTxn,
  checkPath,
  checkPut,
  checkPutRequest,
  checkTxnRequest,
  comparePath,
} from './apply.ts';
import type { Backend, Change, WalRecord } from './backend.ts';
import { type AutoCompaction, Compactor } from './compactor.ts';
import { CompactedError, EmptyKeyError, FutureRevisionError, NoSpaceError, StoppedError } from './errors.ts';
import { keyRange, toKeyString } from './key-range.ts';
import { KVStore, type RevisionChanges, type WriteTxn } from './kv-store.ts';
import { type Lease, Lessor } from './lessor.ts';
import type {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseStatus,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StoreHeader,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchHandle,
  WatchSink,
} from './types.ts';
import { WatchableStore } from './watchable-store.ts';

export interface StoreOptions {
  readonly backend: Backend;
  readonly clock?: Clock;
  readonly autoCompaction?: AutoCompaction;
  /** How often the auto-compaction policy is checked. */
  readonly autoCompactionIntervalMs?: number;
  /** etcd's --max-txn-ops: 128. */
  readonly maxTxnOps?: number;
  readonly progressNotifyIntervalMs?: number;
  /** How often expired leases are looked for. */
  readonly leaseCheckIntervalMs?: number;
  readonly minLeaseTtl?: number;
  /** Where background failures (an expiring lease that cannot be written) are reported. */
  readonly onError?: (err: unknown) => void;
}

/**
 * A change applied in memory whose backend record is not yet durable. Nothing outside the store
 * sees it until it is: watchers are told at commit, and reads that saw it wait for it.
 */
interface Pending {
  readonly revision: number;
  readonly changes?: RevisionChanges;
  readonly undo?: () => void;
  durable: boolean;
  failed: boolean;
  /** Reads that saw this change, waiting to learn whether it became durable. */
  waiters?: ((durable: boolean) => void)[];
}

/** A lab default: keep the last 10,000 revisions, enough history for every lesson. */
const DEFAULT_AUTO_COMPACTION: AutoCompaction = { mode: 'revision', retention: 10_000 };

/**
 * Store is the etcd-like key-value store: MVCC (KVStore), watches (WatchableStore), leases (Lessor)
 * and durability (Backend) put together behind etcd's KV, Watch and Lease services.
 *
 * Write path: a request is checked, applied in memory, and its record appended to the backend in
 * the same tick (so records are in revision order). The answer waits until the backend has synced
 * the record; only then do watchers hear of it. If the backend fails (a full disk), every change not
 * yet durable is undone, newest first, and its caller gets NoSpaceError: nothing acknowledged is lost
 * and nothing unacknowledged was ever seen.
 */
export class Store {
  private readonly kv = new KVStore();
  private readonly lessor: Lessor;
  private readonly watchable: WatchableStore;
  private readonly pending: Pending[] = [];
  private readonly compactor: Compactor;
  private readonly leaseTimer: NodeJS.Timeout;
  private readonly maxTxnOps: number;
  private readonly onError: (err: unknown) => void;
  private closed = false;

  private constructor(
    private readonly backend: Backend,
    records: WalRecord[],
    options: StoreOptions,
  ) {
    const clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error('store:', err));
    this.maxTxnOps = options.maxTxnOps ?? 128;
    this.lessor = new Lessor({ clock, minTtl: options.minLeaseTtl });
    this.replay(records);
    this.watchable = new WatchableStore(this.kv, {
      progressNotifyIntervalMs: options.progressNotifyIntervalMs,
    });
    backend.setSnapshotSource(() => this.snapshotRecords());
    this.compactor = new Compactor(
      options.autoCompaction ?? DEFAULT_AUTO_COMPACTION,
      this,
      clock,
      options.autoCompactionIntervalMs ?? 5_000,
      this.onError,
    );
    this.leaseTimer = setInterval(() => this.expireLeases(), options.leaseCheckIntervalMs ?? 500);
    this.leaseTimer.unref();
  }

  static async open(options: StoreOptions): Promise<Store> {
    const records = await options.backend.load();
    return new Store(options.backend, records, options);
  }

  get revision(): number {
    return this.watchable.committedRevision;
  }

  get compactRevision(): number {
    return this.kv.compactRevision;
  }

  async range(req: RangeRequest): Promise<RangeResponse> {
    if (req.key.length === 0) throw new EmptyKeyError();
    // A transaction that is never ended is a consistent view at the current revision.
    return this.read(() => applyRange(this.kv.write(), req));
  }

  async put(req: PutRequest): Promise<PutResponse> {
    checkPutRequest(req);
    return this.write((txn) => {
      checkPut(txn, req, this.lessor);
      return applyPut(txn, req);
    });
  }

  async deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    if (req.key.length === 0) throw new EmptyKeyError();
    return this.write((txn) => applyDeleteRange(txn, req));
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    checkTxnRequest(req, this.maxTxnOps);
    return this.write((txn) => {
      const path = comparePath(txn, req);
      checkPath(txn, req, path, this.lessor);
      return applyTxn(txn, req, path);
    });
  }

  /** Auto-compaction reads the durable revision through this name. */
  get committedRevision(): number {
    return this.watchable.committedRevision;
  }

  async compact(req: CompactionRequest): Promise<CompactionResponse> {
    this.assertOpen();
    // Only durable history may be compacted: what is above it could still be rolled back.
    if (req.revision > this.watchable.committedRevision) throw new FutureRevisionError();
    if (req.revision <= this.kv.compactRevision) throw new CompactedError(this.kv.compactRevision);
    this.kv.compact(req.revision);
    this.watchable.compacted();
    await this.persist({ type: 'compact', revision: req.revision });
    return { header: this.header() };
  }

  watch(req: WatchCreateRequest, sink: WatchSink): WatchHandle {
    this.assertOpen();
    return this.watchable.watch(req, sink);
  }

  async leaseGrant(req: LeaseGrantRequest): Promise<LeaseGrantResponse> {
    this.assertOpen();
    const { id, ttl } = this.lessor.prepareGrant(req.id ?? 0n, req.ttl);
    this.lessor.grant(id, ttl);
    await this.persist({ type: 'leaseGrant', id, ttl }, undefined, () => this.lessor.revoke(id));
    return { header: this.header(), id, ttl };
  }

  async leaseRevoke(id: bigint): Promise<{ header: StoreHeader }> {
    this.assertOpen();
    await this.revokeLease(this.lessor.revoke(id));
    return { header: this.header() };
  }

  async leaseKeepAlive(id: bigint): Promise<{ header: StoreHeader; id: bigint; ttl: number }> {
    this.assertOpen();
    return { header: this.header(), id, ttl: this.lessor.renew(id) };
  }

  async leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse> {
    this.assertOpen();
    const lease = this.lessor.get(id);
    if (!lease) return { header: this.header(), id, ttl: -1, grantedTtl: 0, keys: [] };
    const attached = keys ? [...lease.keys].sort().map((key) => Buffer.from(key, 'latin1')) : [];
    return {
      header: this.header(),
      id,
      ttl: this.lessor.remaining(lease),
      grantedTtl: lease.ttl,
      keys: attached,
    };
  }

  async leaseLeases(): Promise<{ header: StoreHeader; leases: LeaseStatus[] }> {
    this.assertOpen();
    return { header: this.header(), leases: this.lessor.all().map((lease) => ({ id: lease.id })) };
  }

  status(): {
    revision: number;
    compactRevision: number;
    dbSize: number;
    dbSizeInUse: number;
    keys: number;
    watchers: { synced: number; unsynced: number };
  } {
    const size = this.backend.stats().sizeBytes;
    return {
      revision: this.watchable.committedRevision,
      compactRevision: this.kv.compactRevision,
      dbSize: size,
      dbSizeInUse: size,
      keys: this.kv.keyCount(),
      watchers: this.watchable.watcherCount(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.leaseTimer);
    this.compactor.stop();
    this.watchable.close();
    await this.backend.close();
  }

  private header(): StoreHeader {
    return { revision: this.kv.currentRevision };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoppedError();
  }

  /** Runs a read; if it saw changes not yet durable, answers once they are (or reads again). */
  private async read<T>(run: () => T): Promise<T> {
    this.assertOpen();
    for (;;) {
      const seen = this.kv.currentRevision;
      const result = run();
      if (await this.durable(seen)) return result;
    }
  }

  /** Waits until `revision` is durable: true, or false if it was rolled back. */
  private async durable(revision: number): Promise<boolean> {
    const entry = this.pending.findLast((p) => p.revision <= revision && p.changes);
    if (!entry || entry.durable) return !entry?.failed;
    return new Promise((resolve) => {
      entry.waiters ??= [];
      entry.waiters.push(resolve);
    });
  }

  private async write<T>(run: (txn: WriteTxn) => T): Promise<T> {
    this.assertOpen();
    const txn = this.kv.write();
    let result: T;
    try {
      result = run(txn);
    } catch (err) {
      // Requests are checked before they change anything; this guards the invariant anyway.
      txn.abort();
      throw err;
    }
    const changes = txn.end();
    if (!changes) {
      await this.durable(this.kv.currentRevision);
      return result;
    }
    this.attachLeases(changes);
    await this.persist(txnRecord(changes), changes);
    return result;
  }

  /**
   * Appends a record for a change already applied in memory and waits for it to be durable.
   * Commits happen strictly in append order, whatever order promises settle in.
   */
  private async persist(record: WalRecord, changes?: RevisionChanges, undo?: () => void): Promise<void> {
    const entry: Pending = {
      revision: changes?.revision ?? this.kv.currentRevision,
      changes,
      undo: changes ? () => this.undoChanges(changes) : undo,
      durable: false,
      failed: false,
    };
    this.pending.push(entry);
    try {
      await this.backend.append(record);
    } catch (err) {
      this.rollbackFrom(entry);
      throw err instanceof NoSpaceError ? err : new NoSpaceError(err);
    }
    if (entry.failed) throw new NoSpaceError();
    entry.durable = true;
    this.drainCommitted();
  }

  private drainCommitted(): void {
    while (this.pending[0]?.durable) {
      const entry = this.pending.shift()!;
      if (entry.changes) this.watchable.notify(entry.changes);
      this.wake(entry, true);
    }
  }

  /** Undoes `from` and everything applied after it, newest first. */
  private rollbackFrom(from: Pending): void {
    if (from.failed) return;
    const index = this.pending.indexOf(from);
    const undone = this.pending.splice(index);
    for (const entry of undone.reverse()) {
      entry.failed = true;
      entry.undo?.();
      this.wake(entry, false);
    }
  }

  private wake(entry: Pending, ok: boolean): void {
    for (const resolve of entry.waiters ?? []) resolve(ok);
  }

  private undoChanges(changes: RevisionChanges): void {
    this.kv.rollback(changes.revision);
    for (const [i, event] of changes.events.entries()) {
      const key = changes.keys[i]!;
      if (event.type === 'PUT') this.lessor.attach(key, event.kv.lease, event.prevKv?.lease ?? 0n);
      else this.lessor.attach(key, 0n, event.prevKv?.lease ?? 0n);
    }
  }

  private attachLeases(changes: RevisionChanges): void {
    for (const [i, event] of changes.events.entries()) {
      const key = changes.keys[i]!;
      if (event.type === 'PUT') this.lessor.attach(key, event.prevKv?.lease ?? 0n, event.kv.lease);
      else this.lessor.attach(key, event.prevKv?.lease ?? 0n, 0n);
    }
  }

  /** Revoking deletes the lease's keys in one revision, then forgets the lease. */
  private async revokeLease(lease: Lease): Promise<void> {
    const txn = this.kv.write();
    for (const key of [...lease.keys].sort()) txn.deleteRange(keyRange(Buffer.from(key, 'latin1')));
    const changes = txn.end();
    const persisted: Promise<void>[] = [];
    if (changes) persisted.push(this.persist(txnRecord(changes), changes));
    persisted.push(
      this.persist({ type: 'leaseRevoke', id: lease.id }, undefined, () => this.lessor.reinstate(lease)),
    );
    await Promise.all(persisted);
  }

  private expireLeases(): void {
    if (this.closed) return;
    for (const lease of this.lessor.expired()) {
      if (!this.lessor.exists(lease.id)) continue;
      this.revokeLease(this.lessor.revoke(lease.id)).catch(this.onError);
    }
  }

  private replay(records: readonly WalRecord[]): void {
    for (const record of records) {
      switch (record.type) {
        case 'base':
          this.kv.restoreBase(record.revision, record.compactRevision, record.kvs);
          break;
        case 'txn': {
          const txn = this.kv.write();
          for (const change of record.changes) {
            if (change.op === 'put') txn.put(change.key, change.value, change.lease);
            else txn.deleteRange(keyRange(change.key));
          }
          const changes = txn.end();
          if (changes?.revision !== record.revision) {
            throw new Error(
              `store: WAL record for revision ${record.revision} replayed as ${changes?.revision}`,
            );
          }
          break;
        }
        case 'leaseGrant':
          if (!this.lessor.exists(record.id)) this.lessor.grant(record.id, record.ttl);
          break;
        case 'leaseRevoke':
          if (this.lessor.exists(record.id)) this.lessor.revoke(record.id);
          break;
        case 'compact':
          if (record.revision > this.kv.compactRevision) this.kv.compact(record.revision);
          break;
      }
    }
    const all = this.kv.range({ start: '', single: false }, 0);
    for (const kv of all.kvs) if (kv.lease !== 0n) this.lessor.attach(toKeyString(kv.key), 0n, kv.lease);
    this.lessor.refreshAll();
  }

  /** Records that rebuild everything applied so far: leases, keys at the compaction, then history. */
  private snapshotRecords(): WalRecord[] {
    const records: WalRecord[] = this.lessor
      .all()
      .map((lease) => ({ type: 'leaseGrant', id: lease.id, ttl: lease.ttl }));
    const compactRevision = this.kv.compactRevision;
    records.push({
      type: 'base',
      revision: Math.max(1, compactRevision),
      compactRevision,
      kvs: this.kv.keysAtCompactRevision(),
    });
    for (const changes of this.kv.changesBetween(compactRevision + 1, this.kv.currentRevision)) {
      records.push(txnRecord(changes));
    }
    return records;
  }
}

function txnRecord(changes: RevisionChanges): WalRecord {
  return {
    type: 'txn',
    revision: changes.revision,
    changes: changes.events.map(
      (event): Change =>
        event.type === 'PUT'
          ? { op: 'put', key: event.kv.key, value: event.kv.value, lease: event.kv.lease }
          : { op: 'delete', key: event.kv.key },
    ),
  };
}
