/** batch/v1 Job: runs pods until a number of them succeed. */
import type { z } from 'zod';
import { PodTemplateSpec } from '../core/pod.ts';
import { LabelSelector, objectFields } from '../meta.ts';
import { always, apiPackage, bool, int32, int64, listOf, optional, required, str, Time } from '../schema.ts';

const batch = apiPackage('io.k8s.api.batch.v1');

/** The labels the API server puts on a job's pods; the legacy unprefixed pair is still written. */
export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const LegacyJobNameLabel = 'job-name';
export const LegacyControllerUidLabel = 'controller-uid';

export const JobSpec = batch.struct(
  'JobSpec',
  'How many pods must succeed, how many run at once, and which.',
  {
    parallelism: optional(int32, 'Most pods running at once; 1 by default.'),
    completions: optional(int32, 'Successful pods needed; 1 by default.'),
    activeDeadlineSeconds: optional(int64, 'Seconds the job may run before it is failed.'),
    backoffLimit: optional(int32, 'Failed pods tolerated before the job fails; 6 by default.'),
    selector: optional(LabelSelector, 'Pods it manages; generated from its uid unless manualSelector.'),
    manualSelector: optional(bool, 'Keep the selector as given instead of generating one.'),
    template: always(PodTemplateSpec, 'Pods to run; restartPolicy must be Never or OnFailure.'),
    ttlSecondsAfterFinished: optional(int32, 'Seconds after finishing before the job is deleted.'),
    completionMode: optional(str, 'NonIndexed (default) or Indexed.'),
    suspend: optional(bool, 'Create no pods while true.'),
    podReplacementPolicy: optional(str, 'When a replacement pod is created: TerminatingOrFailed or Failed.'),
  },
);

export const JobCondition = batch.struct('JobCondition', 'One aspect of the job state.', {
  type: required(str, 'Complete, Failed, Suspended, SuccessCriteriaMet or FailureTarget.'),
  status: required(str, 'True, False or Unknown.'),
  lastProbeTime: optional(Time, 'When the condition was last checked.'),
  lastTransitionTime: optional(Time, 'When the status last changed.'),
  reason: optional(str, 'One-word CamelCase reason.'),
  message: optional(str, 'Human-readable detail.'),
});

export const UncountedTerminatedPods = batch.struct(
  'UncountedTerminatedPods',
  'Finished pods not yet counted in the status.',
  {
    succeeded: optional(listOf(str), 'UIDs of succeeded pods.'),
    failed: optional(listOf(str), 'UIDs of failed pods.'),
  },
);

export const JobStatus = batch.struct('JobStatus', 'Observed state of the job.', {
  conditions: optional(listOf(JobCondition), 'Current conditions.'),
  startTime: optional(Time, 'When the controller first acted on the job.'),
  completionTime: optional(Time, 'When the job completed; only set on success.'),
  active: optional(int32, 'Pods pending or running.'),
  succeeded: optional(int32, 'Pods that succeeded.'),
  failed: optional(int32, 'Pods that failed.'),
  terminating: optional(int32, 'Pods being deleted.'),
  ready: optional(int32, 'Active pods that are ready.'),
  uncountedTerminatedPods: optional(UncountedTerminatedPods, 'Finished pods not yet counted.'),
});

export const Job = batch.kind(
  { group: 'batch', version: 'v1', kind: 'Job' },
  'Runs pods to completion: until spec.completions of them succeed, or backoffLimit of them fail.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(JobSpec, 'Desired state.'),
    status: always(JobStatus, 'Observed state.'),
  },
);
export type Job = z.infer<typeof Job>;
