/** apps/v1 ReplicaSet: keeps a number of identical pods running. */
import type { z } from 'zod';
import { PodTemplateSpec } from '../core/pod.ts';
import { LabelSelector, objectFields } from '../meta.ts';
import { always, apiPackage, int32, int64, listOf, optional, required, str, Time, zero } from '../schema.ts';

const apps = apiPackage('io.k8s.api.apps.v1');

export const ReplicaSetSpec = apps.struct(
  'ReplicaSetSpec',
  'How many pods to run, which ones, from which template.',
  {
    replicas: optional(int32, 'Desired number of pods; 1 by default.'),
    minReadySeconds: optional(int32, 'Seconds a new pod must be ready to count as available.'),
    selector: required(LabelSelector, 'Pods it manages; must match the template labels and cannot change.'),
    template: always(PodTemplateSpec, 'Pods to create when there are too few.'),
  },
);

export const ReplicaSetCondition = apps.struct(
  'ReplicaSetCondition',
  'One aspect of the replica set state.',
  {
    type: required(str, 'e.g. ReplicaFailure.'),
    status: required(str, 'True, False or Unknown.'),
    lastTransitionTime: optional(Time, 'When the status last changed.'),
    reason: optional(str, 'One-word CamelCase reason.'),
    message: optional(str, 'Human-readable detail.'),
  },
);

export const ReplicaSetStatus = apps.struct('ReplicaSetStatus', 'Observed state of the replica set.', {
  replicas: zero(int32, 0, 'Pods that currently exist.'),
  fullyLabeledReplicas: optional(int32, 'Pods whose labels match the template labels.'),
  readyReplicas: optional(int32, 'Pods that are ready.'),
  availableReplicas: optional(int32, 'Pods ready for at least minReadySeconds.'),
  observedGeneration: optional(int64, 'Generation of the spec last acted on.'),
  conditions: optional(listOf(ReplicaSetCondition), 'Current conditions.'),
});

export const ReplicaSet = apps.kind(
  { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  'Keeps a number of identical pods running; deployments manage one per revision.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(ReplicaSetSpec, 'Desired state.'),
    status: always(ReplicaSetStatus, 'Observed state.'),
  },
);
export type ReplicaSet = z.infer<typeof ReplicaSet>;
