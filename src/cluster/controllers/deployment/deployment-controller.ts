/**
 * DeploymentController rolls pod templates out through ReplicaSets, after
 * pkg/controller/deployment. Every template gets one ReplicaSet, named <deployment>-<hash> with
 * the template's pod-template-hash as label and selector; the controller moves replicas from old
 * sets to the new one within the strategy's bounds and reports progress in the status.
 *
 *   syncDeployment(key)
 *     claim ReplicaSets (adopt/release by selector)
 *     deleting           -> status only
 *     paused, or scaling -> sync: scale sets proportionally, clean up history, status
 *     Recreate           -> old sets to 0, wait for their pods to go, new set to full size
 *     RollingUpdate      -> new set up to replicas+maxSurge, old sets down while at least
 *                           replicas-maxUnavailable pods stay available, one step per sync
 *
 * Rollback needs nothing here: `kubectl rollout undo` (v1.32) copies an old set's template into
 * the deployment itself, which then finds that set as its "new" one and raises its revision.
 */
import type { Deployment } from '../../api/apps/deployment.ts';
import type { ReplicaSet } from '../../api/apps/replica-set.ts';
import type { Pod } from '../../api/core/pod.ts';
import { semanticEqual } from '../../api/equality.ts';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { deployments, pods as podResource, replicaSets } from '../../api/resources.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import { RateLimitingQueue } from '../../client/rate-limiting-queue.ts';
import { isAlreadyExists, isConflict, isNotFound, type RestClient } from '../../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../../client/shared-informer.ts';
import { type Clock, systemClock } from '../../clock/clock.ts';
import {
  computeHash,
  errorMessage,
  eventErrors,
  getControllerOf,
  isNamespaceTerminating,
  keyOf,
  newControllerRef,
  runWorkers,
} from '../controller-utils.ts';
import {
  byCreation,
  DefaultDeploymentUniqueLabelKey,
  DesiredReplicasAnnotation,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  FailedRSCreateReason,
  FoundNewRSReason,
  getCondition,
  hasProgressDeadline,
  MaxReplicasAnnotation,
  MinimumReplicasAvailable,
  MinimumReplicasUnavailable,
  maxRevision,
  maxSurge,
  maxUnavailable,
  NewReplicaSetReason,
  NewRSAvailableReason,
  newCondition,
  newRSNewReplicas,
  PausedDeployReason,
  ReplicaSetUpdatedReason,
  ResumedDeployReason,
  RevisionAnnotation,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumAvailable,
  sumReady,
  sumSpecReplicas,
  sumStatusReplicas,
  TimedOutReason,
} from './util.ts';

export interface DeploymentControllerOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class DeploymentController {
  readonly queue: RateLimitingQueue<string>;
  private readonly dInformer: SharedInformer<Deployment>;
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  syncHandler = (key: string) => this.syncDeployment(key);

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: DeploymentControllerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error('deployment controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: this.clock });
    this.recorder = new EventRecorder({
      client,
      component: 'deployment-controller',
      clock: this.clock,
      onError: eventErrors(this.onError),
    });
    this.dInformer = informers.forResource(deployments);
    this.rsInformer = informers.forResource(replicaSets);
    this.podInformer = informers.forResource(podResource);
    this.dInformer.addEventHandler({
      onAdd: (d) => this.queue.add(keyOf(d)),
      onUpdate: (_old, d) => this.queue.add(keyOf(d)),
      onDelete: (d) => this.queue.add(keyOf(d)),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueueOwnerOrCandidates(rs),
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        if (getControllerOf(old)?.uid !== getControllerOf(rs)?.uid) this.enqueueOwnerOrCandidates(old);
        this.enqueueOwnerOrCandidates(rs);
      },
      onDelete: (rs) => this.enqueueOwnerOrCandidates(rs),
    });
    // Recreate waits for the old pods to be gone, so it hears about pod deletions.
    this.podInformer.addEventHandler({
      onDelete: (pod) => {
        const rsRef = getControllerOf(pod);
        const rs = rsRef && this.rsInformer.store.get(`${pod.metadata.namespace}/${rsRef.name}`);
        const d = rs && this.resolveControllerRef(rs);
        if (d?.spec.strategy.type === 'Recreate') this.queue.add(keyOf(d));
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.dInformer, this.rsInformer, this.podInformer].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, this.syncHandler, signal, this.onError);
  }

  private resolveControllerRef(rs: ReplicaSet): Deployment | undefined {
    const ref = getControllerOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.dInformer.store.get(`${rs.metadata.namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwnerOrCandidates(rs: ReplicaSet): void {
    if (getControllerOf(rs)) {
      const d = this.resolveControllerRef(rs);
      if (d) this.queue.add(keyOf(d));
      return;
    }
    for (const d of this.dInformer.store.byIndex('namespace', rs.metadata.namespace ?? '')) {
      if (selectorFromLabelSelector(d.spec.selector).matches(rs.metadata.labels)) this.queue.add(keyOf(d));
    }
  }

  private async syncDeployment(key: string): Promise<void> {
    const cached = this.dInformer.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const selector = selectorFromLabelSelector(d.spec.selector);
    if (selector.empty()) {
      await this.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.updateStatus(d, { ...d.status, observedGeneration: d.metadata.generation });
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec.paused || this.isScalingEvent(d, rsList)) return this.sync(d, rsList);
    if (d.spec.strategy.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  /** Adopts matching orphan sets and releases owned sets that stopped matching (ClaimReplicaSets). */
  private async getReplicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromLabelSelector(d.spec.selector);
    const uid = d.metadata.uid;
    const rsClient = this.client.resource(replicaSets, d.metadata.namespace);
    const claimed: ReplicaSet[] = [];
    for (const rs of this.rsInformer.store.byIndex('namespace', d.metadata.namespace ?? '')) {
      const ref = getControllerOf(rs);
      const matches = selector.matches(rs.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) claimed.push(rs);
        else if (!d.metadata.deletionTimestamp) {
          await rsClient
            .patch(rs.metadata.name ?? '', 'strategic', {
              metadata: { uid: rs.metadata.uid, ownerReferences: [{ $patch: 'delete', uid }] },
            })
            .catch(ignoreGone);
        }
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      const adopted = await rsClient
        .patch(rs.metadata.name ?? '', 'strategic', {
          metadata: { uid: rs.metadata.uid, ownerReferences: [newControllerRef(d)] },
        })
        .catch(ignoreGone);
      if (adopted) claimed.push(adopted);
    }
    return claimed.sort(byCreation);
  }

  /** The set whose template is the deployment's, oldest first on ties (FindNewReplicaSet). */
  private findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
    return rsList.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
  }

  /** A scaling event: some active set was sized for a different desired count than spec.replicas. */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    return rsList
      .filter((rs) => replicasOf(rs) > 0)
      .some((rs) => {
        const desired = rs.metadata.annotations?.[DesiredReplicasAnnotation];
        return desired !== undefined && Number(desired) !== replicasOf(d);
      });
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new set (brought up to the next revision and the
   * deployment's annotations, or created when asked) and the old ones.
   */
  private async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], create: boolean) {
    const existing = this.findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRS = await this.getNewReplicaSet(d, oldRSs, existing, create);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(
    d: Deployment,
    oldRSs: ReplicaSet[],
    existing: ReplicaSet | undefined,
    create: boolean,
  ): Promise<ReplicaSet | undefined> {
    const newRevision = maxRevision(oldRSs) + 1;
    const rsClient = this.client.resource(replicaSets, d.metadata.namespace);
    if (existing) {
      let rs = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds;
        rs = await rsClient.update(rs);
      }
      let needsUpdate = this.setDeploymentRevision(d, rs.metadata.annotations?.[RevisionAnnotation] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const message = `Found new replica set "${rs.metadata.name}"`;
        setCondition(
          d.status,
          newCondition('Progressing', 'True', FoundNewRSReason, message, this.clock.now()),
        );
        needsUpdate = true;
      }
      if (needsUpdate) Object.assign(d, await this.updateStatus(d, d.status));
      return rs;
    }
    if (!create) return undefined;
    const hash = computeHash(d.spec.template, d.status.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata.labels = { ...template.metadata.labels, [DefaultDeploymentUniqueLabelKey]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [DefaultDeploymentUniqueLabelKey]: hash };
    const newRS = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d)],
        labels: template.metadata.labels,
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
      status: { replicas: 0 },
    } as ReplicaSet;
    newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: ReplicaSet;
    try {
      created = await rsClient.create(newRS);
    } catch (err) {
      if (isAlreadyExists(err)) {
        // Ours already (the cache was behind), or a hash collision: bump collisionCount and retry.
        const found = await rsClient.get(newRS.metadata.name ?? '');
        if (
          getControllerOf(found)?.uid === d.metadata.uid &&
          equalIgnoreHash(found.spec.template, d.spec.template)
        ) {
          return found;
        }
        await this.updateStatus(d, { ...d.status, collisionCount: (d.status.collisionCount ?? 0) + 1 });
        throw err;
      }
      // Creates in a namespace being deleted are futile: nothing to report or retry.
      if (isNamespaceTerminating(err)) return undefined;
      if (hasProgressDeadline(d)) {
        const message = `Failed to create new replica set "${newRS.metadata.name}": ${errorMessage(err)}`;
        setCondition(
          d.status,
          newCondition('Progressing', 'False', FailedRSCreateReason, message, this.clock.now()),
        );
        await this.updateStatus(d, d.status);
      }
      throw err;
    }
    if (replicasOf(created) > 0) {
      await this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} from 0 to ${replicasOf(created)}`,
      );
    }
    this.setDeploymentRevision(d, String(newRevision));
    if (hasProgressDeadline(d)) {
      const message = `Created new replica set "${created.metadata.name}"`;
      setCondition(
        d.status,
        newCondition('Progressing', 'True', NewReplicaSetReason, message, this.clock.now()),
      );
    }
    Object.assign(d, await this.updateStatus(d, d.status));
    return created;
  }

  /** Records the revision on the deployment (written with the next status update, as Kubernetes does). */
  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    if (!revision || d.metadata.annotations?.[RevisionAnnotation] === revision) return false;
    d.metadata.annotations = { ...d.metadata.annotations, [RevisionAnnotation]: revision };
    return true;
  }

  // --- rolling update (rolling.go) ---

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    if (newRS && (await this.reconcileNewReplicaSet(allRSs, newRS, d))) {
      return this.syncRolloutStatus(allRSs, newRS, d);
    }
    if (
      newRS &&
      (await this.reconcileOldReplicaSets(
        allRSs,
        oldRSs.filter((rs) => replicasOf(rs) > 0),
        newRS,
        d,
      ))
    ) {
      return this.syncRolloutStatus(allRSs, newRS, d);
    }
    if (deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  private async reconcileNewReplicaSet(
    allRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment,
  ): Promise<boolean> {
    if (replicasOf(newRS) === replicasOf(d)) return false;
    if (replicasOf(newRS) > replicasOf(d)) return this.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d);
    return this.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS), d);
  }

  /**
   * Scales old sets down as far as availability allows: first their unhealthy pods (which do not
   * count as available anyway), then healthy ones while at least replicas - maxUnavailable pods
   * stay available.
   */
  private async reconcileOldReplicaSets(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment,
  ): Promise<boolean> {
    if (sumSpecReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newRSUnavailable = replicasOf(newRS) - (newRS.status.availableReplicas ?? 0);
    const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    // cleanupUnhealthyReplicas
    let cleaned = 0;
    const remaining: ReplicaSet[] = [];
    for (const rs of [...oldRSs].sort(byCreation)) {
      const unhealthy = replicasOf(rs) - (rs.status.availableReplicas ?? 0);
      const count = Math.min(maxScaledDown - cleaned, unhealthy);
      if (replicasOf(rs) === 0 || unhealthy <= 0 || count <= 0) {
        remaining.push(rs);
        continue;
      }
      const target = replicasOf(rs) - count;
      await this.scaleReplicaSetAndRecordEvent(rs, target, d);
      cleaned += count;
      remaining.push({ ...rs, spec: { ...rs.spec, replicas: target } });
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    const available = sumAvailable([...remaining, newRS]);
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of remaining) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const count = Math.min(replicasOf(rs), total - scaledDown);
        await this.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count, d);
        scaledDown += count;
      }
    }
    return cleaned + scaledDown > 0;
  }

  // --- recreate (recreate.go) ---

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    const allRSs = () => (newRS ? [...oldRSs, newRS] : oldRSs);
    let scaledDown = false;
    for (const rs of oldRSs.filter((rs) => replicasOf(rs) > 0)) {
      if (await this.scaleReplicaSetAndRecordEvent(rs, 0, d)) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(allRSs(), newRS, d);
    if (this.oldPodsRunning(oldRSs)) return this.syncRolloutStatus(allRSs(), newRS, d);
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    if (newRS) await this.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs(), newRS, d);
  }

  /** Whether any pod of the old sets is still there and not finished (terminating ones count). */
  private oldPodsRunning(oldRSs: ReplicaSet[]): boolean {
    if (sumStatusReplicas(oldRSs) > 0) return true;
    const uids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const namespace = oldRSs[0]?.metadata.namespace ?? '';
    return this.podInformer.store
      .byIndex('namespace', namespace)
      .some(
        (pod) =>
          uids.has(getControllerOf(pod)?.uid) &&
          pod.status?.phase !== 'Failed' &&
          pod.status?.phase !== 'Succeeded',
      );
  }

  // --- scaling and clean-up (sync.go) ---

  /** Paused or scaling: resize sets proportionally, clean up history when paused, write status. */
  private async sync(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanupDeployment(oldRSs, d);
    const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    await this.syncDeploymentStatus(allRSs, newRS, d);
  }

  /**
   * scale: with one active set (or none but the newest) that set takes the new size; when the new
   * set is already full, old ones go to 0; during a rolling update the difference is spread
   * over the active sets in proportion to their size (getProportion), the rest to the largest.
   */
  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const all = newRS ? [newRS, ...oldRSs] : oldRSs;
    const active = all.filter((rs) => replicasOf(rs) > 0);
    const activeOrLatest =
      active.length === 1 ? active[0] : active.length === 0 ? [...all].sort(byCreation).at(-1) : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicasOf(d)) {
        await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicasOf(d), d);
      }
      return;
    }
    if (newRS && this.isSaturated(d, newRS)) {
      for (const rs of oldRSs.filter((rs) => replicasOf(rs) > 0))
        await this.scaleReplicaSetAndRecordEvent(rs, 0, d);
      return;
    }
    if (d.spec.strategy.type === 'Recreate') return;
    const allowed = replicasOf(d) + maxSurge(d);
    const toAdd = allowed - sumSpecReplicas(active);
    const sorted = [...active].sort((a, b) =>
      toAdd > 0
        ? replicasOf(b) - replicasOf(a) || -byCreation(a, b)
        : replicasOf(b) - replicasOf(a) || byCreation(a, b),
    );
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of sorted) {
      let proportion = 0;
      if (toAdd !== 0 && toAdd !== added) {
        const annotated = Number(rs.metadata.annotations?.[MaxReplicasAnnotation] ?? d.status.replicas ?? 0);
        const fraction =
          replicasOf(d) === 0
            ? -replicasOf(rs)
            : Math.round((replicasOf(rs) * allowed) / (annotated || 1)) - replicasOf(rs);
        proportion = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
      }
      sizes.set(rs, replicasOf(rs) + proportion);
      added += proportion;
    }
    const largest = sorted[0];
    if (largest && toAdd - added !== 0)
      sizes.set(largest, Math.max(0, (sizes.get(largest) ?? 0) + toAdd - added));
    for (const [rs, size] of sizes)
      await this.scaleReplicaSet(rs, Math.max(0, size), d, size > replicasOf(rs) ? 'up' : 'down');
  }

  /** The new set is at full size and fully available. */
  private isSaturated(d: Deployment, rs: ReplicaSet): boolean {
    const desired = Number(rs.metadata.annotations?.[DesiredReplicasAnnotation] ?? Number.NaN);
    return (
      replicasOf(rs) === replicasOf(d) &&
      desired === replicasOf(d) &&
      (rs.status.availableReplicas ?? 0) === replicasOf(d)
    );
  }

  private async scaleReplicaSetAndRecordEvent(
    rs: ReplicaSet,
    newScale: number,
    d: Deployment,
  ): Promise<boolean> {
    if (replicasOf(rs) === newScale) return false;
    await this.scaleReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
    return true;
  }

  /** Resizes the set (and its desired/max-replicas annotations); ScalingReplicaSet records the move. */
  private async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation: 'up' | 'down') {
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    const sizeChanged = replicasOf(rs) !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return;
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    await this.client.resource(replicaSets, rs.metadata.namespace).update(copy);
    if (sizeChanged) {
      await this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${operation} replica set ${rs.metadata.name} from ${replicasOf(rs)} to ${newScale}`,
      );
    }
  }

  /** Deletes the oldest empty sets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status.observedGeneration ?? 0)) continue;
      await this.client
        .resource(replicaSets, rs.metadata.namespace)
        .delete(rs.metadata.name ?? '')
        .catch(ignoreGone);
    }
  }

  // --- status and progress (progress.go) ---

  private calculateStatus(
    allRSs: ReplicaSet[],
    newRS: ReplicaSet | undefined,
    d: Deployment,
  ): Deployment['status'] {
    const available = sumAvailable(allRSs);
    const status: Deployment['status'] = {
      observedGeneration: d.metadata.generation,
      replicas: sumStatusReplicas(allRSs),
      updatedReplicas: newRS ? sumStatusReplicas([newRS]) : 0,
      readyReplicas: sumReady(allRSs),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, sumSpecReplicas(allRSs) - available),
      conditions: structuredClone(d.status.conditions),
      collisionCount: d.status.collisionCount,
    };
    const now = this.clock.now();
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(
        status,
        newCondition(
          'Available',
          'True',
          MinimumReplicasAvailable,
          'Deployment has minimum availability.',
          now,
        ),
      );
    } else {
      setCondition(
        status,
        newCondition(
          'Available',
          'False',
          MinimumReplicasUnavailable,
          'Deployment does not have minimum availability.',
          now,
        ),
      );
    }
    return status;
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS, d);
  }

  private async syncDeploymentStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment) {
    const status = this.calculateStatus(allRSs, newRS, d);
    if (semanticEqual(status, d.status)) return;
    await this.updateStatus(d, status);
  }

  /**
   * syncRolloutStatus: the status, plus the Progressing condition: NewReplicaSetAvailable when
   * complete, ReplicaSetUpdated while pods move, ProgressDeadlineExceeded when nothing moved for
   * progressDeadlineSeconds. A rollout still in progress is looked at again at its deadline.
   */
  private async syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment) {
    const status = this.calculateStatus(allRSs, newRS, d);
    const now = this.clock.now();
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(d.status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === NewRSAvailableReason;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        const message = `${subject} has successfully progressed.`;
        setCondition(status, newCondition('Progressing', 'True', NewRSAvailableReason, message, now));
      } else if (deploymentProgressing(d, status)) {
        const condition = newCondition(
          'Progressing',
          'True',
          ReplicaSetUpdatedReason,
          `${subject} is progressing.`,
          now,
        );
        // Progress moves lastUpdateTime on even when the reason stays, which restarts the deadline.
        if (current?.status === 'True')
          condition.lastTransitionTime = current.lastTransitionTime ?? condition.lastTransitionTime;
        removeCondition(status, 'Progressing');
        setCondition(status, condition);
      } else if (deploymentTimedOut(d, status, now)) {
        const message = `${subject} has timed out progressing.`;
        setCondition(status, newCondition('Progressing', 'False', TimedOutReason, message, now));
      }
    }
    const failure = allRSs
      .flatMap((rs) => rs.status.conditions ?? [])
      .find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure) {
      setCondition(
        status,
        newCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? '', now),
      );
    } else removeCondition(status, 'ReplicaFailure');
    if (semanticEqual(status, d.status)) {
      this.requeueStuckDeployment(d, status);
      return;
    }
    await this.updateStatus(d, status);
  }

  private requeueStuckDeployment(d: Deployment, status: Deployment['status']): void {
    const condition = getCondition(status, 'Progressing');
    if (!hasProgressDeadline(d) || !condition || condition.reason === NewRSAvailableReason) return;
    if (condition.reason === TimedOutReason || deploymentComplete(d, status)) return;
    const from = condition.lastUpdateTime ? Date.parse(condition.lastUpdateTime) : this.clock.now();
    const after = from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 - this.clock.now();
    this.queue.addAfter(keyOf(d), Math.max(0, after) + 1000);
  }

  /** Progressing=Unknown DeploymentPaused/DeploymentResumed as the deployment is paused or resumed. */
  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const condition = getCondition(d.status, 'Progressing');
    if (condition?.reason === TimedOutReason) return;
    const pausedCondExists = condition?.reason === PausedDeployReason;
    const now = this.clock.now();
    if (d.spec.paused && !pausedCondExists) {
      setCondition(
        d.status,
        newCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', now),
      );
    } else if (!d.spec.paused && pausedCondExists) {
      setCondition(
        d.status,
        newCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', now),
      );
    } else return;
    Object.assign(d, await this.updateStatus(d, d.status));
  }

  /** PUT deployments/status with the deployment's annotations (its revision travels this way too). */
  private async updateStatus(d: Deployment, status: Deployment['status']): Promise<Deployment> {
    try {
      return await this.client.resource(deployments, d.metadata.namespace).updateStatus({ ...d, status });
    } catch (err) {
      // Gone meanwhile: nothing left to report on.
      if (isNotFound(err)) return d;
      throw err;
    }
  }
}

function ignoreGone(err: unknown): undefined {
  if (isNotFound(err) || isConflict(err)) return undefined;
  throw err;
}
