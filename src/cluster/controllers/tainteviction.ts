/**
 * TaintEvictionController deletes pods from nodes with NoExecute taints they do not tolerate,
 * after pkg/controller/tainteviction (the taint-eviction-controller). A pod that tolerates every
 * NoExecute taint of its node for a limited time (tolerationSeconds, which admission sets for the
 * not-ready and unreachable taints) is deleted once the shortest of those times has passed since
 * the controller first saw it tainted; a pod without a matching toleration goes at once; a
 * toleration without tolerationSeconds keeps the pod forever. When the taints go first, the
 * scheduled deletion is cancelled.
 */
import type { Node, Taint } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import type { Toleration } from '../api/core/scheduling.ts';
import { nodes as nodeResource, pods as podResource } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { eventErrors, keyOf, runWorkers } from './controller-utils.ts';

export interface TaintEvictionOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

/** Whether the toleration tolerates the taint (v1.Toleration.ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * The shortest time the pod may stay, in ms: 0 when some taint is not tolerated, undefined when
 * every matching toleration is unlimited.
 */
export function minTolerationMs(pod: Pod, taints: readonly Taint[]): number | undefined {
  let min: number | undefined;
  for (const taint of taints) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return 0;
    for (const t of matching) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      const ms = Math.max(0, t.tolerationSeconds) * 1000;
      min = min === undefined ? ms : Math.min(min, ms);
    }
  }
  return min;
}

export class TaintEvictionController {
  /** Pod keys to reconsider. */
  readonly queue: RateLimitingQueue<string>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  /** Pod key -> when the controller first saw its node tainted (the eviction clock's start). */
  private readonly scheduled = new Map<string, number>();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: TaintEvictionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error('taint eviction controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: this.clock });
    this.recorder = new EventRecorder({
      client,
      component: 'taint-eviction-controller',
      clock: this.clock,
      onError: eventErrors(this.onError),
    });
    this.nodeInformer = informers.forResource(nodeResource);
    this.podInformer = informers.forResource(podResource);
    const onNode = (node: Node) => {
      for (const pod of this.podInformer.store.list()) {
        if (pod.spec.nodeName === node.metadata.name) this.queue.add(keyOf(pod));
      }
    };
    this.nodeInformer.addEventHandler({
      onAdd: onNode,
      onUpdate: (old, node) => {
        if (JSON.stringify(noExecuteTaints(old)) !== JSON.stringify(noExecuteTaints(node))) onNode(node);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.queue.add(keyOf(pod)),
      onUpdate: (_old, pod) => this.queue.add(keyOf(pod)),
      onDelete: (pod) => this.scheduled.delete(keyOf(pod)),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.nodeInformer.waitForSync(signal),
      this.podInformer.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, (key) => this.processPod(key), signal, this.onError);
  }

  private async processPod(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    const node = pod?.spec.nodeName ? this.nodeInformer.store.get(pod.spec.nodeName) : undefined;
    const taints = node ? noExecuteTaints(node) : [];
    if (!pod || pod.metadata.deletionTimestamp || taints.length === 0) {
      if (pod && this.scheduled.delete(key) && taints.length === 0) {
        await this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      }
      return;
    }
    const tolerated = minTolerationMs(pod, taints);
    if (tolerated === undefined) {
      this.scheduled.delete(key);
      return;
    }
    const now = this.clock.now();
    const start = this.scheduled.get(key) ?? now;
    this.scheduled.set(key, start);
    const due = start + tolerated;
    if (due > now) {
      this.queue.addAfter(key, due - now);
      return;
    }
    await this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      await this.client.resource(podResource, pod.metadata.namespace).delete(pod.metadata.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function noExecuteTaints(node: Node): Taint[] {
  return (node.spec.taints ?? []).filter((t) => t.effect === 'NoExecute');
}
