import * as grpc from '@grpc/grpc-js';
import { CompactedError } from '../store/errors.ts';
import type {
  CompactionRequest,
  CompactionResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchHandle,
  WatchSink,
} from '../store/types.ts';
import {
  compactionRequestPb,
  fromRangeResponse,
  fromStatus,
  fromTxnResponse,
  fromWatchResponse,
  rangeRequestPb,
  txnRequestPb,
  watchCreateRequestPb,
} from './convert.ts';
import type { KV } from './kv.ts';
import type {
  CompactionRequestPb,
  GrpcStatus,
  RangeRequestPb,
  RangeResponsePb,
  Received,
  ResponseHeaderPb,
  Sent,
  TxnRequestPb,
  TxnResponsePb,
  WatchRequestPb,
  WatchResponsePb,
} from './messages.ts';
import { service } from './server.ts';

export interface EtcdKVOptions {
  /** etcd client URLs, `http://host:port` (or `host:port`), tried in this order. */
  readonly endpoints: readonly string[];
  /** Where failures no caller waits for are reported, such as a watch etcd cancelled for a reason. */
  readonly onError?: (err: unknown) => void;
}

type Method<Req, Res> = grpc.MethodDefinition<Sent<Req>, Received<Res>>;
const kvService = service('KV');
const RANGE = kvService.Range as Method<RangeRequestPb, RangeResponsePb>;
const TXN = kvService.Txn as Method<TxnRequestPb, TxnResponsePb>;
const COMPACT = kvService.Compact as Method<CompactionRequestPb, { header: ResponseHeaderPb }>;
const WATCH = service('Watch').Watch as Method<WatchRequestPb, WatchResponsePb>;

/**
 * Which failed calls may be sent again to the next endpoint. A read always may. A write may only when
 * it never left this process: one that reached a member and then lost its connection may have been
 * applied, and ObjectStore's conditional writes, sent twice, would report their own success as a
 * conflict. This is etcd's clientv3 rule (isSafeRetryMutableRPC) in grpc-js's words.
 */
type Retry = 'read' | 'write';

function failsOver(status: GrpcStatus, retry: Retry): boolean {
  if (status.code !== grpc.status.UNAVAILABLE) return false;
  if (retry === 'read') return true;
  // grpc-js's words when no connection could be made; etcd's when a member without a leader refused.
  return status.details.startsWith('No connection established') || status.details === 'etcdserver: no leader';
}

/** A `host:port` for grpc-js from an etcd client URL; TLS to etcd is not supported (yet). */
export function endpointAddress(url: string): string {
  const trimmed = url.trim();
  if (!trimmed.includes('://')) return trimmed;
  const parsed = new URL(trimmed);
  if (parsed.protocol !== 'http:') {
    throw new Error(`etcd endpoint ${url}: only http:// endpoints are supported (no TLS to etcd)`);
  }
  return parsed.host;
}

/**
 * EtcdKV is the API server's storage on a real etcd cluster: the KV that ObjectStore needs, spoken
 * over etcd's v3 gRPC API with the same proto files our store serves, so `orch-lab up
 * --etcd-endpoints` runs the API server unchanged on etcd. Answers and errors come back as the store's
 * own types and error classes (see convert.ts), so nothing above can tell the two apart.
 *
 * Endpoints: calls go to the endpoint that last answered, and on UNAVAILABLE on to the next one in
 * order (see Retry for which calls may be retried). All watches share one Watch stream (see
 * WatchStream); when it breaks it reopens on the next endpoint and resumes every watcher from the
 * first revision it has not seen, as clientv3 does.
 */
export class EtcdKV implements KV {
  private readonly clients: grpc.Client[];
  /** The index of the endpoint calls go to first. */
  private active = 0;
  private readonly watches: WatchStream;
  private closed = false;

  constructor(options: EtcdKVOptions) {
    if (options.endpoints.length === 0) throw new Error('EtcdKV: no etcd endpoints given');
    this.clients = options.endpoints.map(
      (url) =>
        new grpc.Client(endpointAddress(url), grpc.credentials.createInsecure(), {
          // etcd's clientv3 takes answers of any size: one list of every pod can pass gRPC's 4 MiB.
          'grpc.max_receive_message_length': -1,
          'grpc.enable_channelz': 0,
        }),
    );
    this.watches = new WatchStream(
      () =>
        this.clients[this.active]!.makeBidiStreamRequest(
          WATCH.path,
          WATCH.requestSerialize,
          WATCH.responseDeserialize,
        ),
      () => {
        this.active = (this.active + 1) % this.clients.length;
      },
      options.onError ?? ((err) => console.error('etcd-kv:', err)),
    );
  }

  async range(req: RangeRequest): Promise<RangeResponse> {
    try {
      return fromRangeResponse(await this.call(RANGE, rangeRequestPb(req), 'read'));
    } catch (err) {
      if (err instanceof CompactedError) throw new CompactedError(await this.compactRevision());
      throw err;
    }
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    return fromTxnResponse(await this.call(TXN, txnRequestPb(req), 'write'));
  }

  async compact(req: CompactionRequest): Promise<CompactionResponse> {
    const res = await this.call(COMPACT, compactionRequestPb(req), 'write');
    return { header: { revision: Number(res.header.revision) } };
  }

  watch(req: WatchCreateRequest, sink: WatchSink): WatchHandle {
    if (this.closed) throw new Error('EtcdKV is closed');
    return this.watches.watch(req, sink);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watches.close();
    for (const client of this.clients) client.close();
  }

  private async call<Req, Res>(
    method: Method<Req, Res>,
    req: Sent<Req>,
    retry: Retry,
  ): Promise<Received<Res>> {
    if (this.closed) throw new Error('EtcdKV is closed');
    let failure: GrpcStatus | undefined;
    for (let attempt = 0; attempt < this.clients.length; attempt++) {
      const index = (this.active + attempt) % this.clients.length;
      try {
        const res = await unary(this.clients[index]!, method, req);
        this.active = index;
        return res;
      } catch (err) {
        if (!isStatus(err)) throw err;
        failure = err;
        if (!failsOver(failure, retry)) break;
      }
    }
    throw fromStatus(failure!);
  }

  /**
   * etcd's compacted error does not say how far history was compacted, but a watch from revision 1
   * is answered with exactly that, so ask with one. (It cannot be answered otherwise: a read just
   * failed as compacted. The timer only guards against a cluster that contradicts itself.)
   */
  private compactRevision(): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(0), 5_000);
      const handle = this.watch(
        { key: Buffer.from([0]), rangeEnd: Buffer.from([0]), startRevision: 1 },
        (b) => done(b.compactRevision ?? 0),
      );
      function done(revision: number): boolean {
        clearTimeout(timer);
        handle.cancel();
        resolve(revision);
        return true;
      }
    });
  }
}

const isStatus = (err: unknown): err is grpc.ServiceError =>
  err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';

function unary<Req, Res>(
  client: grpc.Client,
  method: Method<Req, Res>,
  req: Sent<Req>,
): Promise<Received<Res>> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      req,
      (err: grpc.ServiceError | null, res?: Received<Res>) => (err || !res ? reject(err) : resolve(res)),
    );
  });
}

/** One watcher of EtcdKV.watch, served by one etcd watch at a time. */
interface Watcher {
  readonly req: WatchCreateRequest;
  readonly sink: WatchSink;
  /** The ID of the etcd watch serving it; undefined while it is paused or the stream is down. */
  id?: number;
  /** The first revision it has not been given: where a watch made again for it starts. */
  next: number;
  /** Its sink refused a batch and resume() has not been called since. */
  paused: boolean;
}

type WatchCall = grpc.ClientDuplexStream<Sent<WatchRequestPb>, Received<WatchResponsePb>>;

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 3_000;

/**
 * WatchStream multiplexes every watcher of an EtcdKV over one Watch RPC, as clientv3's watchGrpcStream
 * does. Each watcher's etcd watch carries an ID chosen here (etcd 3.4's client watch IDs), so
 * responses are routed by ID with no bookkeeping of pending creates.
 *
 * Flow control, with no buffer at all: a sink that refuses a batch (returns false) gets its etcd
 * watch cancelled; resume() creates a new one from the watcher's next revision, and etcd replays the
 * history in between. This is what the embedded store does with a slow watcher (it moves to the
 * unsynced group and catches up from history), and it never stalls the other watchers on the stream
 * the way pausing the stream itself would. Responses of a cancelled watch still in flight are
 * dropped: the new watch sends them again.
 *
 * Worked example: a watcher from revision 10 takes the batch of revision 12 and returns false. Its
 * watch (ID 4) is cancelled and `next` is 13. Revision 13 arrives for ID 4 and is dropped. resume()
 * creates ID 7 from revision 13, which delivers 13, 14, ... in order.
 */
class WatchStream {
  private call: WatchCall | undefined;
  private readonly watchers = new Set<Watcher>();
  private readonly byId = new Map<number, Watcher>();
  /** 0 is etcd's "server picks", so client IDs start at 1. */
  private nextId = 1;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly open: () => WatchCall,
    private readonly failover: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  watch(req: WatchCreateRequest, sink: WatchSink): WatchHandle {
    const watcher: Watcher = { req, sink, next: req.startRevision ?? 0, paused: false };
    this.watchers.add(watcher);
    this.create(watcher);
    return { resume: () => this.resume(watcher), cancel: () => this.cancel(watcher) };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.watchers.clear();
    this.byId.clear();
    const call = this.call;
    this.call = undefined;
    call?.end();
    call?.cancel();
  }

  private create(watcher: Watcher): void {
    if (!this.call) {
      // connect() creates every watcher that is not paused, this one included.
      this.connect();
      return;
    }
    const id = this.nextId++;
    watcher.id = id;
    this.byId.set(id, watcher);
    this.call.write({
      create_request: watchCreateRequestPb({ ...watcher.req, startRevision: watcher.next }, id),
    });
  }

  private resume(watcher: Watcher): void {
    if (!watcher.paused || !this.watchers.has(watcher)) return;
    watcher.paused = false;
    this.create(watcher);
  }

  private cancel(watcher: Watcher): void {
    if (!this.watchers.delete(watcher)) return;
    this.stopWatch(watcher);
  }

  /** Cancels the etcd watch behind `watcher`; etcd's answer is dropped as its ID is no longer known. */
  private stopWatch(watcher: Watcher): void {
    if (watcher.id === undefined) return;
    this.byId.delete(watcher.id);
    this.call?.write({ cancel_request: { watch_id: watcher.id } });
    watcher.id = undefined;
  }

  private connect(): void {
    if (this.call || this.retryTimer || this.closed) return;
    const call = this.open();
    this.call = call;
    call.on('data', (res: Received<WatchResponsePb>) => this.receive(res));
    // Every end, failed or not, is handled once in 'status'; this listener only keeps an 'error'
    // event from being unhandled.
    call.on('error', () => {});
    call.on('status', (status: grpc.StatusObject) => this.lost(call, status));
    for (const watcher of this.watchers) if (!watcher.paused) this.create(watcher);
  }

  /** The stream ended: try the next endpoint, at once after a healthy stream, then backing off. */
  private lost(call: WatchCall, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    this.byId.clear();
    for (const watcher of this.watchers) watcher.id = undefined;
    if (this.closed) return;
    if (status.code !== grpc.status.UNAVAILABLE) {
      this.onError(new Error(`etcd watch stream ended: ${status.code} ${status.details}`));
    }
    this.failover();
    if (this.watchers.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.retryMs * 2));
  }

  private receive(res: Received<WatchResponsePb>): void {
    this.retryMs = 0;
    const watcher = this.byId.get(Number(res.watch_id));
    // Unknown: a watch cancelled here, or a progress answer for the whole stream (ID -1).
    if (!watcher) return;
    if (res.canceled) {
      this.byId.delete(watcher.id!);
      this.watchers.delete(watcher);
      const batch = fromWatchResponse(res);
      if (batch.compactRevision !== undefined) watcher.sink(batch);
      else this.onError(new Error(`etcd cancelled a watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    if (res.created) {
      // A watch from "now" learns here which revision now was.
      if (watcher.next === 0) watcher.next = Number(res.header.revision) + 1;
      return;
    }
    const batch = fromWatchResponse(res);
    const last = batch.events.at(-1);
    watcher.next = last ? last.kv.modRevision + 1 : Math.max(watcher.next, batch.header.revision + 1);
    if (!watcher.sink(batch)) {
      watcher.paused = true;
      this.stopWatch(watcher);
    }
  }
}
