/**
 * PodGCController removes pods no kubelet will ever finish, after pkg/controller/podgc. Every
 * gcCheckPeriod it force-deletes (grace period 0):
 *
 * - orphaned pods: bound to a node that no longer exists (confirmed with the API server after the
 *   node has been missing from the cache for a quarantine period, so a node still registering
 *   is not mistaken for a deleted one);
 * - terminating pods on nodes that are not ready and carry node.kubernetes.io/out-of-service;
 * - unscheduled pods that are terminating;
 * - finished (Succeeded/Failed) pods beyond terminatedPodThreshold, oldest first.
 *
 * Like kube-controller-manager's, it records no Events: the pods it deletes are beyond help.
 */
import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { nodes as nodeResource, pods as podResource } from '../api/resources.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, sleep, systemClock } from '../clock/clock.ts';

export interface PodGCOptions {
  /** How often to look: 20 s, as kube-controller-manager. */
  readonly gcCheckPeriodMs?: number;
  /** How long a node must be missing before its pods count as orphaned: 40 s, as Kubernetes. */
  readonly quarantineMs?: number;
  /** Finished pods kept before the oldest are deleted: 12500, as --terminated-pod-gc-threshold. */
  readonly terminatedPodThreshold?: number;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

const OutOfServiceTaint = 'node.kubernetes.io/out-of-service';

export class PodGCController {
  private readonly podInformer: SharedInformer<Pod>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly clock: Clock;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly threshold: number;
  private readonly onError: (err: unknown) => void;
  /** Node names seen missing, and since when. */
  private readonly missingSince = new Map<string, number>();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: PodGCOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.periodMs = options.gcCheckPeriodMs ?? 20_000;
    this.quarantineMs = options.quarantineMs ?? 40_000;
    this.threshold = options.terminatedPodThreshold ?? 12_500;
    this.onError = options.onError ?? ((err) => console.error('pod garbage collector:', err));
    this.podInformer = informers.forResource(podResource);
    this.nodeInformer = informers.forResource(nodeResource);
  }

  async run(_workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.podInformer.waitForSync(signal),
      this.nodeInformer.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    while (!signal.aborted) {
      await this.gc().catch(this.onError);
      await sleep(this.clock, this.periodMs, signal);
    }
  }

  async gc(): Promise<void> {
    const pods = this.podInformer.store.list();
    const doomed = new Set<Pod>();
    await this.gcOrphaned(pods, doomed);
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp) continue;
      if (!pod.spec.nodeName) doomed.add(pod);
      else if (this.outOfService(pod.spec.nodeName)) doomed.add(pod);
    }
    const finished = pods
      .filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const pod of finished.slice(0, Math.max(0, finished.length - this.threshold))) doomed.add(pod);
    await Promise.all([...doomed].map((pod) => this.forceDelete(pod)));
  }

  private async gcOrphaned(pods: Pod[], doomed: Set<Pod>): Promise<void> {
    const now = this.clock.now();
    const missing = new Set<string>();
    for (const pod of pods) {
      const node = pod.spec.nodeName;
      if (node && !this.nodeInformer.store.get(node)) missing.add(node);
    }
    for (const name of [...this.missingSince.keys()]) if (!missing.has(name)) this.missingSince.delete(name);
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < this.quarantineMs) continue;
      const exists = await this.client
        .resource(nodeResource)
        .get(name)
        .then(
          () => true,
          (err) => {
            if (isNotFound(err)) return false;
            throw err;
          },
        );
      if (exists) continue;
      for (const pod of pods) if (pod.spec.nodeName === name) doomed.add(pod);
    }
  }

  private outOfService(nodeName: string): boolean {
    const node = this.nodeInformer.store.get(nodeName);
    if (!node) return false;
    const ready = node.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return !ready && (node.spec.taints ?? []).some((t) => t.key === OutOfServiceTaint);
  }

  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.client
        .resource(podResource, pod.metadata.namespace)
        .delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isNotFound(err)) this.onError(err);
    }
  }
}
