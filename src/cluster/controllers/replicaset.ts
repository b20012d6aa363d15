/**
 * ReplicaSetController keeps spec.replicas pods running for every ReplicaSet, after
 * pkg/controller/replicaset/replica_set.go. The ReplicationController controller is this same
 * controller over the older kind (see replication.ts), as in Kubernetes.
 *
 *   pod and RS events ──> queue of RS keys ──> syncReplicaSet(key)
 *     1. claim pods: adopt orphans the selector matches, release owned pods it no longer matches
 *     2. if the expectations of the last sync are met: create (slow start) or delete
 *        (least valuable first) the difference
 *     3. write status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
 *        observedGeneration, and the ReplicaFailure condition when a create or delete failed
 */
import type { ReplicaSet } from '../api/apps/replica-set.ts';
import type { Pod, PodTemplateSpec } from '../api/core/pod.ts';
import { semanticEqual } from '../api/equality.ts';
import { type Selector, selectorFromLabelSelector } from '../api/labels.ts';
import { formatTime, type KubeObject } from '../api/meta.ts';
import { pods as podResource, type ResourceType, replicaSets } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isConflict, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import {
  ControllerExpectations,
  errorMessage,
  eventErrors,
  getControllerOf,
  isNamespaceTerminating,
  isPodActive,
  isPodAvailable,
  isPodReady,
  keyOf,
  newControllerRef,
  PodControl,
  resolveControllerRef,
  runWorkers,
  slowStartBatch,
  sortPodsToDelete,
  splitKey,
} from './controller-utils.ts';

/** The most pods one sync creates or deletes (kube-controller-manager's burstReplicas). */
const BurstReplicas = 500;

/** The fields the controller reads and writes, which ReplicaSet and ReplicationController share. */
export interface ReplicatedObject extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status: ReplicaSet['status'];
}

/** What differs between the kinds this controller runs: the resource, its selector, its name. */
export interface ReplicaSetKind<T extends ReplicatedObject> {
  readonly type: ResourceType<T>;
  /** Event source: replicaset-controller, replication-controller. */
  readonly component: string;
  selector(obj: T): Selector;
}

export const replicaSetKind: ReplicaSetKind<ReplicaSet & ReplicatedObject> = {
  type: replicaSets as ResourceType<ReplicaSet & ReplicatedObject>,
  component: 'replicaset-controller',
  selector: (rs) => selectorFromLabelSelector(rs.spec.selector),
};

export interface ReplicaSetControllerOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class ReplicaSetController<T extends ReplicatedObject> {
  readonly queue: RateLimitingQueue<string>;
  private readonly rsInformer: SharedInformer<T>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  /** The sync function, a field so tests can replace it, as in Kubernetes. */
  syncHandler = (key: string) => this.syncReplicaSet(key);

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    private readonly kind: ReplicaSetKind<T>,
    options: ReplicaSetControllerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error(`${kind.component}:`, err));
    this.queue = new RateLimitingQueue<string>({ clock: this.clock });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder({
      client,
      component: kind.component,
      clock: this.clock,
      onError: eventErrors(this.onError),
    });
    this.podControl = new PodControl(client, this.recorder);
    this.rsInformer = informers.forResource(kind.type);
    this.podInformer = informers.forResource(podResource);
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.queue.add(keyOf(rs)),
      onUpdate: (_old, rs) => this.queue.add(keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.deleteExpectations(keyOf(rs));
        this.queue.add(keyOf(rs));
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (oldPod, pod) => this.updatePod(oldPod, pod),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.rsInformer.waitForSync(signal),
      this.podInformer.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, this.syncHandler, signal, this.onError);
  }

  /** Every set in the pod's namespace whose selector matches it: candidates to adopt an orphan. */
  private getPodReplicaSets(pod: Pod): T[] {
    return this.rsInformer.store
      .byIndex('namespace', pod.metadata.namespace ?? '')
      .filter((rs) => this.kind.selector(rs).matches(pod.metadata.labels));
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = resolveControllerRef(pod, this.kind.type.kind, this.rsInformer.store);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.queue.add(keyOf(rs));
      return;
    }
    for (const rs of this.getPodReplicaSets(pod)) this.queue.add(keyOf(rs));
  }

  private updatePod(oldPod: Pod, pod: Pod): void {
    if (oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) {
      // A pod being deleted is as good as gone: the set may replace it now.
      this.deletePod(pod);
      if (JSON.stringify(oldPod.metadata.labels) !== JSON.stringify(pod.metadata.labels))
        this.deletePod(oldPod);
      return;
    }
    const oldRef = getControllerOf(oldPod);
    const ref = getControllerOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const old = resolveControllerRef(oldPod, this.kind.type.kind, this.rsInformer.store);
      if (old) this.queue.add(keyOf(old));
    }
    if (ref) {
      const rs = resolveControllerRef(pod, this.kind.type.kind, this.rsInformer.store);
      if (!rs) return;
      this.queue.add(keyOf(rs));
      // A pod that just turned ready becomes available minReadySeconds later: look again then.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(oldPod) && isPodReady(pod)) {
        this.queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      }
      return;
    }
    if (JSON.stringify(oldPod.metadata.labels) !== JSON.stringify(pod.metadata.labels) || oldRef) {
      for (const rs of this.getPodReplicaSets(pod)) this.queue.add(keyOf(rs));
    }
  }

  private deletePod(pod: Pod): void {
    const rs = resolveControllerRef(pod, this.kind.type.kind, this.rsInformer.store);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.queue.add(keyOf(rs));
  }

  private async syncReplicaSet(key: string): Promise<void> {
    const rs = this.rsInformer.store.get(key);
    if (!rs) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const rsNeedsSync = this.expectations.satisfiedExpectations(key);
    const selector = this.kind.selector(rs);
    const [namespace] = splitKey(key);
    const all = this.podInformer.store.byIndex('namespace', namespace);
    const active = all.filter(isPodActive);
    const owned = await this.claimPods(rs, selector, active);
    let manageError: unknown;
    if (rsNeedsSync && !rs.metadata.deletionTimestamp) {
      manageError = await this.manageReplicas(owned, this.relatedPods(rs, owned, active), rs).catch(
        (err) => err,
      );
    }
    const status = this.calculateStatus(rs, owned, manageError);
    const updated = await this.updateStatus(rs, status);
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (
      manageError === undefined &&
      minReady > 0 &&
      updated.status.readyReplicas === rs.spec.replicas &&
      updated.status.availableReplicas !== rs.spec.replicas
    ) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  /**
   * claimPods, after ControllerRefManager.ClaimPods: owned pods that match stay, owned pods that
   * stopped matching are released (their controller reference removed), and orphans that match
   * are adopted (a controller reference added) unless the set is being deleted.
   */
  private async claimPods(rs: T, selector: Selector, pods: Pod[]): Promise<Pod[]> {
    const claimed: Pod[] = [];
    const uid = rs.metadata.uid;
    const podClient = this.client.resource(podResource, rs.metadata.namespace);
    let canAdopt: Promise<boolean> | undefined;
    await Promise.all(
      pods.map(async (pod) => {
        const ref = getControllerOf(pod);
        const matches = selector.matches(pod.metadata.labels);
        if (ref) {
          if (ref.uid !== uid) return;
          if (matches) {
            claimed.push(pod);
            return;
          }
          if (rs.metadata.deletionTimestamp) return;
          await this.patchIgnoringGone(() =>
            podClient.patch(pod.metadata.name ?? '', 'strategic', {
              metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: pod.metadata.uid },
            }),
          );
          return;
        }
        if (!matches || rs.metadata.deletionTimestamp || pod.metadata.deletionTimestamp) return;
        canAdopt ??= this.canAdopt(rs);
        if (!(await canAdopt)) return;
        const adopted = await this.patchIgnoringGone(() =>
          podClient.patch(pod.metadata.name ?? '', 'strategic', {
            metadata: { ownerReferences: [newControllerRef(rs)], uid: pod.metadata.uid },
          }),
        );
        if (adopted) claimed.push(adopted);
      }),
    );
    return claimed;
  }

  /** A fresh read, so a set deleted (or deleted and recreated under its name) adopts nothing. */
  private async canAdopt(rs: T): Promise<boolean> {
    try {
      const fresh = await this.client
        .resource(this.kind.type, rs.metadata.namespace)
        .get(rs.metadata.name ?? '');
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async patchIgnoringGone(patch: () => Promise<Pod>): Promise<Pod | undefined> {
    try {
      return await patch();
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return undefined;
      throw err;
    }
  }

  /**
   * The pods a scale-down weighs against (getIndirectlyRelatedPods): those of every set with the
   * same owner, so a Deployment's old and new sets thin out crowded nodes together.
   */
  private relatedPods(rs: T, owned: Pod[], active: Pod[]): Pod[] {
    const owner = getControllerOf(rs)?.uid;
    if (!owner) return owned;
    const siblings = new Set(
      this.rsInformer.store
        .byIndex('namespace', rs.metadata.namespace ?? '')
        .filter((s) => getControllerOf(s)?.uid === owner)
        .map((s) => s.metadata.uid),
    );
    return active.filter((p) => siblings.has(getControllerOf(p)?.uid));
  }

  /** Creates or deletes the difference between the pods there are and spec.replicas. */
  private async manageReplicas(owned: Pod[], related: Pod[], rs: T): Promise<void> {
    const key = keyOf(rs);
    const diff = owned.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const wanted = Math.min(-diff, BurstReplicas);
      const template = rs.spec.template;
      if (!template) throw new Error(`${keyOf(rs)} has no pod template`);
      this.expectations.expectCreations(key, wanted);
      const { successes, error } = await slowStartBatch(wanted, () =>
        // Creates in a namespace being deleted are futile, not failing: nothing to retry.
        this.podControl.createPod(template, rs).catch((err) => {
          if (!isNamespaceTerminating(err)) throw err;
        }),
      );
      // The creations that were never attempted, or failed, will never be observed.
      for (let skipped = wanted - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      const toDelete = sortPodsToDelete(owned, related).slice(0, Math.min(diff, BurstReplicas));
      this.expectations.expectDeletions(key, toDelete.map(keyOf));
      const results = await Promise.allSettled(
        toDelete.map(async (pod) => {
          try {
            await this.podControl.deletePod(pod, rs);
          } catch (err) {
            this.expectations.deletionObserved(key, keyOf(pod));
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  private calculateStatus(rs: T, pods: Pod[], manageError: unknown): T['status'] {
    const now = this.clock.now();
    const templateLabels = rs.spec.template?.metadata.labels ?? {};
    const fullyLabeled = pods.filter((p) =>
      Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
    );
    const conditions = (rs.status.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    if (manageError !== undefined) {
      const previous = rs.status.conditions?.find((c) => c.type === 'ReplicaFailure');
      const creating = pods.length < (rs.spec.replicas ?? 1);
      conditions.push({
        type: 'ReplicaFailure',
        status: 'True',
        reason: creating ? 'FailedCreate' : 'FailedDelete',
        message: errorMessage(manageError),
        lastTransitionTime: previous?.status === 'True' ? previous.lastTransitionTime : formatTime(now),
      });
    }
    return {
      ...rs.status,
      replicas: pods.length,
      fullyLabeledReplicas: fullyLabeled.length,
      readyReplicas: pods.filter(isPodReady).length,
      availableReplicas: pods.filter((p) => isPodAvailable(p, rs.spec.minReadySeconds ?? 0, now)).length,
      observedGeneration: rs.metadata.generation,
      conditions: conditions.length > 0 ? conditions : undefined,
    };
  }

  /**
   * PUT <kind>/status when something changed; on a conflict once more over a fresh read, as
   * updateReplicaSetStatus does. A set deleted meanwhile needs no status.
   */
  private async updateStatus(rs: T, status: T['status']): Promise<T> {
    if (semanticEqual(status, rs.status)) return rs;
    const rsClient = this.client.resource(this.kind.type, rs.metadata.namespace);
    let current: T | undefined = rs;
    for (let attempt = 0; current; attempt++) {
      try {
        return await rsClient.updateStatus({ ...current, status });
      } catch (err) {
        if (isNotFound(err)) break;
        if (!isConflict(err) || attempt > 0) throw err;
        current = await rsClient.get(rs.metadata.name ?? '').catch((e) => {
          if (isNotFound(e)) return undefined;
          throw e;
        });
      }
    }
    return rs;
  }
}
