/** Defaulting for batch/v1, as pkg/apis/batch/v1/defaults.go does it (templates get the pod spec defaults). */
import { defaultPodTemplateSpec } from '../core/defaults.ts';
import type { Job } from './job.ts';

/**
 * defaultJob: one pod to complete, one at a time, six failures tolerated. A job given neither
 * completions nor parallelism runs exactly one pod; one given only parallelism keeps completions
 * unset, meaning "done when any pod succeeds" (a work queue).
 */
export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultJobLabels(job);
  defaultPodTemplateSpec(spec.template);
}

/** A job without labels of its own takes its template's, so `-l job-name=hello` finds job and pods. */
export function defaultJobLabels(job: Job): void {
  const labels = job.spec.template.metadata.labels;
  if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}
