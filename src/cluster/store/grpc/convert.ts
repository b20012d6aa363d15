// Conversions between etcd's messages (as proto-loader decodes them, see messages.ts) and the store's
// own request and response types. The two follow the same etcd API field for field, so converting is
// renaming, turning int64 strings into numbers or bigints, and back.

import { status } from '@grpc/grpc-js';
import { KeyNotFoundError, StoreError } from '../errors.ts';
import type {
  CompactionRequest,
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
} from '../types.ts';
import type {
  CompactionRequestPb,
  ComparePb,
  DeleteRangeRequestPb,
  DeleteRangeResponsePb,
  EventPb,
  GrpcStatus,
  Int64In,
  Int64Out,
  KeyValuePb,
  LongBits,
  NestedHeaderPb,
  PutRequestPb,
  PutResponsePb,
  RangeRequestPb,
  RangeResponsePb,
  RequestOpPb,
  ResponseHeaderPb,
  ResponseOpPb,
  TxnRequestPb,
  TxnResponsePb,
  WatchCreateRequestPb,
} from './messages.ts';

type Header = ResponseHeaderPb | NestedHeaderPb;

// --- 64-bit integers

/** A decoded int64 as bigint, for lease IDs, which use all 64 bits. */
export const toBigInt = (value: Int64In): bigint => (value === '0' ? 0n : BigInt(value));

export const longBits = (value: bigint): LongBits => ({
  low: Number(BigInt.asIntN(32, value)),
  high: Number(BigInt.asIntN(32, value >> 32n)),
});

/** A lease ID for the wire; "no lease" is by far the most common and needs no conversion. */
export const leaseId = (id: bigint): Int64Out => (id === 0n ? 0 : longBits(id));

// --- Requests

export const rangeRequest = (r: RangeRequestPb): RangeRequest => ({
  key: r.key,
  rangeEnd: r.range_end,
  limit: Number(r.limit),
  revision: Number(r.revision),
  sortOrder: r.sort_order,
  sortTarget: r.sort_target,
  serializable: r.serializable,
  keysOnly: r.keys_only,
  countOnly: r.count_only,
  minModRevision: Number(r.min_mod_revision),
  maxModRevision: Number(r.max_mod_revision),
  minCreateRevision: Number(r.min_create_revision),
  maxCreateRevision: Number(r.max_create_revision),
});

export const putRequest = (r: PutRequestPb): PutRequest => ({
  key: r.key,
  value: r.value,
  lease: toBigInt(r.lease),
  prevKv: r.prev_kv,
  ignoreValue: r.ignore_value,
  ignoreLease: r.ignore_lease,
});

export const deleteRangeRequest = (r: DeleteRangeRequestPb): DeleteRangeRequest => ({
  key: r.key,
  rangeEnd: r.range_end,
  prevKv: r.prev_kv,
});

export const compactionRequest = (r: CompactionRequestPb): CompactionRequest => ({
  revision: Number(r.revision),
  physical: r.physical,
});

export const txnRequest = (r: TxnRequestPb): TxnRequest => ({
  compare: r.compare.map(compare),
  success: r.success.map(requestOp),
  failure: r.failure.map(requestOp),
});

function requestOp(op: RequestOpPb): RequestOp {
  switch (op.request) {
    case 'request_range':
      return { requestRange: rangeRequest(op.request_range!) };
    case 'request_put':
      return { requestPut: putRequest(op.request_put!) };
    case 'request_delete_range':
      return { requestDeleteRange: deleteRangeRequest(op.request_delete_range!) };
    case 'request_txn':
      return { requestTxn: txnRequest(op.request_txn!) };
    default:
      // An op with nothing set; etcd answers it with this error too.
      throw new KeyNotFoundError();
  }
}

/**
 * The compared value is the member of the oneof that `target` names. A client may leave a zero
 * value out, so a missing member reads as zero, as it does in etcd.
 */
function compare(c: ComparePb): Compare {
  const base = { result: c.result, key: c.key, rangeEnd: c.range_end };
  switch (c.target) {
    case 'VERSION':
      return { ...base, target: 'VERSION', version: Number(c.version ?? 0) };
    case 'CREATE':
      return { ...base, target: 'CREATE', createRevision: Number(c.create_revision ?? 0) };
    case 'MOD':
      return { ...base, target: 'MOD', modRevision: Number(c.mod_revision ?? 0) };
    case 'VALUE':
      return { ...base, target: 'VALUE', value: c.value ?? Buffer.alloc(0) };
    case 'LEASE':
      return { ...base, target: 'LEASE', lease: toBigInt(c.lease ?? '0') };
    default:
      // Only a hand-made message gets here: the decoder passes unknown enum numbers through.
      throw new StoreError(`etcdserver: unknown compare target ${String(c.target)}`, 'INVALID_ARGUMENT');
  }
}

/** etcd watches from the smallest key, "\0", when the key is empty. */
const SMALLEST_KEY = Buffer.from([0]);

export const watchCreateRequest = (r: WatchCreateRequestPb): WatchCreateRequest => ({
  key: r.key.length === 0 ? SMALLEST_KEY : r.key,
  rangeEnd: r.range_end,
  startRevision: Number(r.start_revision),
  progressNotify: r.progress_notify,
  filters: r.filters,
  prevKv: r.prev_kv,
});

// --- Responses

const keyValue = (kv: KeyValue): KeyValuePb => ({
  key: kv.key,
  create_revision: kv.createRevision,
  mod_revision: kv.modRevision,
  version: kv.version,
  value: kv.value,
  lease: leaseId(kv.lease),
});

export const event = (e: Event): EventPb => ({
  type: e.type,
  kv: keyValue(e.kv),
  prev_kv: e.prevKv && keyValue(e.prevKv),
});

export const rangeResponse = (r: RangeResponse, header: Header): RangeResponsePb => ({
  header,
  kvs: r.kvs.map(keyValue),
  more: r.more,
  count: r.count,
});

export const putResponse = (r: PutResponse, header: Header): PutResponsePb => ({
  header,
  prev_kv: r.prevKv && keyValue(r.prevKv),
});

export const deleteRangeResponse = (r: DeleteRangeResponse, header: Header): DeleteRangeResponsePb => ({
  header,
  deleted: r.deleted,
  prev_kvs: r.prevKvs.map(keyValue),
});

export const txnResponse = (r: TxnResponse, header: Header): TxnResponsePb => ({
  header,
  succeeded: r.succeeded,
  responses: r.responses.map(responseOp),
});

/**
 * Inside a txn, etcd's range, put and delete answers carry a header holding only the revision, and a
 * nested txn's answer carries an empty header.
 */
function responseOp(op: ResponseOp): ResponseOpPb {
  if ('responseRange' in op) {
    return { response_range: rangeResponse(op.responseRange, nestedHeader(op.responseRange)) };
  }
  if ('responsePut' in op) return { response_put: putResponse(op.responsePut, nestedHeader(op.responsePut)) };
  if ('responseDeleteRange' in op) {
    const res = op.responseDeleteRange;
    return { response_delete_range: deleteRangeResponse(res, nestedHeader(res)) };
  }
  return { response_txn: txnResponse(op.responseTxn, EMPTY_HEADER) };
}

const nestedHeader = (r: { readonly header: { readonly revision: number } }): NestedHeaderPb => ({
  revision: r.header.revision,
});

const EMPTY_HEADER: NestedHeaderPb = { revision: 0 };

// --- Errors

/**
 * A store error already carries etcd's message and status code. Anything else is a bug in orch-lab;
 * the client gets UNKNOWN (what gRPC-Go servers such as etcd send for an unmapped error) and the
 * server keeps running.
 */
export function toStatus(err: unknown): GrpcStatus {
  if (err instanceof StoreError) return { code: status[err.grpcCode], details: err.message };
  return { code: status.UNKNOWN, details: err instanceof Error ? err.message : String(err) };
}
