import {
  DuplicateKeyError,
  EmptyKeyError,
  KeyNotFoundError,
  LeaseNotFoundError,
  LeaseProvidedError,
  TooManyOpsError,
  ValueProvidedError,
} from './errors.ts';
import { type KeyRange, keyRange, rangeContains, toKeyString } from './key-range.ts';
import type { WriteTxn } from './kv-store.ts';
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './types.ts';

// The applier: how each request of etcd's KV service acts on a write transaction. Requests are
// checked in full before anything changes, as etcd's applier does, so a refused request leaves
// the store as it was.

/** What the applier needs from the lessor. */
export interface LeaseLookup {
  exists(id: bigint): boolean;
}

const EMPTY = Buffer.alloc(0);

/** Shape checks etcd's gRPC layer makes before a request reaches the applier. */
export function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if ('requestRange' in op) {
    if (op.requestRange.key.length === 0) throw new EmptyKeyError();
  } else if ('requestPut' in op) {
    checkPutRequest(op.requestPut);
  } else if ('requestDeleteRange' in op) {
    if (op.requestDeleteRange.key.length === 0) throw new EmptyKeyError();
  } else {
    checkTxnRequest(op.requestTxn, maxTxnOps);
  }
}

export function checkPutRequest(req: PutRequest): void {
  if (req.key.length === 0) throw new EmptyKeyError();
  if (req.ignoreValue && req.value && req.value.length > 0) throw new ValueProvidedError();
  if (req.ignoreLease && req.lease && req.lease !== 0n) throw new LeaseProvidedError();
}

export function checkTxnRequest(req: TxnRequest, maxTxnOps: number): void {
  if (req.compare.length > maxTxnOps || req.success.length > maxTxnOps || req.failure.length > maxTxnOps) {
    throw new TooManyOpsError();
  }
  for (const c of req.compare) if (c.key.length === 0) throw new EmptyKeyError();
  for (const op of req.success) checkRequestOp(op, maxTxnOps);
  for (const op of req.failure) checkRequestOp(op, maxTxnOps);
  checkIntervals(req.success);
  checkIntervals(req.failure);
}

interface WriteSet {
  readonly puts: Set<string>;
  readonly deletes: KeyRange[];
}

/**
 * A branch may write a key once: two puts of one key, or a put inside a range the branch deletes,
 * is refused as etcd refuses it. A nested txn contributes both its branches, since either may run.
 */
function checkIntervals(ops: readonly RequestOp[]): WriteSet {
  const set: WriteSet = { puts: new Set(), deletes: [] };
  for (const op of ops) {
    if ('requestPut' in op) {
      const key = toKeyString(op.requestPut.key);
      if (set.puts.has(key)) throw new DuplicateKeyError();
      set.puts.add(key);
    } else if ('requestDeleteRange' in op) {
      set.deletes.push(keyRange(op.requestDeleteRange.key, op.requestDeleteRange.rangeEnd));
    } else if ('requestTxn' in op) {
      const success = checkIntervals(op.requestTxn.success);
      const failure = checkIntervals(op.requestTxn.failure);
      for (const key of [...success.puts, ...failure.puts])
        if (set.puts.has(key)) throw new DuplicateKeyError();
      for (const key of [...success.puts, ...failure.puts]) set.puts.add(key);
      set.deletes.push(...success.deletes, ...failure.deletes);
    }
  }
  for (const key of set.puts) {
    if (set.deletes.some((range) => rangeContains(range, key))) throw new DuplicateKeyError();
  }
  return set;
}

/**
 * The branch each txn takes, in pre-order (outer first, then nested txns of the chosen branch),
 * all judged against the state before the transaction runs, as etcd judges them.
 */
export function comparePath(txn: WriteTxn, req: TxnRequest): boolean[] {
  const succeeded = req.compare.every((c) => compareHolds(txn, c));
  const path = [succeeded];
  for (const op of succeeded ? req.success : req.failure) {
    if ('requestTxn' in op) path.push(...comparePath(txn, op.requestTxn));
  }
  return path;
}

function compareHolds(txn: WriteTxn, c: Compare): boolean {
  const { kvs } = txn.range(keyRange(c.key, c.rangeEnd));
  if (kvs.length === 0) {
    // A missing key has no value to compare; its version, revisions and lease count as 0.
    if (c.target === 'VALUE') return false;
    return compareKV(c, {
      key: c.key,
      createRevision: 0,
      modRevision: 0,
      version: 0,
      value: EMPTY,
      lease: 0n,
    });
  }
  return kvs.every((kv) => compareKV(c, kv));
}

function compareKV(c: Compare, kv: KeyValue): boolean {
  let order: number;
  switch (c.target) {
    case 'VALUE':
      order = Buffer.compare(kv.value, c.value);
      break;
    case 'VERSION':
      order = Math.sign(kv.version - c.version);
      break;
    case 'CREATE':
      order = Math.sign(kv.createRevision - c.createRevision);
      break;
    case 'MOD':
      order = Math.sign(kv.modRevision - c.modRevision);
      break;
    case 'LEASE':
      order = kv.lease === c.lease ? 0 : kv.lease > c.lease ? 1 : -1;
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return order === 0;
    case 'NOT_EQUAL':
      return order !== 0;
    case 'GREATER':
      return order > 0;
    case 'LESS':
      return order < 0;
  }
}

/** Checks the ops on the chosen path against the current state (leases, ignore_* keys, revisions). */
export function checkPath(txn: WriteTxn, req: TxnRequest, path: boolean[], leases: LeaseLookup): void {
  const cursor = { at: 0 };
  const walk = (r: TxnRequest): void => {
    const succeeded = path[cursor.at++]!;
    for (const op of succeeded ? r.success : r.failure) {
      if ('requestPut' in op) checkPut(txn, op.requestPut, leases);
      else if ('requestRange' in op && op.requestRange.revision) {
        txn.range(keyRange(op.requestRange.key, op.requestRange.rangeEnd), 1, op.requestRange.revision);
      } else if ('requestTxn' in op) walk(op.requestTxn);
    }
  };
  walk(req);
}

export function checkPut(txn: WriteTxn, req: PutRequest, leases: LeaseLookup): void {
  if (req.ignoreValue || req.ignoreLease) {
    if (!txn.latest(req.key)) throw new KeyNotFoundError();
  }
  const lease = req.lease ?? 0n;
  if (!req.ignoreLease && lease !== 0n && !leases.exists(lease)) throw new LeaseNotFoundError();
}

export function applyRange(txn: WriteTxn, req: RangeRequest): RangeResponse {
  const range = keyRange(req.key, req.rangeEnd);
  const limit = req.limit ?? 0;
  const filtered = Boolean(
    req.minModRevision || req.maxModRevision || req.minCreateRevision || req.maxCreateRevision,
  );
  const sortOrder = req.sortOrder ?? 'NONE';
  const sortTarget = req.sortTarget ?? 'KEY';
  // Sorting or filtering needs every key first; otherwise fetch one past the limit to learn `more`.
  const fetchAll = sortOrder !== 'NONE' || sortTarget !== 'KEY' || filtered || limit <= 0;
  const result = txn.range(range, fetchAll ? 0 : limit + 1, req.revision ?? 0);
  let kvs = filtered ? result.kvs.filter((kv) => withinFilters(kv, req)) : result.kvs;
  // The index yields keys ascending, so only a non-key target or a descending order needs sorting.
  const order = sortOrder === 'NONE' && sortTarget !== 'KEY' ? 'ASCEND' : sortOrder;
  if (order === 'DESCEND' || (order === 'ASCEND' && sortTarget !== 'KEY'))
    kvs = sortKVs(kvs, sortTarget, order);
  let more = false;
  if (limit > 0 && kvs.length > limit) {
    kvs = kvs.slice(0, limit);
    more = true;
  }
  if (req.countOnly) {
    kvs = [];
    more = false;
  } else if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
  return { header: { revision: txn.revision }, kvs, more, count: result.count };
}

function withinFilters(kv: KeyValue, req: RangeRequest): boolean {
  if (req.minModRevision && kv.modRevision < req.minModRevision) return false;
  if (req.maxModRevision && kv.modRevision > req.maxModRevision) return false;
  if (req.minCreateRevision && kv.createRevision < req.minCreateRevision) return false;
  if (req.maxCreateRevision && kv.createRevision > req.maxCreateRevision) return false;
  return true;
}

function sortKVs(kvs: KeyValue[], target: string, order: 'ASCEND' | 'DESCEND'): KeyValue[] {
  const pick = (kv: KeyValue): number | Buffer => {
    switch (target) {
      case 'VERSION':
        return kv.version;
      case 'CREATE':
        return kv.createRevision;
      case 'MOD':
        return kv.modRevision;
      case 'VALUE':
        return kv.value;
      default:
        return kv.key;
    }
  };
  const sign = order === 'ASCEND' ? 1 : -1;
  return [...kvs].sort((a, b) => {
    const x = pick(a);
    const y = pick(b);
    const cmp = typeof x === 'number' ? x - (y as number) : Buffer.compare(x, y as Buffer);
    return sign * cmp;
  });
}

export function applyPut(txn: WriteTxn, req: PutRequest): PutResponse {
  const prev = txn.latest(req.key);
  const value = req.ignoreValue ? prev!.value : (req.value ?? EMPTY);
  const lease = req.ignoreLease ? prev!.lease : (req.lease ?? 0n);
  txn.put(req.key, value, lease);
  const header = { revision: txn.revision };
  return req.prevKv && prev ? { header, prevKv: prev } : { header };
}

export function applyDeleteRange(txn: WriteTxn, req: DeleteRangeRequest): DeleteRangeResponse {
  const prevKvs = txn.deleteRange(keyRange(req.key, req.rangeEnd));
  return { header: { revision: txn.revision }, deleted: prevKvs.length, prevKvs: req.prevKv ? prevKvs : [] };
}

/** Runs a checked txn along its path. */
export function applyTxn(txn: WriteTxn, req: TxnRequest, path: boolean[], cursor = { at: 0 }): TxnResponse {
  const succeeded = path[cursor.at++]!;
  const responses: ResponseOp[] = [];
  for (const op of succeeded ? req.success : req.failure) {
    if ('requestRange' in op) responses.push({ responseRange: applyRange(txn, op.requestRange) });
    else if ('requestPut' in op) responses.push({ responsePut: applyPut(txn, op.requestPut) });
    else if ('requestDeleteRange' in op) {
      responses.push({ responseDeleteRange: applyDeleteRange(txn, op.requestDeleteRange) });
    } else responses.push({ responseTxn: applyTxn(txn, op.requestTxn, path, cursor) });
  }
  return { header: { revision: txn.revision }, succeeded, responses };
}
