import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { RequestTooLargeError, StoppedError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import {
  compactionRequest,
  deleteRangeRequest,
  deleteRangeResponse,
  leaseId,
  longBits,
  putRequest,
  putResponse,
  rangeRequest,
  rangeResponse,
  toBigInt,
  toStatus,
  txnRequest,
  txnResponse,
} from './convert.ts';
import { serveLeaseKeepAlive } from './lease-keep-alive.ts';
import type {
  CompactionRequestPb,
  DeleteRangeRequestPb,
  GrpcStatus,
  LeaseGrantRequestPb,
  LeaseIdRequestPb,
  LeaseKeepAliveResponsePb,
  LeaseTimeToLiveRequestPb,
  LongBits,
  PutRequestPb,
  RangeRequestPb,
  ResponseHeaderPb,
  TxnRequestPb,
  WatchRequestPb,
  WatchResponsePb,
} from './messages.ts';
import { WatchEncoder } from './watch-encoder.ts';
import { WatchStream } from './watch-stream.ts';

/**
 * The version Maintenance.Status reports. orch-lab speaks etcd's 3.4 API, so it names the first 3.4
 * release: tools that look at the version learn the API level, and no later patch release is implied
 * (claiming one could make a client count on fixes orch-lab does not reproduce).
 */
export const SERVER_VERSION = '3.4.0';

/** A single member never holds an election after its first, so its raft term never moves. */
const RAFT_TERM = 1;

/** etcd's default --name. */
const DEFAULT_NAME = 'default';

/** etcd's default --max-request-bytes. */
const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** etcd lets gRPC take this much beyond max-request-bytes, so its own clearer error answers first. */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface EtcdGrpcServerOptions {
  /** 'host:port' to listen on; port 0 picks a free port (see `address`). */
  readonly listen: string;
  /** The member name (etcd's --name), 'default' unless given. */
  readonly name?: string;
  /** Derived from the name unless given (see `idFromName`). */
  readonly clusterId?: bigint;
  readonly memberId?: bigint;
  /** Writes larger than this fail with "etcdserver: request is too large"; 1.5 MiB unless given. */
  readonly maxRequestBytes?: number;
}

/**
 * etcd derives its member and cluster IDs by hashing member details and keeps them in its data dir.
 * orch-lab hashes the member name instead, so a store restarted under the same name keeps its IDs.
 */
function idFromName(kind: 'member' | 'cluster', name: string): bigint {
  return createHash('sha256').update(`orch-lab ${kind} ${name}`).digest().readBigUInt64BE(0);
}

/**
 * The loader decodes to the shapes messages.ts describes: `defaults` fills every absent field, so
 * converters need no undefined checks, and `oneofs` names the member of a oneof that is set.
 */
const packageDefinition = protoLoader.loadSync('etcd.proto', {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [fileURLToPath(new URL('.', import.meta.url))],
});

/** One of etcd's services as loaded from our proto files; EtcdKV, the client side, uses them too. */
export const service = (name: string) => packageDefinition[`etcdserverpb.${name}`] as grpc.ServiceDefinition;

/**
 * What an oversized write decodes to. Only the deserializer sees the request's size, so it answers
 * with this marker (skipping the decoding work) and the handler turns it into etcd's error.
 */
const TOO_LARGE = Symbol('request too large');
type Sized<T> = T | typeof TOO_LARGE;

/**
 * EtcdGrpcServer is the store's etcd v3 gRPC face: KV, Watch, Lease, Cluster.MemberList and
 * Maintenance.Status, enough for etcdctl 3.4 and etcd client libraries to use orch-lab's store
 * unchanged. Every answer comes from the Store it is given; the server itself keeps only its open
 * streams.
 */
export class EtcdGrpcServer {
  private readonly server: grpc.Server;
  /** Stops for the open watch and keep-alive streams: shutdown ends them rather than wait on clients. */
  private readonly streams = new Set<(status: GrpcStatus) => void>();
  private readonly name: string;
  private readonly clusterId: LongBits;
  private readonly memberId: LongBits;
  private boundAddress = '';

  private constructor(
    private readonly store: Store,
    options: EtcdGrpcServerOptions,
  ) {
    this.name = options.name ?? DEFAULT_NAME;
    this.clusterId = longBits(options.clusterId ?? idFromName('cluster', this.name));
    this.memberId = longBits(options.memberId ?? idFromName('member', this.name));
    const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': maxRequestBytes + GRPC_OVERHEAD_BYTES,
      // Nothing serves gRPC's channelz introspection here, so its per-call bookkeeping is pure cost.
      'grpc.enable_channelz': 0,
    });
    this.addServices(maxRequestBytes);
  }

  static async start(store: Store, options: EtcdGrpcServerOptions): Promise<EtcdGrpcServer> {
    const face = new EtcdGrpcServer(store, options);
    const port = await new Promise<number>((resolve, reject) =>
      face.server.bindAsync(options.listen, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err
          ? reject(new Error(`cannot listen on ${options.listen}: ${err.message}`, { cause: err }))
          : resolve(bound),
      ),
    );
    face.boundAddress = `${options.listen.slice(0, options.listen.lastIndexOf(':'))}:${port}`;
    return face;
  }

  /** The address bound, 'host:port', with the real port when port 0 was asked for. */
  get address(): string {
    return this.boundAddress;
  }

  /** Stops taking calls, ends open streams with etcd's "server stopped", and waits for the rest. */
  async close(): Promise<void> {
    const stopped = toStatus(new StoppedError());
    for (const stop of this.streams) stop(stopped);
    this.streams.clear();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private addServices(maxRequestBytes: number): void {
    const { store } = this;
    const kv = service('KV');
    const sized = (method: string) => limitRequestSize(kv[method]!, maxRequestBytes);
    const kvLimited = {
      ...kv,
      Put: sized('Put'),
      DeleteRange: sized('DeleteRange'),
      Txn: sized('Txn'),
      Compact: sized('Compact'),
    };
    this.server.addService(kvLimited, {
      Range: unary(async (req: RangeRequestPb) => {
        const res = await store.range(rangeRequest(req));
        return rangeResponse(res, this.header(res.header.revision));
      }),
      Put: unary(async (req: PutRequestPb) => {
        const res = await store.put(putRequest(req));
        return putResponse(res, this.header(res.header.revision));
      }),
      DeleteRange: unary(async (req: DeleteRangeRequestPb) => {
        const res = await store.deleteRange(deleteRangeRequest(req));
        return deleteRangeResponse(res, this.header(res.header.revision));
      }),
      Txn: unary(async (req: TxnRequestPb) => {
        const res = await store.txn(txnRequest(req));
        return txnResponse(res, this.header(res.header.revision));
      }),
      Compact: unary(async (req: CompactionRequestPb) => {
        const res = await store.compact(compactionRequest(req));
        return { header: this.header(res.header.revision) };
      }),
    });

    const watchEncoder = new WatchEncoder(service('Watch'), (revision) => this.header(revision));
    this.server.addService(watchEncoder.service(), {
      Watch: (call: grpc.ServerDuplexStream<WatchRequestPb, WatchResponsePb | Buffer>) => {
        const stream = new WatchStream(call, store, (revision) => this.header(revision), watchEncoder);
        this.track(call, (status) => stream.stop(status));
      },
    });

    this.server.addService(service('Lease'), {
      LeaseGrant: unary(async (req: LeaseGrantRequestPb) => {
        const res = await store.leaseGrant({ ttl: Number(req.TTL), id: toBigInt(req.ID) });
        return { header: this.header(res.header.revision), ID: leaseId(res.id), TTL: res.ttl };
      }),
      LeaseRevoke: unary(async (req: LeaseIdRequestPb) => {
        const res = await store.leaseRevoke(toBigInt(req.ID));
        return { header: this.header(res.header.revision) };
      }),
      LeaseKeepAlive: (call: grpc.ServerDuplexStream<LeaseIdRequestPb, LeaseKeepAliveResponsePb>) => {
        this.track(
          call,
          serveLeaseKeepAlive(call, store, (revision) => this.header(revision)),
        );
      },
      LeaseTimeToLive: unary(async (req: LeaseTimeToLiveRequestPb) => {
        const res = await store.leaseTimeToLive(toBigInt(req.ID), req.keys);
        return {
          header: this.header(res.header.revision),
          ID: leaseId(res.id),
          TTL: res.ttl,
          grantedTTL: res.grantedTtl,
          keys: res.keys,
        };
      }),
      LeaseLeases: unary(async () => {
        const res = await store.leaseLeases();
        const leases = res.leases.map((lease) => ({ ID: leaseId(lease.id) }));
        return { header: this.header(res.header.revision), leases };
      }),
    });

    this.server.addService(service('Cluster'), {
      MemberList: unary(async () => ({
        // etcd's cluster service leaves the revision out of its header.
        header: this.header(0),
        members: [{ ID: this.memberId, name: this.name, clientURLs: [`http://${this.address}`] }],
      })),
    });

    this.server.addService(service('Maintenance'), {
      Status: unary(async () => {
        const status = store.status();
        return {
          header: this.header(status.revision),
          version: SERVER_VERSION,
          dbSize: status.dbSize,
          dbSizeInUse: status.dbSizeInUse,
          leader: this.memberId,
          // There is no raft log. Each applied change is one revision, so the revision stands in for
          // the index of the last log entry, which is also the last one applied.
          raftIndex: status.revision,
          raftAppliedIndex: status.revision,
          raftTerm: RAFT_TERM,
        };
      }),
    });
  }

  private track(call: EventEmitter, stop: (status: GrpcStatus) => void): void {
    this.streams.add(stop);
    call.on('close', () => this.streams.delete(stop));
  }

  private header(revision: number): ResponseHeaderPb {
    return { cluster_id: this.clusterId, member_id: this.memberId, revision, raft_term: RAFT_TERM };
  }
}

/** Adapts a promise-returning handler to grpc-js; a failure answers with its gRPC status. */
function unary<Req, Res>(handle: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Sized<Req>, Res> {
  return (call, callback) => {
    const req = call.request;
    if (req === TOO_LARGE) {
      callback(toStatus(new RequestTooLargeError()));
      return;
    }
    handle(req).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toStatus(err)),
    );
  };
}

/**
 * etcd checks each write it proposes to raft against --max-request-bytes; the request's own bytes
 * are the nearest thing to that proposal here.
 */
function limitRequestSize(method: grpc.MethodDefinition<object, object>, max: number) {
  const decode = method.requestDeserialize;
  return {
    ...method,
    requestDeserialize: (bytes: Buffer) => (bytes.length > max ? TOO_LARGE : decode(bytes)),
  };
}
