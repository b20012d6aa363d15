// The shapes of etcd's messages as @grpc/proto-loader hands them to us and takes them back, with the
// loader options of server.ts: field names as in the .proto (snake_case, etcd's own capitals such as
// `TTL`), enums as their names, bytes as Buffer, and every field present with its default.
//
// Numbers differ by direction. Decoded int64 fields arrive as decimal strings, because a JavaScript
// number cannot hold every int64. Outgoing int64 fields accept a number (revisions and counts stay far
// below 2^53) or, for 64-bit IDs, a `{low, high}` pair of 32-bit halves: protobufjs turns that into its
// Long without parsing, which a decimal string would need on every response.

import type { status } from '@grpc/grpc-js';
import type { CompareResult, EventType, SortOrder, SortTarget, WatchFilter } from '../store/types.ts';

/** A decoded int64: a decimal string such as "-1" or "7587876135464437257". */
export type Int64In = string;
/** Two's-complement halves of a 64-bit integer, as protobufjs's Long stores them. */
export interface LongBits {
  readonly low: number;
  readonly high: number;
}
export type Int64Out = number | LongBits;

export interface ResponseHeaderPb {
  readonly cluster_id: LongBits;
  readonly member_id: LongBits;
  readonly revision: number;
  readonly raft_term: number;
}

export interface KeyValuePb {
  readonly key: Buffer;
  readonly create_revision: number;
  readonly mod_revision: number;
  readonly version: number;
  readonly value: Buffer;
  readonly lease: Int64Out;
}

export interface EventPb {
  readonly type: EventType;
  readonly kv: KeyValuePb;
  readonly prev_kv?: KeyValuePb;
}

// --- KV requests (decoded)

export interface RangeRequestPb {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly limit: Int64In;
  readonly revision: Int64In;
  readonly sort_order: SortOrder;
  readonly sort_target: SortTarget;
  readonly serializable: boolean;
  readonly keys_only: boolean;
  readonly count_only: boolean;
  readonly min_mod_revision: Int64In;
  readonly max_mod_revision: Int64In;
  readonly min_create_revision: Int64In;
  readonly max_create_revision: Int64In;
}

export interface PutRequestPb {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly lease: Int64In;
  readonly prev_kv: boolean;
  readonly ignore_value: boolean;
  readonly ignore_lease: boolean;
}

export interface DeleteRangeRequestPb {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly prev_kv: boolean;
}

/** With the loader's `oneofs` option, `request` names the member that is set. */
export interface RequestOpPb {
  readonly request?: 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';
  readonly request_range?: RangeRequestPb;
  readonly request_put?: PutRequestPb;
  readonly request_delete_range?: DeleteRangeRequestPb;
  readonly request_txn?: TxnRequestPb;
}

export interface ComparePb {
  readonly result: CompareResult;
  readonly target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  readonly key: Buffer;
  readonly range_end: Buffer;
  // Members of the target_union oneof: only the one that was sent is present.
  readonly version?: Int64In;
  readonly create_revision?: Int64In;
  readonly mod_revision?: Int64In;
  readonly value?: Buffer;
  readonly lease?: Int64In;
}

export interface TxnRequestPb {
  readonly compare: readonly ComparePb[];
  readonly success: readonly RequestOpPb[];
  readonly failure: readonly RequestOpPb[];
}

export interface CompactionRequestPb {
  readonly revision: Int64In;
  readonly physical: boolean;
}

// --- KV responses (encoded)

export interface RangeResponsePb {
  readonly header: ResponseHeaderPb | NestedHeaderPb;
  readonly kvs: KeyValuePb[];
  readonly more: boolean;
  readonly count: number;
}

export interface PutResponsePb {
  readonly header: ResponseHeaderPb | NestedHeaderPb;
  readonly prev_kv?: KeyValuePb;
}

export interface DeleteRangeResponsePb {
  readonly header: ResponseHeaderPb | NestedHeaderPb;
  readonly deleted: number;
  readonly prev_kvs: KeyValuePb[];
}

export type ResponseOpPb =
  | { readonly response_range: RangeResponsePb }
  | { readonly response_put: PutResponsePb }
  | { readonly response_delete_range: DeleteRangeResponsePb }
  | { readonly response_txn: TxnResponsePb };

export interface TxnResponsePb {
  readonly header: ResponseHeaderPb | NestedHeaderPb;
  readonly succeeded: boolean;
  readonly responses: ResponseOpPb[];
}

/** etcd fills only the revision in the headers of a transaction's inner responses. */
export interface NestedHeaderPb {
  readonly revision: number;
}

// --- Watch

export interface WatchCreateRequestPb {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly start_revision: Int64In;
  readonly progress_notify: boolean;
  readonly filters: readonly WatchFilter[];
  readonly prev_kv: boolean;
  readonly watch_id: Int64In;
  readonly fragment: boolean;
}

export interface WatchRequestPb {
  readonly request_union?: 'create_request' | 'cancel_request' | 'progress_request';
  readonly create_request?: WatchCreateRequestPb;
  readonly cancel_request?: { readonly watch_id: Int64In };
  readonly progress_request?: Record<string, never>;
}

export interface WatchResponsePb {
  readonly header: ResponseHeaderPb;
  readonly watch_id: number;
  readonly created?: boolean;
  readonly canceled?: boolean;
  readonly compact_revision?: number;
  readonly cancel_reason?: string;
  readonly events?: EventPb[];
}

// --- Lease

export interface LeaseGrantRequestPb {
  readonly TTL: Int64In;
  readonly ID: Int64In;
}

export interface LeaseIdRequestPb {
  readonly ID: Int64In;
}

export interface LeaseTimeToLiveRequestPb {
  readonly ID: Int64In;
  readonly keys: boolean;
}

export interface LeaseKeepAliveResponsePb {
  readonly header: ResponseHeaderPb;
  readonly ID: Int64Out;
  readonly TTL: number;
}

// --- The client direction (the API server's EtcdKV)
//
// A client sends requests and receives responses, so the two mappings below derive its shapes from
// the ones above instead of spelling every message twice.

/**
 * A request as a client builds it: any field may be left out (proto3 sends no zero values) and
 * int64 fields take an Int64Out. For example Sent<CompactionRequestPb> is
 * `{ revision?: number | LongBits; physical?: boolean }`.
 */
export type Sent<T> = { readonly [K in keyof T]?: SentField<T[K]> };
type SentField<F> = F extends Buffer
  ? Buffer
  : string extends F // Int64In is a plain string; enums are unions of literals and stay as they are.
    ? Int64Out
    : F extends readonly (infer E)[]
      ? readonly SentField<E>[]
      : F extends object
        ? Sent<F>
        : F;

/**
 * A response as a client decodes it: every int64 a decimal string. For example
 * Received<KeyValuePb> is `{ key: Buffer; create_revision: string; ...; lease: string }`. A message
 * field that was not sent decodes as null (`defaults` fills it so), which the `?` fields stand for.
 */
export type Received<T> = T extends Buffer
  ? Buffer
  : T extends number | LongBits
    ? Int64In
    : T extends readonly (infer E)[]
      ? Received<E>[]
      : T extends object
        ? { readonly [K in keyof T]: Received<T[K]> }
        : T;

/** A failed call's gRPC status, as grpc-js takes it from a unary callback or a stream's 'error' event. */
export interface GrpcStatus {
  readonly code: status;
  readonly details: string;
}
