/**
 * The deployment controller's arithmetic and bookkeeping, after
 * pkg/controller/deployment/util/deployment_util.go: rolling-update bounds, revision and replica
 * annotations, conditions, and the status `kubectl rollout status` reads.
 */
import type { Deployment, DeploymentCondition } from '../../api/apps/deployment.ts';
import type { ReplicaSet } from '../../api/apps/replica-set.ts';
import type { PodTemplateSpec } from '../../api/core/pod.ts';
import { semanticEqual } from '../../api/equality.ts';
import { scaledValueFromIntOrPercent } from '../../api/intstr.ts';
import { formatTime } from '../../api/meta.ts';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';

/** Deployment annotations that are not copied to its replica sets. */
export const annotationsToSkip: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

// Condition reasons, as kubectl and learners read them.
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

export const replicasOf = (obj: { spec: { replicas?: number } }) => obj.spec.replicas ?? 1;
const isRollingUpdate = (d: Deployment) => d.spec.strategy.type !== 'Recreate';

/**
 * resolveFenceposts turns maxSurge (rounded up) and maxUnavailable (rounded down) into counts;
 * both zero would stall a rollout, so maxUnavailable becomes 1 then.
 */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const replicas = replicasOf(d);
  const ru = d.spec.strategy.rollingUpdate ?? {};
  const surge = scaledValueFromIntOrPercent(ru.maxSurge ?? '25%', replicas, true);
  const unavailable = scaledValueFromIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

export const sumSpecReplicas = (sets: readonly ReplicaSet[]) => sets.reduce((n, rs) => n + replicasOf(rs), 0);
export const sumStatusReplicas = (sets: readonly ReplicaSet[]) =>
  sets.reduce((n, rs) => n + (rs.status.replicas ?? 0), 0);
export const sumAvailable = (sets: readonly ReplicaSet[]) =>
  sets.reduce((n, rs) => n + (rs.status.availableReplicas ?? 0), 0);
export const sumReady = (sets: readonly ReplicaSet[]) =>
  sets.reduce((n, rs) => n + (rs.status.readyReplicas ?? 0), 0);

/**
 * newRSNewReplicas: how far the new replica set may grow. Rolling: up to replicas + maxSurge pods
 * across all sets, never past the desired count. Recreate: straight to the desired count.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = sumSpecReplicas(allRSs);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** Templates equal apart from the pod-template-hash label (EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  const strip = (t: PodTemplateSpec) => {
    const copy = structuredClone(t);
    if (copy.metadata.labels) {
      delete copy.metadata.labels[DefaultDeploymentUniqueLabelKey];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    return copy;
  };
  return semanticEqual(strip(a), strip(b));
}

const created = (rs: ReplicaSet) =>
  rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;

/** Oldest first, then by name: ReplicaSetsByCreationTimestamp. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export const revisionOf = (obj: { metadata: { annotations?: Record<string, string> } }): number =>
  Number.parseInt(obj.metadata.annotations?.[RevisionAnnotation] ?? '', 10) || 0;

export function maxRevision(sets: readonly ReplicaSet[]): number {
  return Math.max(0, ...sets.map(revisionOf));
}

/**
 * setNewReplicaSetAnnotations copies the deployment's annotations (change-cause among them) to
 * its new replica set, moves its revision up to `newRevision` (keeping a rolled-back set's former
 * revisions in revision-history), and on a new set writes desired- and max-replicas.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
) {
  const annotations = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRevision = annotations[RevisionAnnotation];
  if ((Number.parseInt(oldRevision ?? '', 10) || 0) < newRevision) {
    annotations[RevisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = annotations[RevisionHistoryAnnotation];
      annotations[RevisionHistoryAnnotation] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Writes desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = { ...rs.metadata.annotations };
  if (
    annotations[DesiredReplicasAnnotation] === String(desired) &&
    annotations[MaxReplicasAnnotation] === String(max)
  ) {
    return false;
  }
  annotations[DesiredReplicasAnnotation] = String(desired);
  annotations[MaxReplicasAnnotation] = String(max);
  rs.metadata.annotations = annotations;
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DesiredReplicasAnnotation] !== String(desired) || a[MaxReplicasAnnotation] !== String(max);
}

export function getCondition(status: Deployment['status'], type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number) {
  const time = formatTime(now);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

/** Sets a condition unless one of that status and reason is there; keeps the transition time if the status holds. */
export function setCondition(status: Deployment['status'], condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: Deployment['status'], type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  status.conditions = rest.length > 0 ? rest : undefined;
}

export const hasProgressDeadline = (d: Deployment) =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** Every pod updated, there and available, for the current generation. */
export function deploymentComplete(d: Deployment, s: Deployment['status']): boolean {
  const r = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === r &&
    (s.replicas ?? 0) === r &&
    (s.availableReplicas ?? 0) === r &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Something moved since the last status: more updated, fewer old, more ready or available pods. */
export function deploymentProgressing(d: Deployment, s: Deployment['status']): boolean {
  const old = d.status;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress for progressDeadlineSeconds since the Progressing condition last moved. */
export function deploymentTimedOut(d: Deployment, s: Deployment['status'], now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(s, 'Progressing');
  if (!condition || condition.reason === NewRSAvailableReason) return false;
  if (condition.reason === TimedOutReason) return true;
  const from = condition.lastUpdateTime ? Date.parse(condition.lastUpdateTime) : now;
  return from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 < now;
}
