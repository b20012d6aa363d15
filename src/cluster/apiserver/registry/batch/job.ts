/**
 * jobs: created with a selector generated from the job's uid (unless manualSelector), so a job
 * matches only its own pods; status only through jobs/status, which the job controller writes.
 */

import { defaultJobLabels } from '../../../api/batch/defaults.ts';
import {
  ControllerUidLabel,
  type Job,
  JobNameLabel,
  LegacyControllerUidLabel,
  LegacyJobNameLabel,
} from '../../../api/batch/job.ts';
import { jobs as resource } from '../../../api/batch/register.ts';
import { podTemplateWarnings } from '../../../api/core/pod-warnings.ts';
import { labelSelectorString } from '../../../api/labels.ts';
import {
  ageCell,
  ageColumn,
  column,
  containersColumn,
  imagesColumn,
  layoutContainerCells,
  nameCell,
  nameColumn,
  wideColumn,
} from '../../tables/columns.ts';
import { humanDuration, parseTimestamp } from '../../tables/duration.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { specChanged, withStatusSubresource } from '../strategy.ts';

/**
 * generateSelector labels the template with the job's name and uid and selects on the uid, so
 * the job matches only its own pods, even those of an earlier job of the same name. Labels the
 * user set are kept; validation refuses them if they do not match.
 */
function generateSelector(job: Job): void {
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
const jobStrategy = withStatusSubresource<Job>({
  initialStatus: () => ({}),
  generation: specChanged,
  onCreate: (job) => {
    if (!job.spec.manualSelector) generateSelector(job);
    defaultJobLabels(job);
  },
  warnings: podTemplateWarnings,
});

/**
 * jobStatus is printJob's STATUS: a finished job says how it ended; otherwise what holds it
 * (being deleted, suspended, about to fail or succeed), else Running.
 */
function jobStatus(job: Job): string {
  const has = (type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  for (const type of ['Suspended', 'FailureTarget', 'SuccessCriteriaMet']) if (has(type)) return type;
  return 'Running';
}

/**
 * jobCompletions is COMPLETIONS: "succeeded/completions"; a job without completions (done when
 * any pod succeeds) shows "/1", and with parallelism above 1 "0/1 of 3".
 */
function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const { completions, parallelism = 0 } = job.spec ?? {};
  if (completions !== undefined) return `${succeeded}/${completions}`;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** jobDuration is DURATION: from start to completion, or to now while running; empty before it starts. */
function jobDuration(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

/** The job printer (printJob): how it ended, how much of it is done, how long it took. */
export const jobConvertor: TableConvertor<Job> = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wideColumn('Selector', 'string', 'A label query over pods that should match the pod count.'),
  ],
  cells(job, now) {
    return [
      nameCell(job),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      ageCell(job, now),
      ...layoutContainerCells(job.spec?.template?.spec.containers ?? []),
      labelSelectorString(job.spec?.selector) ?? '',
    ];
  },
};

export const jobs: ResourceRegistration<Job> = {
  resource,
  strategy: jobStrategy,
  printer: jobConvertor,
};
