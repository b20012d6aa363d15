import type * as grpc from '@grpc/grpc-js';
import type { Event } from '../store/types.ts';
import { event } from './convert.ts';
import type { ResponseHeaderPb, WatchResponsePb } from './messages.ts';

/** Encoded events kept for reuse: some 30,000 events of a few hundred bytes. */
const EVENT_CACHE_BYTES = 8 * 1024 * 1024;

/** The Watch method's own serializer, as proto-loader made it; it takes any subset of the fields. */
type Serialize = (response: Partial<WatchResponsePb>) => Buffer;

/**
 * WatchEncoder builds the bytes of the WatchResponses that carry events, so that an event going to a
 * thousand watchers is encoded once, not a thousand times.
 *
 * A protobuf message is the concatenation of its encoded fields, and protobufjs writes fields in
 * field-number order, so the response {header (1), watch_id (2), events (11)} encodes as exactly
 *
 *   encode({ header }) + encode({ watch_id }) + encode({ events })
 *
 * and `encode({ events })` is the concatenation of `encode({ events: [event] })` for each event.
 * Each part is encoded once and reused: the header once per revision, the watch_id once per watcher,
 * the events of a batch once, since watchers with the same selector share one events array (see
 * WatchableStore.notify), and each recent event once, since the catch-up batches of watchers that
 * fell behind at different revisions overlap. The bytes equal those of encoding the whole object,
 * which watch-encoder.test.ts checks, so clients see no difference.
 */
export class WatchEncoder {
  /** The events field of each batch, dropped with the batch. */
  private readonly bodies = new WeakMap<readonly Event[], Buffer>();
  /**
   * Each recent event as an element of the events field, oldest first, up to EVENT_CACHE_BYTES.
   * Kept as long as the event (the store's log holds it until compaction), they would double the
   * log's memory.
   */
  private readonly eventFields = new Map<Event, Buffer>();
  private eventFieldBytes = 0;
  private headerRevision = -1;
  private headerBytes: Buffer = Buffer.alloc(0);
  private readonly serialize: Serialize;

  /** `watchService` is etcd's Watch service as loaded; `header` makes a response header. */
  constructor(
    private readonly watchService: grpc.ServiceDefinition,
    private readonly header: (revision: number) => ResponseHeaderPb,
  ) {
    this.serialize = watchService.Watch!.responseSerialize as Serialize;
  }

  /**
   * The Watch service to serve: a copy whose response serializer passes the bytes this encoder built
   * straight through and encodes any other response as before.
   */
  service(): grpc.ServiceDefinition {
    const method = this.watchService.Watch!;
    return {
      ...this.watchService,
      Watch: {
        ...method,
        responseSerialize: (value: WatchResponsePb | Buffer) =>
          Buffer.isBuffer(value) ? value : this.serialize(value),
      },
    };
  }

  /** The encoded watch_id field, for a watcher to keep. */
  watchId(id: number): Buffer {
    return this.serialize({ watch_id: id });
  }

  /**
   * The encoded WatchResponse, at `revision`, that carries the events of `batches` in order to the
   * watcher whose watchId() is `watchId`.
   */
  events(revision: number, watchId: Buffer, batches: readonly (readonly Event[])[]): Buffer {
    if (revision !== this.headerRevision) {
      this.headerBytes = this.serialize({ header: this.header(revision) });
      this.headerRevision = revision;
    }
    return Buffer.concat([this.headerBytes, watchId, ...batches.map((events) => this.body(events))]);
  }

  /** The events field of a batch: each event's element, in order. */
  private body(events: readonly Event[]): Buffer {
    let body = this.bodies.get(events);
    if (!body) {
      body =
        events.length === 1
          ? this.eventField(events[0]!)
          : Buffer.concat(events.map((e) => this.eventField(e)));
      this.bodies.set(events, body);
    }
    return body;
  }

  /** One event as an element of the repeated events field: its tag, length and message. */
  private eventField(e: Event): Buffer {
    let field = this.eventFields.get(e);
    if (field) return field;
    field = this.serialize({ events: [event(e)] });
    this.eventFields.set(e, field);
    this.eventFieldBytes += field.length;
    for (const [old, oldField] of this.eventFields) {
      if (this.eventFieldBytes <= EVENT_CACHE_BYTES) break;
      this.eventFields.delete(old);
      this.eventFieldBytes -= oldField.length;
    }
    return field;
  }
}
