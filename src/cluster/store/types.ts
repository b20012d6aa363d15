// The store's request and response shapes. They follow etcd's v3 API (etcdserverpb and mvccpb)
// field for field, in camelCase, so the gRPC face only converts numbers and bytes.
// Keys and values are bytes: etcd keys are arbitrary byte strings, ordered bytewise.

/** mvccpb.KeyValue: one version of one key. */
export interface KeyValue {
  readonly key: Buffer;
  /** Revision of the last creation of this key (it restarts after a delete). */
  readonly createRevision: number;
  /** Revision of the last modification. */
  readonly modRevision: number;
  /** Number of modifications since creation; a delete resets it to 0. */
  readonly version: number;
  readonly value: Buffer;
  /** Lease the key is attached to, 0n for none. Lease IDs are int64, hence bigint. */
  readonly lease: bigint;
}

/** The part of etcd's ResponseHeader the store owns; cluster and member IDs belong to the server. */
export interface StoreHeader {
  readonly revision: number;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

/**
 * RangeRequest. rangeEnd follows etcd: empty means the single key `key`; "\0" means every key >= key;
 * otherwise the half-open range [key, rangeEnd).
 */
export interface RangeRequest {
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
  readonly limit?: number;
  /** 0 or absent = the current revision. */
  readonly revision?: number;
  readonly sortOrder?: SortOrder;
  readonly sortTarget?: SortTarget;
  readonly serializable?: boolean;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

export interface RangeResponse {
  readonly header: StoreHeader;
  readonly kvs: KeyValue[];
  /** True when limit cut the result short. */
  readonly more: boolean;
  /** Number of keys in the range, regardless of limit. */
  readonly count: number;
}

export interface PutRequest {
  readonly key: Buffer;
  readonly value?: Buffer;
  readonly lease?: bigint;
  readonly prevKv?: boolean;
  readonly ignoreValue?: boolean;
  readonly ignoreLease?: boolean;
}

export interface PutResponse {
  readonly header: StoreHeader;
  readonly prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
  readonly prevKv?: boolean;
}

export interface DeleteRangeResponse {
  readonly header: StoreHeader;
  readonly deleted: number;
  readonly prevKvs: KeyValue[];
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

/** Compare: exactly one target field is read, chosen by `target`. */
export type Compare = {
  readonly result: CompareResult;
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
} & (
  | { readonly target: 'VERSION'; readonly version: number }
  | { readonly target: 'CREATE'; readonly createRevision: number }
  | { readonly target: 'MOD'; readonly modRevision: number }
  | { readonly target: 'VALUE'; readonly value: Buffer }
  | { readonly target: 'LEASE'; readonly lease: bigint }
);

export type RequestOp =
  | { readonly requestRange: RangeRequest }
  | { readonly requestPut: PutRequest }
  | { readonly requestDeleteRange: DeleteRangeRequest }
  | { readonly requestTxn: TxnRequest };

export type ResponseOp =
  | { readonly responseRange: RangeResponse }
  | { readonly responsePut: PutResponse }
  | { readonly responseDeleteRange: DeleteRangeResponse }
  | { readonly responseTxn: TxnResponse };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

export interface TxnResponse {
  readonly header: StoreHeader;
  readonly succeeded: boolean;
  readonly responses: ResponseOp[];
}

export interface CompactionRequest {
  readonly revision: number;
  /** When true the answer waits until the compaction is durable. */
  readonly physical?: boolean;
}

export interface CompactionResponse {
  readonly header: StoreHeader;
}

export type EventType = 'PUT' | 'DELETE';

/** mvccpb.Event. A DELETE carries a kv holding only the key and its modRevision. */
export interface Event {
  readonly type: EventType;
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export type WatchFilter = 'NOPUT' | 'NODELETE';

export interface WatchCreateRequest {
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
  /** 0 or absent = from the next revision. */
  readonly startRevision?: number;
  readonly progressNotify?: boolean;
  readonly filters?: readonly WatchFilter[];
  readonly prevKv?: boolean;
}

/**
 * What a watcher receives. `compactRevision` is set (and the watcher is gone) when the watch asked for
 * history the store no longer holds. Empty `events` with no compactRevision is a progress notification.
 */
export interface WatchBatch {
  readonly header: StoreHeader;
  readonly events: Event[];
  readonly compactRevision?: number;
}

/**
 * Where a watcher's batches go. The batch is taken either way; returning false says the consumer is
 * backed up (as a stream's write() does): the store sends nothing more and moves the watcher to its
 * unsynced group until `resume()` on the handle is called, then catches it up from history.
 */
export type WatchSink = (batch: WatchBatch) => boolean;

export interface WatchHandle {
  /** Call when a consumer that refused a batch can take more. */
  resume(): void;
  cancel(): void;
}

export interface LeaseGrantRequest {
  /** Seconds. */
  readonly ttl: number;
  /** 0n or absent = the store picks one. */
  readonly id?: bigint;
}

export interface LeaseGrantResponse {
  readonly header: StoreHeader;
  readonly id: bigint;
  readonly ttl: number;
}

export interface LeaseTimeToLiveResponse {
  readonly header: StoreHeader;
  readonly id: bigint;
  /** Remaining seconds, -1 when the lease does not exist (etcd's answer). */
  readonly ttl: number;
  readonly grantedTtl: number;
  readonly keys: Buffer[];
}

export interface LeaseStatus {
  readonly id: bigint;
}
