/**
 * EventRecorder writes core/v1 Events about objects, after client-go's record.EventRecorder:
 * what `kubectl describe` lists under Events ("Scheduled ... default-scheduler Successfully
 * assigned default/web to node-2").
 *
 *   const recorder = new EventRecorder({ client, component: 'default-scheduler' });
 *   recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned default/web to node-2`);
 *
 * Like client-go's EventCorrelator, an event that repeats (same object, type, reason and message)
 * within ten minutes does not create a new object: the first one's count and lastTimestamp go up.
 * Recording never throws: an event is a courtesy to the reader, so failures go to `onError`.
 */
import type { Event } from '../api/core/event.ts';
import type { KubeObject } from '../api/meta.ts';
import { formatTime } from '../api/meta.ts';
import { events } from '../api/resources.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { isNotFound, type RestClient } from './rest-client.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly client: RestClient;
  /** source.component and reportingComponent, e.g. default-scheduler or kubelet. */
  readonly component: string;
  /** source.host and reportingInstance, e.g. the kubelet's node name. */
  readonly host?: string;
  readonly clock?: Clock;
  /** Reported failures; console.error unless given. */
  readonly onError?: (err: unknown) => void;
}

/** How long a repeat is folded into the first event, as the correlator's cache does. */
const aggregateWindowMs = 10 * 60_000;
/** Remembered events; the oldest are forgotten first. */
const maxRemembered = 4096;

interface Seen {
  readonly namespace: string;
  readonly name: string;
  count: number;
  readonly firstSeen: number;
}

export class EventRecorder {
  private readonly client: RestClient;
  private readonly component: string;
  private readonly host: string | undefined;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  private readonly seen = new Map<string, Seen>();
  private seq = 0;

  constructor(options: EventRecorderOptions) {
    this.client = options.client;
    this.component = options.component;
    this.host = options.host;
    this.clock = options.clock ?? systemClock;
    this.onError =
      options.onError ?? ((err) => console.error(`orch-lab ${this.component}: event not recorded:`, err));
  }

  /** Records the event; resolves when it is written (or failed and was reported), never rejects. */
  async event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    try {
      await this.write(obj, type, reason, message);
    } catch (err) {
      this.onError(err);
    }
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = obj.metadata;
    // Events about cluster-scoped objects (nodes) live in "default", as kube-apiserver expects.
    const namespace = meta.namespace || 'default';
    const now = this.clock.now();
    const time = formatTime(now);
    const key = JSON.stringify([obj.kind, namespace, meta.name, meta.uid, type, reason, message]);
    const client = this.client.resource(events, namespace);
    const previous = this.seen.get(key);
    if (previous && now - previous.firstSeen < aggregateWindowMs) {
      previous.count++;
      try {
        await client.patch(previous.name, 'merge', { count: previous.count, lastTimestamp: time });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    // client-go names events <object>.<UnixNano in hex>; the sequence keeps same-millisecond ones apart.
    const name = `${meta.name}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: meta.namespace || undefined,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    } as unknown as Event;
    await client.create(event);
    this.seen.delete(key);
    this.seen.set(key, { namespace, name, count: 1, firstSeen: now });
    if (this.seen.size > maxRemembered) this.seen.delete(this.seen.keys().next().value!);
  }
}
