/** apps/v1 Deployment: declarative rollouts of a pod template through replica sets. */
import type { z } from 'zod';
import { PodTemplateSpec } from '../core/pod.ts';
import { LabelSelector, objectFields } from '../meta.ts';
import {
  always,
  apiPackage,
  bool,
  IntOrString,
  int32,
  int64,
  listOf,
  optional,
  required,
  str,
  Time,
} from '../schema.ts';

const apps = apiPackage('io.k8s.api.apps.v1');

export const RollingUpdateDeployment = apps.struct(
  'RollingUpdateDeployment',
  'Bounds on how far a rolling update may go below and above the desired count.',
  {
    maxUnavailable: optional(
      IntOrString,
      'Pods that may be unavailable during the update: a count or a percentage (25%).',
    ),
    maxSurge: optional(
      IntOrString,
      'Pods that may exist above the desired count: a count or a percentage (25%).',
    ),
  },
);

export const DeploymentStrategy = apps.struct(
  'DeploymentStrategy',
  'How old pods are replaced by new ones.',
  {
    type: optional(str, 'RollingUpdate (default) or Recreate (delete all old pods first).'),
    rollingUpdate: optional(RollingUpdateDeployment, 'Bounds of a rolling update.'),
  },
);

export const DeploymentSpec = apps.struct('DeploymentSpec', 'The desired pods and how to roll out changes.', {
  replicas: optional(int32, 'Desired number of pods; 1 by default.'),
  selector: required(LabelSelector, 'Pods it manages; must match the template labels and cannot change.'),
  template: always(PodTemplateSpec, 'Pods to run; changing it starts a rollout.'),
  strategy: always(DeploymentStrategy, 'How to replace old pods.'),
  minReadySeconds: optional(int32, 'Seconds a new pod must be ready to count as available.'),
  revisionHistoryLimit: optional(int32, 'Old replica sets to keep for rollback; 10 by default.'),
  paused: optional(bool, 'Stop rolling out template changes (kubectl rollout pause).'),
  progressDeadlineSeconds: optional(
    int32,
    'Seconds without progress before the rollout is reported as failed; 600 by default.',
  ),
});

export const DeploymentCondition = apps.struct('DeploymentCondition', 'One aspect of the deployment state.', {
  type: required(str, 'Available, Progressing or ReplicaFailure.'),
  status: required(str, 'True, False or Unknown.'),
  lastUpdateTime: optional(Time, 'When the condition was last updated.'),
  lastTransitionTime: optional(Time, 'When the status last changed.'),
  reason: optional(str, 'One-word CamelCase reason, e.g. NewReplicaSetAvailable.'),
  message: optional(str, 'Human-readable detail.'),
});
export type DeploymentCondition = z.infer<typeof DeploymentCondition>;

export const DeploymentStatus = apps.struct('DeploymentStatus', 'Observed state of the deployment.', {
  observedGeneration: optional(int64, 'Generation of the spec last acted on.'),
  replicas: optional(int32, 'Pods of all its replica sets.'),
  updatedReplicas: optional(int32, 'Pods from the current template.'),
  readyReplicas: optional(int32, 'Pods that are ready.'),
  availableReplicas: optional(int32, 'Pods ready for at least minReadySeconds.'),
  unavailableReplicas: optional(int32, 'Pods still needed to reach full availability.'),
  conditions: optional(listOf(DeploymentCondition), 'Current conditions.'),
  collisionCount: optional(int32, 'Bumped to make a new replica set name when a hash collides.'),
});

export const Deployment = apps.kind(
  { group: 'apps', version: 'v1', kind: 'Deployment' },
  'Runs a number of pods from a template and rolls out template changes gradually.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(DeploymentSpec, 'Desired state.'),
    status: always(DeploymentStatus, 'Observed state.'),
  },
);
export type Deployment = z.infer<typeof Deployment>;
