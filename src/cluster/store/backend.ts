import type { KeyValue } from './types.ts';

/**
 * WalRecord is one durable change. Replaying records in order rebuilds the store exactly:
 * - `txn` is one revision: its changes carry sub-revisions 0, 1, 2... in order.
 * - `base` restores keys as they stood at a compaction (a snapshot starts with these).
 * - lease records keep the lease table; key deletions of a revoked lease come as their own `txn`.
 */
export type WalRecord =
  | { readonly type: 'txn'; readonly revision: number; readonly changes: readonly Change[] }
  | {
      readonly type: 'base';
      readonly revision: number;
      readonly compactRevision: number;
      readonly kvs: readonly KeyValue[];
    }
  | { readonly type: 'leaseGrant'; readonly id: bigint; readonly ttl: number }
  | { readonly type: 'leaseRevoke'; readonly id: bigint }
  | { readonly type: 'compact'; readonly revision: number };

export type Change =
  | { readonly op: 'put'; readonly key: Buffer; readonly value: Buffer; readonly lease: bigint }
  | { readonly op: 'delete'; readonly key: Buffer };

export interface BackendStats {
  /** fdatasync calls made: with group commit this grows slower than `records`. */
  readonly syncs: number;
  readonly records: number;
  readonly snapshots: number;
  /** Bytes on disk now (snapshot plus WAL), reported as etcd's dbSize. */
  readonly sizeBytes: number;
}

/**
 * Backend is where the store's changes become durable. The store applies a change in memory, calls
 * `append` in the same tick, and acknowledges the change only when the promise resolves.
 */
export interface Backend {
  /** Every durable record, oldest first. Called once, before any append. */
  load(): Promise<WalRecord[]>;
  /** Resolves once the record (and every record appended before it) is on stable storage. */
  append(record: WalRecord): Promise<void>;
  /**
   * The backend calls `capture` synchronously when it decides to snapshot; the records returned
   * must rebuild everything appended so far.
   */
  setSnapshotSource(capture: () => WalRecord[]): void;
  stats(): BackendStats;
  close(): Promise<void>;
}
