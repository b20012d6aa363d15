import type { Deployment } from '../cluster/api/apps/deployment.ts';
import type { ReplicaSet } from '../cluster/api/apps/replica-set.ts';
import { equalIgnoreHash } from '../cluster/controllers/deployment/util.ts';

/** One moment of a rollout: the replicas of the new replica set and of all the old ones. */
export interface RolloutSample {
  readonly at: number;
  readonly newReplicas: number;
  readonly oldReplicas: number;
}

/** A deployment's rollout as the chart draws it. */
export interface Rollout {
  /** namespace/name of the deployment. */
  readonly key: string;
  readonly newSet: string;
  readonly samples: readonly RolloutSample[];
  /** When the rollout was last seen in progress; the chart stays a while after it ends. */
  readonly lastActive: number;
}

/** How many samples a rollout keeps (one a second): two minutes. */
const KEEP = 120;

const keyOf = (o: { metadata: { namespace?: string; name?: string } }) =>
  `${o.metadata.namespace}/${o.metadata.name}`;

/**
 * Whether the deployment is rolling: the controller has not seen its spec yet, or old pods are
 * still running beside the new ones, or the new ones are not all there.
 */
export function isRolling(d: Deployment, owned: readonly ReplicaSet[]): boolean {
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return true;
  const withPods = owned.filter((rs) => (rs.status?.replicas ?? 0) > 0 || (rs.spec.replicas ?? 0) > 0);
  return withPods.length > 1 || (status.updatedReplicas ?? 0) < (d.spec.replicas ?? 1);
}

/**
 * sampleRollouts adds one sample to each deployment that is rolling (or has samples already and
 * rolled within `linger` ms), reading its replica sets as the deployment controller does: the set
 * whose template is the deployment's is new, every other set it controls is old.
 */
export function sampleRollouts(
  previous: ReadonlyMap<string, Rollout>,
  deployments: readonly Deployment[],
  replicaSets: readonly ReplicaSet[],
  now: number,
  linger: number,
): Map<string, Rollout> {
  const next = new Map<string, Rollout>();
  for (const d of deployments) {
    const key = keyOf(d);
    const owned = replicaSets.filter((rs) =>
      rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid),
    );
    const before = previous.get(key);
    const rolling = isRolling(d, owned);
    if (!rolling && (!before || now - before.lastActive > linger)) continue;
    const newSet = owned.find((rs) => rs.spec.template && equalIgnoreHash(rs.spec.template, d.spec.template));
    const replicas = (rs: ReplicaSet) => rs.status?.replicas ?? 0;
    const sample = {
      at: now,
      newReplicas: newSet ? replicas(newSet) : 0,
      oldReplicas: owned.filter((rs) => rs !== newSet).reduce((n, rs) => n + replicas(rs), 0),
    };
    next.set(key, {
      key,
      newSet: newSet?.metadata.name ?? '',
      samples: [...(before?.samples ?? []), sample].slice(-KEEP),
      lastActive: rolling ? now : (before?.lastActive ?? now),
    });
  }
  return next;
}
