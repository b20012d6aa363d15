/** Create and update rules of batch/v1 kinds (see ../strategy.ts). */
import { specChanged, withStatusSubresource } from '../strategy.ts';
import { defaultJobLabels } from './defaults.ts';
import type { Job } from './job.ts';

/** The labels the API server puts on a job's pods; the legacy unprefixed pair is still written. */
export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const LegacyJobNameLabel = 'job-name';
export const LegacyControllerUidLabel = 'controller-uid';

/**
 * generateSelector labels the template with the job's name and uid and selects on the uid, so
 * the job matches only its own pods, even those of an earlier job of the same name. Labels the
 * user set are kept; validation refuses them if they do not match.
 */
export function generateSelector(job: Job): void {
  const { name = '', uid = '' } = job.metadata;
  job.spec.template.metadata.labels ??= {};
  const labels = job.spec.template.metadata.labels;
  for (const key of [LegacyJobNameLabel, JobNameLabel]) labels[key] ??= name;
  for (const key of [LegacyControllerUidLabel, ControllerUidLabel]) labels[key] ??= uid;
  job.spec.selector ??= {};
  job.spec.selector.matchLabels ??= {};
  job.spec.selector.matchLabels[ControllerUidLabel] ??= uid;
}

/**
 * The selector is generated at create, when the uid is known. Kubernetes then copies the template
 * labels to the job when it next defaults it (reading it back from storage); doing it here gives
 * the same stored object.
 */
export const jobLifecycle = withStatusSubresource<Job>({
  initialStatus: () => ({}),
  generation: specChanged,
  onCreate: (job) => {
    if (!job.spec.manualSelector) generateSelector(job);
    defaultJobLabels(job);
  },
});
