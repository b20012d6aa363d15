/** core/v1 ReplicationController: the original keep-N-pods-running controller, which ReplicaSet replaced. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import {
  always,
  apiPackage,
  int32,
  int64,
  listOf,
  optional,
  required,
  str,
  stringMap,
  Time,
  zero,
} from '../schema.ts';
import { PodTemplateSpec } from './pod.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ReplicationControllerSpec = core.struct(
  'ReplicationControllerSpec',
  'How many pods to run, and from which template.',
  {
    replicas: optional(int32, 'Desired number of pods; 1 by default.'),
    minReadySeconds: optional(int32, 'Seconds a new pod must be ready to count as available.'),
    selector: optional(stringMap, 'Labels of the pods it manages; the template labels by default.'),
    template: optional(PodTemplateSpec, 'Pods to create when there are too few.'),
  },
);

export const ReplicationControllerCondition = core.struct(
  'ReplicationControllerCondition',
  'One aspect of the controller state.',
  {
    type: required(str, 'e.g. ReplicaFailure.'),
    status: required(str, 'True, False or Unknown.'),
    lastTransitionTime: optional(Time, 'When the status last changed.'),
    reason: optional(str, 'One-word CamelCase reason.'),
    message: optional(str, 'Human-readable detail.'),
  },
);

export const ReplicationControllerStatus = core.struct(
  'ReplicationControllerStatus',
  'Observed state of the controller.',
  {
    replicas: zero(int32, 0, 'Pods that currently exist.'),
    fullyLabeledReplicas: optional(int32, 'Pods whose labels match the template labels.'),
    readyReplicas: optional(int32, 'Pods that are ready.'),
    availableReplicas: optional(int32, 'Pods ready for at least minReadySeconds.'),
    observedGeneration: optional(int64, 'Generation of the spec last acted on.'),
    conditions: optional(listOf(ReplicationControllerCondition), 'Current conditions.'),
  },
);

export const ReplicationController = core.kind(
  { group: '', version: 'v1', kind: 'ReplicationController' },
  'Keeps a number of identical pods running (the predecessor of ReplicaSet).',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(ReplicationControllerSpec, 'Desired state.'),
    status: always(ReplicationControllerStatus, 'Observed state.'),
  },
);
export type ReplicationController = z.infer<typeof ReplicationController>;
