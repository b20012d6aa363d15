// Helpers for talking to an etcd v3 endpoint through the `etcd3` client in tests: a normalizer that
// turns raw responses into plain comparable data, expected-value builders, and a raw watch stream
// that records every WatchResponse (the high-level Watcher hides created/canceled/compact answers).

import { Etcd3, type IEvent, type IWatchCreateRequest, type IWatchResponse } from 'etcd3';

export function connect(endpoint: string): Etcd3 {
  return new Etcd3({ hosts: `http://${endpoint}`, dialTimeout: 5_000 });
}

/**
 * norm makes a response comparable across servers: Buffers become latin1 strings (one char per
 * byte, so binary keys survive) and every header keeps only `revision`, the one header field the
 * store owns (cluster, member and raft term differ between any two servers).
 */
export function norm(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map(norm);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === 'header' && v !== null && typeof v === 'object'
          ? { revision: (v as { revision?: unknown }).revision }
          : norm(v);
    }
    return out;
  }
  return value;
}

/** The comparable part of a response header: its revision. */
export function normHeader(header: { revision: string } | undefined): { revision: string } | undefined {
  return header === undefined ? undefined : { revision: header.revision };
}

export interface ExpectedKv {
  key: string;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: string;
  lease: string;
}

export const hdr = (revision: number): { revision: string } => ({ revision: String(revision) });

export function kv(
  key: string,
  value: string,
  createRevision: number,
  modRevision: number,
  version: number,
  lease = '0',
): ExpectedKv {
  return {
    key,
    create_revision: String(createRevision),
    mod_revision: String(modRevision),
    version: String(version),
    value,
    lease,
  };
}

export const putEvent = (current: ExpectedKv, prev: ExpectedKv | null = null) => ({
  type: 'Put',
  kv: current,
  prev_kv: prev,
});

/** A DELETE event's kv holds only the key and the revision of the delete (mvccpb tombstone). */
export const deleteEvent = (key: string, modRevision: number, prev: ExpectedKv | null = null) => ({
  type: 'Delete',
  kv: kv(key, '', 0, modRevision, 0),
  prev_kv: prev,
});

/** Resolves with the rejection of `promise`, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(norm(value))}`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('expected a rejection')) throw err;
    const e = err as Error;
    return { name: e.constructor.name, message: e.message };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${describe()}`);
    await sleep(10);
  }
}

/** One Watch RPC stream, recording every response in arrival order. */
export class RawWatchStream {
  readonly responses: IWatchResponse[] = [];
  error: Error | undefined;

  private constructor(
    private readonly stream: Awaited<ReturnType<Etcd3['watchClient']['watch']>>,
    private closed = false,
  ) {}

  static async open(client: Etcd3): Promise<RawWatchStream> {
    const stream = await client.watchClient.watch();
    const raw = new RawWatchStream(stream);
    stream.on('data', (res) => raw.responses.push(res));
    stream.on('error', (err) => {
      if (!raw.closed) raw.error = err;
    });
    return raw;
  }

  /** Sends a create request and resolves with its `created` answer (creates must not overlap). */
  async create(request: IWatchCreateRequest): Promise<IWatchResponse> {
    const seen = this.responses.length;
    this.stream.write({ create_request: request });
    return this.waitFor(() => this.responses.slice(seen).find((r) => r.created), 'the created answer');
  }

  cancel(watchId: string): void {
    this.stream.write({ cancel_request: { watch_id: watchId } });
  }

  requestProgress(): void {
    this.stream.write({ progress_request: {} });
  }

  /** Responses for one watch after its created answer. */
  responsesOf(watchId: string): IWatchResponse[] {
    return this.responses.filter((r) => r.watch_id === watchId && !r.created);
  }

  eventsOf(watchId: string): IEvent[] {
    return this.responsesOf(watchId).flatMap((r) => r.events);
  }

  waitForEvents(watchId: string, count: number, timeoutMs = 5_000): Promise<IEvent[]> {
    return this.waitFor(
      () => {
        const events = this.eventsOf(watchId);
        return events.length >= count ? events : undefined;
      },
      `${count} events on watch ${watchId}`,
      timeoutMs,
    );
  }

  waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
    return waitUntil(
      () => {
        if (this.error) throw this.error;
        return probe();
      },
      what,
      timeoutMs,
      () => `; responses so far: ${JSON.stringify(norm(this.responses))}`,
    );
  }

  close(): void {
    this.closed = true;
    closeStream(this.stream);
  }
}

/**
 * closeStream ends a client stream without poisoning the client: etcd3 treats an error on a stream
 * that is still writable (the CANCELLED that cancel() raises) as a failed host and resets every
 * channel, which races with the next call. Half-closing first makes the stream unwritable.
 */
export function closeStream(stream: { end(): void; cancel(): void }): void {
  stream.end();
  stream.cancel();
}
