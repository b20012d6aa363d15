// Conversions between etcd's messages (as proto-loader decodes them, see messages.ts) and the store's
// own request and response types. The two follow the same etcd API field for field, so converting is
// renaming, turning int64 strings into numbers or bigints, and back.
//
// Both directions live here. The server (server.ts) decodes requests and encodes responses; the API
// server's client of a real etcd (EtcdKV) encodes requests and decodes responses: those converters
// are the `...Pb` builders and the `from...` readers at the end of this file.

import { status } from '@grpc/grpc-js';
import {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  type GrpcCodeName,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseProvidedError,
  LeaseTTLTooLargeError,
  NoSpaceError,
  RequestTooLargeError,
  StoppedError,
  StoreError,
  TooManyOpsError,
  ValueProvidedError,
} from '../store/errors.ts';
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
  WatchBatch,
  WatchCreateRequest,
} from '../store/types.ts';
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
  Received,
  RequestOpPb,
  ResponseHeaderPb,
  ResponseOpPb,
  Sent,
  TxnRequestPb,
  TxnResponsePb,
  WatchCreateRequestPb,
  WatchResponsePb,
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

// --- Client direction: the store's requests out

export const rangeRequestPb = (r: RangeRequest): Sent<RangeRequestPb> => ({
  key: r.key,
  range_end: r.rangeEnd,
  limit: r.limit,
  revision: r.revision,
  sort_order: r.sortOrder,
  sort_target: r.sortTarget,
  serializable: r.serializable,
  keys_only: r.keysOnly,
  count_only: r.countOnly,
  min_mod_revision: r.minModRevision,
  max_mod_revision: r.maxModRevision,
  min_create_revision: r.minCreateRevision,
  max_create_revision: r.maxCreateRevision,
});

const putRequestPb = (r: PutRequest): Sent<PutRequestPb> => ({
  key: r.key,
  value: r.value,
  lease: r.lease === undefined ? undefined : leaseId(r.lease),
  prev_kv: r.prevKv,
  ignore_value: r.ignoreValue,
  ignore_lease: r.ignoreLease,
});

const deleteRangeRequestPb = (r: DeleteRangeRequest): Sent<DeleteRangeRequestPb> => ({
  key: r.key,
  range_end: r.rangeEnd,
  prev_kv: r.prevKv,
});

export const txnRequestPb = (r: TxnRequest): Sent<TxnRequestPb> => ({
  compare: r.compare.map(comparePb),
  success: r.success.map(requestOpPb),
  failure: r.failure.map(requestOpPb),
});

export const compactionRequestPb = (r: CompactionRequest): Sent<CompactionRequestPb> => ({
  revision: r.revision,
  physical: r.physical,
});

function requestOpPb(op: RequestOp): Sent<RequestOpPb> {
  if ('requestRange' in op) return { request_range: rangeRequestPb(op.requestRange) };
  if ('requestPut' in op) return { request_put: putRequestPb(op.requestPut) };
  if ('requestDeleteRange' in op)
    return { request_delete_range: deleteRangeRequestPb(op.requestDeleteRange) };
  return { request_txn: txnRequestPb(op.requestTxn) };
}

/** Sets the one member of target_union that `target` names. */
function comparePb(c: Compare): Sent<ComparePb> {
  const base = { result: c.result, target: c.target, key: c.key, range_end: c.rangeEnd };
  switch (c.target) {
    case 'VERSION':
      return { ...base, version: c.version };
    case 'CREATE':
      return { ...base, create_revision: c.createRevision };
    case 'MOD':
      return { ...base, mod_revision: c.modRevision };
    case 'VALUE':
      return { ...base, value: c.value };
    case 'LEASE':
      return { ...base, lease: leaseId(c.lease) };
  }
}

/** `watchId` is the client's choice (etcd 3.4's WatchCreateRequest.watch_id); never 0, which asks the server. */
export const watchCreateRequestPb = (r: WatchCreateRequest, watchId: number): Sent<WatchCreateRequestPb> => ({
  key: r.key,
  range_end: r.rangeEnd,
  start_revision: r.startRevision,
  progress_notify: r.progressNotify,
  filters: r.filters,
  prev_kv: r.prevKv,
  watch_id: watchId,
});

// --- Client direction: etcd's answers back

/** The revision of a decoded header; a header etcd left out reads as revision 0. */
const revisionOf = (header: { readonly revision: Int64In } | null | undefined): number =>
  header ? Number(header.revision) : 0;

const fromKeyValue = (kv: Received<KeyValuePb>): KeyValue => ({
  key: kv.key,
  createRevision: Number(kv.create_revision),
  modRevision: Number(kv.mod_revision),
  version: Number(kv.version),
  value: kv.value,
  lease: toBigInt(kv.lease),
});

const fromEvent = (e: Received<EventPb>): Event => ({
  type: e.type,
  kv: fromKeyValue(e.kv),
  prevKv: e.prev_kv ? fromKeyValue(e.prev_kv) : undefined,
});

export const fromRangeResponse = (r: Received<RangeResponsePb>): RangeResponse => ({
  header: { revision: revisionOf(r.header) },
  kvs: r.kvs.map(fromKeyValue),
  more: r.more,
  count: Number(r.count),
});

export const fromTxnResponse = (r: Received<TxnResponsePb>): TxnResponse => ({
  header: { revision: revisionOf(r.header) },
  succeeded: r.succeeded,
  responses: r.responses.map(fromResponseOp),
});

function fromResponseOp(op: Received<ResponseOpPb>): ResponseOp {
  if ('response_range' in op) return { responseRange: fromRangeResponse(op.response_range) };
  if ('response_put' in op) {
    const put = op.response_put;
    const prevKv = put.prev_kv ? fromKeyValue(put.prev_kv) : undefined;
    return { responsePut: { header: { revision: revisionOf(put.header) }, prevKv } };
  }
  if ('response_delete_range' in op) {
    const del = op.response_delete_range;
    return {
      responseDeleteRange: {
        header: { revision: revisionOf(del.header) },
        deleted: Number(del.deleted),
        prevKvs: del.prev_kvs.map(fromKeyValue),
      },
    };
  }
  return { responseTxn: fromTxnResponse(op.response_txn) };
}

/**
 * A WatchResponse carrying events (or a progress notification) as the batch a WatchSink takes. A
 * compaction notice becomes a batch with `compactRevision`, as the store hands it to its own sinks.
 */
export const fromWatchResponse = (r: Received<WatchResponsePb>): WatchBatch => {
  const compactRevision = Number(r.compact_revision ?? 0);
  return {
    header: { revision: revisionOf(r.header) },
    events: (r.events ?? []).map(fromEvent),
    ...(compactRevision > 0 ? { compactRevision } : {}),
  };
};

/** etcd's errors by message: the message names the error, the status code alone does not. */
const ETCD_ERRORS: ReadonlyMap<string, () => StoreError> = new Map(
  [
    FutureRevisionError,
    EmptyKeyError,
    KeyNotFoundError,
    ValueProvidedError,
    LeaseProvidedError,
    TooManyOpsError,
    DuplicateKeyError,
    RequestTooLargeError,
    LeaseNotFoundError,
    LeaseExistsError,
    LeaseTTLTooLargeError,
    NoSpaceError,
    StoppedError,
  ].map((E) => [new E().message, () => new E()]),
);

const COMPACTED = new CompactedError(0).message;

const STORE_CODES: ReadonlySet<string> = new Set<GrpcCodeName>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'RESOURCE_EXHAUSTED',
  'UNAVAILABLE',
]);

/**
 * The inverse of toStatus: a failed call as the store's error class with etcd's message, so code
 * written against the embedded store (ObjectStore's `instanceof CompactedError`) works over etcd
 * unchanged. etcd does not send the compact revision with its compacted error, so the
 * CompactedError made here says 0; a caller that needs the revision asks for it (see EtcdKV).
 * Any other status (DEADLINE_EXCEEDED, UNKNOWN...) becomes a plain Error carrying it as its cause.
 */
export function fromStatus(s: GrpcStatus): Error {
  if (s.details === COMPACTED) return new CompactedError(0);
  const known = ETCD_ERRORS.get(s.details);
  if (known) return known();
  const name = status[s.code];
  if (name !== undefined && STORE_CODES.has(name)) return new StoreError(s.details, name as GrpcCodeName);
  return new Error(`etcd: ${s.details || name || `status ${s.code}`}`, { cause: s });
}
