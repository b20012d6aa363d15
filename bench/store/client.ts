// The benchmark's client: the same code talks to real etcd and to ours, so any difference in a figure
// is the server's. Two implementations of one small interface:
//
// - `grpc` (the default): @grpc/grpc-js with orch-lab's etcd.proto. Unary calls decode fully, as any
//   client would. Watch responses are not decoded: a counting deserializer walks the top-level
//   protobuf fields and counts the events (field 11) without building them, because a full decode of
//   every event made the client, not the server, the limit of the watch figure.
// - `etcd3`: the `etcd3` npm client (BENCH_CLIENT=etcd3). Its unary calls cost this process about
//   what raw grpc-js calls cost (grpc-js itself dominates), but its watchers decode every event and
//   emit it through an EventEmitter, which saturates this process's core at about 150,000-250,000
//   deliveries/s, below what either server can deliver.
//
// Each connection is its own TCP connection: grpc-js shares one subchannel between clients with the
// same target and options unless `grpc.use_local_subchannel_pool` is set, so "10 connections" would
// otherwise be one.

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Etcd3 } from 'etcd3';

export type ClientKind = 'grpc' | 'etcd3';

export interface KvConnection {
  put(key: Buffer, value: Buffer): Promise<void>;
  /** A single-key range; resolves with the value, or undefined when the key is absent. */
  get(key: Buffer, serializable: boolean): Promise<Buffer | undefined>;
  /** Puts every entry in one transaction, so one revision (and one fsync) carries them all. */
  putAll(entries: readonly (readonly [Buffer, Buffer])[]): Promise<void>;
  /**
   * Opens a watch stream on this connection; `onEvents` hears how many events arrived in each
   * response of any of its watchers.
   */
  openWatchStream(onEvents: (count: number) => void): WatchStream;
  close(): void;
}

export interface WatchStream {
  /** Adds a watcher per prefix to the stream; resolves when the server has confirmed them all. */
  add(prefixes: readonly Buffer[]): Promise<void>;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.use_local_subchannel_pool': 1,
  // Defaults are 1 s then doubling: far too coarse for timing a restart to the millisecond.
  'grpc.initial_reconnect_backoff_ms': 10,
  'grpc.min_reconnect_backoff_ms': 10,
  'grpc.max_reconnect_backoff_ms': 50,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
};

const CALL_TIMEOUT_MS = 30_000;

export function connect(kind: ClientKind, endpoint: string): KvConnection {
  return kind === 'grpc' ? new GrpcConnection(endpoint) : new Etcd3Connection(endpoint);
}

/** The range end that makes a range or watch cover every key starting with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

// --- grpc -------------------------------------------------------------------------------------------

interface Services {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  watchPath: string;
  serializeWatchRequest: (request: unknown) => Buffer;
}

let services: Services | undefined;

function loadServices(): Services {
  if (services) return services;
  const protoDir = fileURLToPath(new URL('../../src/cluster/etcd/', import.meta.url));
  const definition = protoLoader.loadSync('etcd.proto', {
    includeDirs: [protoDir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    etcdserverpb: Record<string, grpc.ServiceClientConstructor>;
  };
  const watch = (definition['etcdserverpb.Watch'] as protoLoader.ServiceDefinition).Watch!;
  const loaded: Services = {
    KV: root.etcdserverpb.KV!,
    Watch: root.etcdserverpb.Watch!,
    watchPath: watch.path,
    serializeWatchRequest: watch.requestSerialize as (request: unknown) => Buffer,
  };
  services = loaded;
  return loaded;
}

interface RangeReply {
  kvs?: { value?: Buffer }[];
}

/** What the benchmark needs of a WatchResponse. */
export interface WatchReplySummary {
  created: boolean;
  canceled: boolean;
  cancelReason: string;
  events: number;
}

/**
 * Reads a serialized etcdserverpb.WatchResponse's top-level fields: created (3), canceled (4),
 * cancel_reason (6), and how many events (11, repeated, length-delimited) it holds. Every other
 * field, and the events' contents, are skipped by their wire type.
 */
export function summarizeWatchResponse(buf: Buffer): WatchReplySummary {
  const summary: WatchReplySummary = { created: false, canceled: false, cancelReason: '', events: 0 };
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint in WatchResponse');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0: {
        const value = varint();
        if (field === 3) summary.created = value !== 0;
        if (field === 4) summary.canceled = value !== 0;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = varint();
        if (field === 11) summary.events++;
        if (field === 6) summary.cancelReason = buf.toString('utf8', pos, pos + length);
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`unexpected wire type ${tag & 7} in WatchResponse`);
    }
  }
  return summary;
}

type Unary = (request: unknown, options: grpc.CallOptions, callback: grpc.requestCallback<unknown>) => void;

/** Why the unary methods are looked up by name: grpc-js builds them at run time from the proto. */
function unary(client: grpc.Client, name: string): <T>(request: unknown) => Promise<T> {
  const method = (client as unknown as Record<string, Unary>)[name]!.bind(client);
  return <T>(request: unknown) =>
    new Promise<T>((resolve, reject) => {
      method(request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, reply) =>
        err ? reject(err) : resolve(reply as T),
      );
    });
}

class GrpcConnection implements KvConnection {
  readonly #channel: grpc.Channel;
  readonly #kv: grpc.Client;
  readonly #watch: grpc.Client;
  readonly #range: <T>(request: unknown) => Promise<T>;
  readonly #put: <T>(request: unknown) => Promise<T>;
  readonly #txn: <T>(request: unknown) => Promise<T>;
  readonly #streams: grpc.ClientDuplexStream<unknown, WatchReplySummary>[] = [];

  constructor(endpoint: string) {
    const { KV, Watch } = loadServices();
    this.#channel = new grpc.Channel(endpoint, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    // Both services share this connection, as they do in etcd's own clients.
    this.#kv = new KV(endpoint, grpc.credentials.createInsecure(), { channelOverride: this.#channel });
    this.#watch = new Watch(endpoint, grpc.credentials.createInsecure(), { channelOverride: this.#channel });
    this.#range = unary(this.#kv, 'Range');
    this.#put = unary(this.#kv, 'Put');
    this.#txn = unary(this.#kv, 'Txn');
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.#put({ key, value });
  }

  async get(key: Buffer, serializable: boolean): Promise<Buffer | undefined> {
    const reply = await this.#range<RangeReply>({ key, serializable });
    return reply.kvs?.[0]?.value ?? undefined;
  }

  async putAll(entries: readonly (readonly [Buffer, Buffer])[]): Promise<void> {
    await this.#txn({ success: entries.map(([key, value]) => ({ request_put: { key, value } })) });
  }

  openWatchStream(onEvents: (count: number) => void): WatchStream {
    const { watchPath, serializeWatchRequest } = loadServices();
    const stream = this.#watch.makeBidiStreamRequest(
      watchPath,
      serializeWatchRequest,
      summarizeWatchResponse,
    );
    this.#streams.push(stream);
    // etcd reads a stream's requests one by one and answers creates in the order they came, so the
    // n-th `created` answers the n-th create.
    let created = 0;
    let failure: Error | undefined;
    const waiting: { until: number; resolve: () => void; reject: (err: Error) => void }[] = [];
    const fail = (err: Error) => {
      failure ??= err;
      for (const wait of waiting.splice(0)) wait.reject(err);
    };
    stream.on('data', (reply: WatchReplySummary) => {
      if (reply.created) {
        created++;
        while (waiting[0] && waiting[0].until <= created) waiting.shift()!.resolve();
      }
      if (reply.canceled) fail(new Error(`watcher cancelled: ${reply.cancelReason}`));
      if (reply.events > 0) onEvents(reply.events);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      // Cancelling our own stream on close is not a failure.
      if (err.code !== grpc.status.CANCELLED) fail(err);
    });
    let requested = 0;
    return {
      add: (prefixes) =>
        new Promise<void>((resolve, reject) => {
          if (failure) return reject(failure);
          requested += prefixes.length;
          waiting.push({ until: requested, resolve, reject });
          for (const prefix of prefixes) {
            stream.write({ create_request: { key: prefix, range_end: prefixEnd(prefix) } });
          }
          if (prefixes.length === 0 && created >= requested) waiting.pop()!.resolve();
        }),
    };
  }

  close(): void {
    for (const stream of this.#streams) stream.cancel();
    this.#kv.close();
    this.#watch.close();
    this.#channel.close();
  }
}

// --- etcd3 ------------------------------------------------------------------------------------------

class Etcd3Connection implements KvConnection {
  readonly #client: Etcd3;

  constructor(endpoint: string) {
    this.#client = new Etcd3({
      hosts: `http://${endpoint}`,
      dialTimeout: 5_000,
      grpcOptions: CHANNEL_OPTIONS,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
    });
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.#client.put(key).value(value).exec();
  }

  async get(key: Buffer, serializable: boolean): Promise<Buffer | undefined> {
    const value = await this.#client.get(key).serializable(serializable).buffer();
    return value ?? undefined;
  }

  async putAll(entries: readonly (readonly [Buffer, Buffer])[]): Promise<void> {
    await this.#client.kv.txn({ success: entries.map(([key, value]) => ({ request_put: { key, value } })) });
  }

  openWatchStream(onEvents: (count: number) => void): WatchStream {
    // etcd3 multiplexes every watcher of one client onto one stream, opened with the first watcher,
    // and attaches watchers one at a time.
    return {
      add: async (prefixes) => {
        await Promise.all(
          prefixes.map(async (prefix) => {
            const watcher = await this.#client.watch().prefix(prefix).create();
            watcher.on('data', (reply) => {
              if (reply.events.length > 0) onEvents(reply.events.length);
            });
          }),
        );
      },
    };
  }

  close(): void {
    this.#client.close();
  }
}
