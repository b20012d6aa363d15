/** Defaulting for apps/v1, as pkg/apis/apps/v1/defaults.go does it (templates get the pod spec defaults). */
import { defaultPodTemplateSpec } from '../core/defaults.ts';
import type { Deployment } from './deployment.ts';
import type { ReplicaSet } from './replica-set.ts';

/**
 * defaultDeployment: one replica, a RollingUpdate of at most 25% unavailable and 25% extra pods,
 * ten old replica sets kept for rollback, and ten minutes to make progress.
 */
export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec.replicas ??= 1;
  defaultPodTemplateSpec(rs.spec.template);
}
