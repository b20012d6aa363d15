/**
 * The scheduler, after kube-scheduler's pkg/scheduler: a client of the API server that finds a
 * node for every pending pod whose spec.schedulerName is ours.
 *
 *   informers (pods, nodes) ──handlers──> SchedulingQueue ──pop──> scheduleOne(pod)
 *                                                                    │ snapshot: NodeInfo per node
 *                                                                    │ Framework: filter, score
 *                              ┌── no node fits ─────────────────────┤
 *     queue: unschedulable     │ FailedScheduling event,             │ a node wins
 *     (retried on node or pod  │ PodScheduled=False, annotations     │ assume it there, then bind
 *      events, or after 5 min) │                                     ▼ (POST pods/<name>/binding)
 *                                                       Scheduled event, annotations
 *
 * Binding runs in the background, as kube-scheduler's binding cycle does; until the informer sees
 * the pod bound, the pod is "assumed" on its node, so the next pod already sees the node fuller.
 */
import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { formatTime } from '../api/meta.ts';
import { nodes as nodeResource, pods as podResource } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { SchedulerCache } from './cache.ts';
import { decisionAnnotations } from './decision-annotations.ts';
import { ErrNoNodesAvailable, FitError } from './framework/fit-error.ts';
import { Framework, type PluginEntry } from './framework/runtime.ts';
import { defaultPlugins } from './plugins/registry.ts';
import {
  type QueuedPodInfo,
  SchedulingQueue,
  type SchedulingQueueOptions,
} from './queue/scheduling-queue.ts';

export const DefaultSchedulerName = 'default-scheduler';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this are ours; default-scheduler unless given. */
  readonly schedulerName?: string;
  /** The profile's plugins and weights; defaultPlugins() unless given. */
  readonly plugins?: readonly PluginEntry[];
  /** See FrameworkOptions.percentageOfNodesToScore; 0 (adaptive) unless given. */
  readonly percentageOfNodesToScore?: number;
  readonly clock?: Clock;
  readonly queue?: Omit<SchedulingQueueOptions, 'clock'>;
  /** Tie-breaking between equal totals; Math.random unless given. */
  readonly random?: () => number;
  /** Failed API writes and events; console.error unless given. */
  readonly onError?: (err: unknown) => void;
}

const isAssigned = (pod: Pod): boolean => Boolean(pod.spec.nodeName);

export class Scheduler {
  readonly queue: SchedulingQueue;
  private readonly framework: Framework;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  private readonly schedulerName: string;
  private readonly onError: (err: unknown) => void;
  private readonly clock: Clock;
  /** Every node with its pods, bound or assumed (placed here, binding not yet seen). */
  private readonly cache = new SchedulerCache();
  /** Writes still in flight (bindings, status, events), awaited when run() ends. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: SchedulerOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.schedulerName = options.schedulerName ?? DefaultSchedulerName;
    this.onError = options.onError ?? ((err) => console.error('orch-lab scheduler:', err));
    this.queue = new SchedulingQueue({ ...options.queue, clock });
    this.framework = new Framework({
      plugins: options.plugins ?? defaultPlugins(),
      percentageOfNodesToScore: options.percentageOfNodesToScore,
      random: options.random,
    });
    this.recorder = new EventRecorder({
      client,
      component: this.schedulerName,
      clock,
      onError: this.onError,
    });
    // Terminal pods hold no resources, so the scheduler never needs to see them.
    this.podInformer = informers.forResource(podResource, {
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    });
    this.nodeInformer = informers.forResource(nodeResource);
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (oldPod, newPod) => this.onPodUpdate(oldPod, newPod),
      onDelete: (pod) => this.onPodDelete(pod),
    });
    this.nodeInformer.addEventHandler({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoffQueue('NodeAdd');
      },
      onUpdate: (oldNode, newNode) => {
        this.cache.updateNode(newNode);
        if (nodeSchedulingPropertiesChanged(oldNode, newNode))
          this.queue.moveAllToActiveOrBackoffQueue('NodeUpdate');
      },
      onDelete: (node) => this.cache.removeNode(node),
    });
  }

  /** Schedules pods until `signal` aborts; resolves once the informers and pending writes are done. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.close();
    signal.addEventListener('abort', stop, { once: true });
    this.informers.start(signal);
    try {
      if (await this.informers.waitForCacheSync(signal)) {
        while (!signal.aborted && (await this.scheduleOne())) {
          // one pod per turn
        }
      }
    } finally {
      stop();
      signal.removeEventListener('abort', stop);
      await Promise.allSettled([...this.pending]);
    }
  }

  /** Takes one pod from the queue and tries to place it; false once the queue is closed. */
  async scheduleOne(): Promise<boolean> {
    const popped = await this.queue.pop();
    if (!popped) return false;
    const { info, cycle } = popped;
    // The queue may hold an older copy; the cache has the pod as it is now.
    const pod = this.podInformer.store.get(info.key) ?? info.pod;
    if (isAssigned(pod) || pod.metadata.deletionTimestamp || this.cache.isAssumed(pod)) return true;
    info.pod = pod;
    const snapshot = this.cache.nodeInfos();
    try {
      if (snapshot.length === 0) throw new Error(ErrNoNodesAvailable);
      const result = this.framework.schedulePod(pod, snapshot);
      this.cache.assumePod({ ...pod, spec: { ...pod.spec, nodeName: result.suggestedHost } });
      this.track(
        this.bind(
          info,
          cycle,
          result.suggestedHost,
          decisionAnnotations(result.record, result.suggestedHost),
        ),
      );
    } catch (err) {
      this.track(this.handleSchedulingFailure(info, cycle, err));
    }
    return true;
  }

  /** The binding cycle: POST the Binding, then tell the learner. */
  private async bind(info: QueuedPodInfo, cycle: number, node: string, annotations: Record<string, string>) {
    const { pod } = info;
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const podClient = this.client.resource(podResource, ns);
    try {
      // The decision rides on the Binding: the API server copies its annotations onto the pod.
      await podClient.createSubresource(name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata.uid, annotations },
        target: { kind: 'Node', name: node },
      });
    } catch (err) {
      this.cache.forgetPod(pod);
      await this.handleSchedulingFailure(info, cycle, new Error(`binding rejected: ${errorMessage(err)}`));
      return;
    }
    await this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
  }

  /**
   * handleSchedulingFailure: back to the queue first (so the writes below, which come back as pod
   * updates, find it waiting), then the FailedScheduling event, the PodScheduled=False condition
   * and the annotations, all with kube-scheduler's message.
   */
  private async handleSchedulingFailure(info: QueuedPodInfo, cycle: number, err: unknown): Promise<void> {
    const fit = err instanceof FitError ? err : undefined;
    if (fit) info.unschedulablePlugins = fit.unschedulablePlugins();
    const current = this.podInformer.store.get(info.key);
    if (!current || isAssigned(current)) return;
    this.queue.addUnschedulableIfNotPresent(info, cycle, !fit && errorMessage(err) !== ErrNoNodesAvailable);
    const message = errorMessage(err);
    const ns = current.metadata.namespace ?? 'default';
    const name = current.metadata.name ?? '';
    const podClient = this.client.resource(podResource, ns);
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: fit || message === ErrNoNodesAvailable ? 'Unschedulable' : 'SchedulerError',
      message,
      lastProbeTime: null,
      lastTransitionTime: formatTime(this.clock.now()),
    };
    const previous = current.status.conditions?.find((c) => c.type === 'PodScheduled');
    const writes: Promise<unknown>[] = [this.recorder.event(current, 'Warning', 'FailedScheduling', message)];
    if (
      previous?.status !== 'False' ||
      previous.message !== message ||
      previous.reason !== condition.reason
    ) {
      if (previous?.status === 'False')
        condition.lastTransitionTime = previous.lastTransitionTime ?? condition.lastTransitionTime;
      writes.push(
        this.patch(() =>
          podClient.patch(
            name,
            'strategic',
            { status: { conditions: [condition] } },
            { subresource: 'status' },
          ),
        ),
      );
    }
    if (fit) {
      writes.push(
        this.patch(() =>
          podClient.patch(
            name,
            'merge',
            { metadata: { annotations: decisionAnnotations(fit.record) } },
            { subresource: 'status' },
          ),
        ),
      );
    }
    await Promise.all(writes);
  }

  private async patch(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.onError(err);
    }
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err) => this.onError(err)).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec.schedulerName || DefaultSchedulerName) === this.schedulerName;
  }

  private onPodAdd(pod: Pod): void {
    if (isAssigned(pod)) {
      this.cache.addPod(pod);
      return;
    }
    if (this.responsibleFor(pod) && !pod.metadata.deletionTimestamp) this.queue.add(pod);
  }

  private onPodUpdate(oldPod: Pod, newPod: Pod): void {
    if (isAssigned(newPod)) {
      this.cache.updatePod(newPod);
      if (!isAssigned(oldPod)) this.queue.delete(newPod);
      return;
    }
    if (!this.responsibleFor(newPod)) return;
    if (newPod.metadata.deletionTimestamp) this.queue.delete(newPod);
    else this.queue.update(oldPod, newPod);
  }

  private onPodDelete(pod: Pod): void {
    this.queue.delete(pod);
    if (isAssigned(pod) || this.cache.isAssumed(pod)) {
      this.cache.removePod(pod);
      // Its resources and ports are free again: pods that did not fit may fit now.
      this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
    }
  }
}

/** Whether a node update can change a Filter's verdict: labels, taints, cordon, allocatable, conditions. */
function nodeSchedulingPropertiesChanged(a: Node, b: Node): boolean {
  const view = (n: Node) =>
    JSON.stringify([
      n.metadata.labels ?? {},
      n.spec.taints ?? [],
      Boolean(n.spec.unschedulable),
      n.status.allocatable ?? {},
      (n.status.conditions ?? []).map((c) => [c.type, c.status]),
    ]);
  return view(a) !== view(b);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
