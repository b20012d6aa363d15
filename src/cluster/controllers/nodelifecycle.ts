/**
 * NodeLifecycleController watches node heartbeats, after pkg/controller/nodelifecycle. A kubelet
 * proves it is alive by renewing its Lease in kube-node-lease (and by posting node status).
 * Every nodeMonitorPeriod the controller checks each node: when nothing was heard for
 * nodeMonitorGracePeriod, the node's conditions turn Unknown ("Kubelet stopped posting node
 * status.", so kubectl shows NotReady) and its pods are marked not ready.
 *
 * Taints follow the Ready condition, which the scheduler and the taint-eviction controller act on:
 *
 *   Ready=False    node.kubernetes.io/not-ready:NoSchedule and :NoExecute
 *   Ready=Unknown  node.kubernetes.io/unreachable:NoSchedule and :NoExecute
 *   Ready=True     neither (a node that comes back sheds them)
 *
 * and pressure conditions and cordoning add their NoSchedule taints (TaintNodesByCondition).
 * Like kube-controller-manager, the controller judges silence by its own clock from the moment it
 * last saw the Lease or the status change, never by the timestamps the kubelet wrote.
 */
import type { Lease } from '../api/coordination/lease.ts';
import type { Node, Taint } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { formatTime } from '../api/meta.ts';
import { leases, nodes as nodeResource, pods as podResource } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { isConflict, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, sleep, systemClock } from '../clock/clock.ts';
import { eventErrors } from './controller-utils.ts';

export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';

/** NoSchedule taints by condition (and cordon), as TaintNodesByCondition sets them. */
const noScheduleTaints: [key: string, applies: (node: Node) => boolean][] = [
  [TaintNodeNotReady, (n) => readyStatus(n) === 'False'],
  [TaintNodeUnreachable, (n) => readyStatus(n) === 'Unknown'],
  ['node.kubernetes.io/memory-pressure', (n) => conditionStatus(n, 'MemoryPressure') === 'True'],
  ['node.kubernetes.io/disk-pressure', (n) => conditionStatus(n, 'DiskPressure') === 'True'],
  ['node.kubernetes.io/pid-pressure', (n) => conditionStatus(n, 'PIDPressure') === 'True'],
  ['node.kubernetes.io/network-unavailable', (n) => conditionStatus(n, 'NetworkUnavailable') === 'True'],
  ['node.kubernetes.io/unschedulable', (n) => Boolean(n.spec.unschedulable)],
];

/** The conditions a silent node's kubelet can no longer vouch for. */
const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const conditionStatus = (node: Node, type: string) =>
  node.status.conditions?.find((c) => c.type === type)?.status;
const readyStatus = (node: Node) => conditionStatus(node, 'Ready') ?? 'Unknown';

export interface NodeLifecycleOptions {
  /** Silence after which a node turns Unknown: 40 s, kube-controller-manager's default (the lab's is 20 s). */
  readonly nodeMonitorGracePeriodMs?: number;
  /** How often nodes are checked: 1 s in the lab (kube-controller-manager: 5 s). */
  readonly nodeMonitorPeriodMs?: number;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

interface NodeHealth {
  /** When we last heard from the kubelet, by our clock. */
  probeTimestamp: number;
  heartbeat: string | undefined;
  leaseRenewTime: string | undefined;
}

export class NodeLifecycleController {
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly leaseInformer: SharedInformer<Lease>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly gracePeriodMs: number;
  private readonly periodMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly health = new Map<string, NodeHealth>();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: NodeLifecycleOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.gracePeriodMs = options.nodeMonitorGracePeriodMs ?? 40_000;
    this.periodMs = options.nodeMonitorPeriodMs ?? 1000;
    this.onError = options.onError ?? ((err) => console.error('node lifecycle controller:', err));
    this.recorder = new EventRecorder({
      client,
      component: 'node-controller',
      clock: this.clock,
      onError: eventErrors(this.onError),
    });
    this.nodeInformer = informers.forResource(nodeResource);
    this.leaseInformer = informers.forResource(leases, { namespace: 'kube-node-lease' });
    this.podInformer = informers.forResource(podResource);
    this.nodeInformer.addEventHandler({
      onDelete: (node) => {
        const name = node.metadata.name ?? '';
        if (!this.health.delete(name)) return;
        void this.recorder.event(
          node,
          'Normal',
          'RemovingNode',
          `Node ${name} event: Removing Node ${name} from Controller`,
        );
      },
    });
  }

  /** Checks every node each period until `signal` aborts (a single loop: `workers` does not apply). */
  async run(_workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.nodeInformer, this.leaseInformer, this.podInformer].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    while (!signal.aborted) {
      await this.monitorNodeHealth().catch(this.onError);
      await sleep(this.clock, this.periodMs, signal);
    }
  }

  async monitorNodeHealth(): Promise<void> {
    await Promise.all(
      this.nodeInformer.store.list().map(async (node) => {
        try {
          const observed = await this.tryUpdateNodeHealth(node);
          await this.updateTaints(observed);
        } catch (err) {
          if (!isConflict(err) && !isNotFound(err)) this.onError(err);
        }
      }),
    );
  }

  /** Marks a silent node's conditions Unknown; returns the node as it now stands. */
  private async tryUpdateNodeHealth(node: Node): Promise<Node> {
    const name = node.metadata.name ?? '';
    const now = this.clock.now();
    const heartbeat = node.status.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? undefined;
    const leaseRenewTime =
      this.leaseInformer.store.get(`kube-node-lease/${name}`)?.spec.renewTime ?? undefined;
    let saved = this.health.get(name);
    if (!saved) {
      saved = { probeTimestamp: now, heartbeat, leaseRenewTime };
      this.health.set(name, saved);
      await this.recorder.event(
        node,
        'Normal',
        'RegisteredNode',
        `Node ${name} event: Registered Node ${name} in Controller`,
      );
    }
    if (saved.heartbeat !== heartbeat || saved.leaseRenewTime !== leaseRenewTime) {
      Object.assign(saved, { probeTimestamp: now, heartbeat, leaseRenewTime });
    }
    if (now <= saved.probeTimestamp + this.gracePeriodMs) return node;
    const time = formatTime(now);
    const conditions = [...(node.status.conditions ?? [])];
    let changed = false;
    for (const type of monitoredConditions) {
      const i = conditions.findIndex((c) => c.type === type);
      const current = conditions[i];
      if (!current) {
        const [reason, message] = ['NodeStatusNeverUpdated', 'Kubelet never posted node status.'];
        conditions.push({
          type,
          status: 'Unknown',
          reason,
          message,
          lastHeartbeatTime: time,
          lastTransitionTime: time,
        });
        changed = true;
      } else if (current.status !== 'Unknown') {
        conditions[i] = {
          ...current,
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: time,
        };
        changed = true;
      }
    }
    if (!changed) return node;
    const updated = await this.client
      .resource(nodeResource)
      .updateStatus({ ...node, status: { ...node.status, conditions } });
    // The kubelet's heartbeat did not move; our own write must not count as one.
    saved.heartbeat =
      updated.status.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? undefined;
    return updated;
  }

  /** Brings the node's condition taints in line, and records readiness changes on the node and its pods. */
  private async updateTaints(node: Node): Promise<void> {
    const name = node.metadata.name ?? '';
    const ready = readyStatus(node);
    const time = formatTime(this.clock.now());
    const wanted: Taint[] = noScheduleTaints
      .filter(([, applies]) => applies(node))
      .map(([key]) => ({ key, effect: 'NoSchedule' }));
    if (ready === 'False') wanted.push({ key: TaintNodeNotReady, effect: 'NoExecute' });
    if (ready === 'Unknown') wanted.push({ key: TaintNodeUnreachable, effect: 'NoExecute' });
    const ours = new Set(noScheduleTaints.map(([key]) => key));
    const current = node.spec.taints ?? [];
    const isOurs = (t: Taint) =>
      ours.has(t.key ?? '') && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
    const kept = current.filter((t) => !isOurs(t) || wanted.some((w) => same(w, t)));
    const added = wanted
      .filter((w) => !current.some((t) => same(w, t)))
      .map((t) => (t.effect === 'NoExecute' ? { ...t, timeAdded: time } : t));
    if (added.length === 0 && kept.length === current.length) return;
    const wasReady = !current.some(
      (t) => (t.key === TaintNodeUnreachable || t.key === TaintNodeNotReady) && t.effect === 'NoExecute',
    );
    await this.client
      .resource(nodeResource)
      .update({ ...node, spec: { ...node.spec, taints: [...kept, ...added] } });
    if (ready !== 'True' && wasReady) {
      await this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      await this.markPodsNotReady(name);
    } else if (ready === 'True' && !wasReady) {
      await this.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
    }
  }

  /** MarkPodsNotReady: the pods of a node that stopped answering are no longer Ready. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const time = formatTime(this.clock.now());
    const onNode = this.podInformer.store.list().filter((p) => p.spec.nodeName === nodeName);
    for (const pod of onNode) {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next = conditions.map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: time } : c,
      );
      await this.client
        .resource(podResource, pod.metadata.namespace)
        .updateStatus({ ...pod, status: { ...pod.status, conditions: next } })
        .catch((err) => {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        });
      await this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }
}
