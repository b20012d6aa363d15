import type * as grpc from '@grpc/grpc-js';
import type { Store } from '../store/store.ts';
import type { Event, WatchBatch, WatchHandle } from '../store/types.ts';
import { watchCreateRequest } from './convert.ts';
import type {
  GrpcStatus,
  ResponseHeaderPb,
  WatchCreateRequestPb,
  WatchRequestPb,
  WatchResponsePb,
} from './messages.ts';
import type { WatchEncoder } from './watch-encoder.ts';

/** What etcd's watch stream answers to a create request that reuses a live watcher ID. */
const DUPLICATE_ID = 'mvcc: duplicate watch ID provided on the WatchStream';

/** A watch_id of 0 in a create request asks the server to pick one (etcd's AutoWatchID). */
const AUTO_WATCH_ID = 0;

/** The watch_id of a progress response, which speaks for every watcher on the stream. */
const STREAM_WATCH_ID = -1;

interface Watcher {
  readonly id: number;
  /** The id as an encoded watch_id field, for WatchEncoder. */
  readonly encodedId: Buffer;
  /** Unset only while store.watch() runs, which may deliver batches before it returns. */
  handle?: WatchHandle;
}

/**
 * WatchStream serves one Watch RPC, as etcd's serverWatchStream does: many watchers share the stream,
 * each known by an ID local to the stream (0, 1, 2... unless the client picks one).
 *
 * Batches the store hands a watcher back to back (before the microtasks already queued have run) go
 * out as one response: revisions that became durable together, in one group commit, reach each
 * watcher in one message rather than one per revision, as the catch-up responses of etcd and of
 * this store already carry several revisions. Every event, and the order of each watcher's events,
 * is as before; a response's header names the newest revision in it.
 *
 * Flow control: once a write to the gRPC stream returns false (its buffer is full), the sink answers
 * false to the store, which then parks the watcher in its unsynced group instead of queueing more,
 * and the stream's 'drain' resumes every parked watcher. So a slow client costs one buffer per
 * stream and one response per watcher, never an unbounded queue, and writers never wait.
 */
export class WatchStream {
  private readonly watchers = new Map<number, Watcher>();
  /** Watchers whose last batch the stream refused; they wait for 'drain'. */
  private readonly paused = new Set<Watcher>();
  /** A write returned false and 'drain' has not come yet. */
  private full = false;
  /** Batches taken but not yet written, by watcher (see flush). */
  private readonly outbox = new Map<Watcher, { revision: number; events: (readonly Event[])[] }>();
  /** Automatic IDs count up from here, skipping IDs in use, so none is handed out twice. */
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly call: grpc.ServerDuplexStream<WatchRequestPb, WatchResponsePb | Buffer>,
    private readonly store: Store,
    private readonly header: (revision: number) => ResponseHeaderPb,
    private readonly encoder: WatchEncoder,
  ) {
    call.on('data', (req: WatchRequestPb) => this.receive(req));
    call.on('drain', () => {
      this.full = false;
      this.resumePaused();
    });
    // A client that goes away mid-stream (cancel, crash, closed connection) ends here: drop its watchers.
    call.on('close', () => this.close());
  }

  /** Cancels every watcher and ends the RPC with `status`, for a server shutting down. */
  stop(status: GrpcStatus): void {
    this.close();
    this.call.emit('error', status);
  }

  private receive(req: WatchRequestPb): void {
    if (this.closed) return;
    switch (req.request_union) {
      case 'create_request':
        this.create(req.create_request!);
        break;
      case 'cancel_request':
        this.cancel(Number(req.cancel_request!.watch_id));
        break;
      case 'progress_request':
        this.requestProgress();
        break;
      // etcd ignores a request with no member set rather than failing the stream.
    }
  }

  private create(req: WatchCreateRequestPb): void {
    const id = this.pickId(Number(req.watch_id));
    const revision = this.store.revision;
    if (id === undefined) {
      // No watcher was made, so there is no ID to answer with; etcd says -1.
      const header = this.header(revision);
      this.write({ header, watch_id: -1, created: true, canceled: true, cancel_reason: DUPLICATE_ID });
      return;
    }
    // The created response goes first: the store may deliver history (or a compaction notice) from
    // inside store.watch(), and clients match responses to watchers by the ID this one announces.
    this.write({ header: this.header(revision), watch_id: id, created: true });
    const watcher: Watcher = { id, encodedId: this.encoder.watchId(id) };
    this.watchers.set(id, watcher);
    try {
      watcher.handle = this.store.watch(watchCreateRequest(req), (batch) => this.send(watcher, batch));
    } catch (err) {
      this.watchers.delete(id);
      const reason = err instanceof Error ? err.message : String(err);
      this.write({ header: this.header(revision), watch_id: id, canceled: true, cancel_reason: reason });
    }
  }

  /** etcd's rule: a requested ID must be free; otherwise the lowest free ID from nextId on. */
  private pickId(requested: number): number | undefined {
    if (requested !== AUTO_WATCH_ID) return this.watchers.has(requested) ? undefined : requested;
    while (this.watchers.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  /** The store's sink: takes the batch into the outbox, and says whether to send more. */
  private send(watcher: Watcher, batch: WatchBatch): boolean {
    if (batch.compactRevision !== undefined) {
      // The store has already dropped a watcher whose start revision was compacted away.
      this.write(this.compacted(watcher, batch));
      return true;
    }
    let out = this.outbox.get(watcher);
    if (!out) {
      // A promise job rather than queueMicrotask(), which makes an async resource for every call.
      if (this.outbox.size === 0) void Promise.resolve().then(() => this.flush());
      out = { revision: 0, events: [] };
      this.outbox.set(watcher, out);
    }
    out.revision = batch.header.revision;
    out.events.push(batch.events);
    if (this.full) this.paused.add(watcher);
    return !this.full;
  }

  /**
   * Writes the outbox, one response per watcher. It runs as a microtask queued behind those already
   * waiting: when a group commit lands, the store notifies each of its revisions in a microtask of
   * its own, all queued at once, so by then the outbox holds them all. (Not on the next tick: a
   * writer whose writes complete in microtasks alone would never let it come.)
   */
  private flush(): void {
    for (const [watcher, { revision, events }] of this.outbox) {
      if (!this.call.write(this.encoder.events(revision, watcher.encodedId, events))) this.full = true;
    }
    this.outbox.clear();
  }

  /** Writes any other response, after the events already taken, so that each watcher's stay in order. */
  private write(response: WatchResponsePb): void {
    this.flush();
    if (!this.call.write(response)) this.full = true;
  }

  /** etcd's compaction notice carries no revision in its header, only the compact revision. */
  private compacted(watcher: Watcher, batch: WatchBatch): WatchResponsePb {
    this.watchers.delete(watcher.id);
    return {
      header: this.header(0),
      watch_id: watcher.id,
      compact_revision: batch.compactRevision,
      canceled: true,
    };
  }

  /** etcd answers a cancel of an unknown ID with silence. */
  private cancel(id: number): void {
    const watcher = this.watchers.get(id);
    if (!watcher) return;
    this.watchers.delete(id);
    this.paused.delete(watcher);
    watcher.handle?.cancel();
    this.write({ header: this.header(this.store.revision), watch_id: id, canceled: true });
  }

  /**
   * etcd 3.4 answers a progress request once for the whole stream, at the current revision. (Like
   * 3.4, this can run ahead of a watcher still catching up on history; etcd 3.5 waits for them.)
   */
  private requestProgress(): void {
    this.write({ header: this.header(this.store.revision), watch_id: STREAM_WATCH_ID });
  }

  private resumePaused(): void {
    const resumed = [...this.paused];
    this.paused.clear();
    // resume() may deliver at once and, if the buffer fills again, pause a watcher anew.
    for (const watcher of resumed) watcher.handle?.resume();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.handle?.cancel();
    this.watchers.clear();
    this.paused.clear();
    this.outbox.clear();
  }
}
