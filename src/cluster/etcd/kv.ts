import type {
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchHandle,
  WatchSink,
} from '../store/types.ts';

/**
 * KV is the storage contract of the API server: the part of etcd's v3 API that object storage
 * reads, writes and watches through (kube-apiserver's storage/etcd3 needs no more). The embedded
 * Store implements it, and so does EtcdKV, the gRPC client of a real etcd cluster
 * (`--etcd-endpoints`), so ObjectStore above it is written once for both.
 */
export interface KV {
  range(req: RangeRequest): Promise<RangeResponse>;
  /** Compares, then applies `success` or `failure` atomically, in one revision. */
  txn(req: TxnRequest): Promise<TxnResponse>;
  /** Streams changes from req.startRevision into `sink` until the handle is cancelled. */
  watch(req: WatchCreateRequest, sink: WatchSink): WatchHandle;
}
