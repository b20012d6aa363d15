import {
  ageCell,
  ageColumn,
  type Container,
  column,
  containersColumn,
  imagesColumn,
  layoutContainerCells,
  nameCell,
  nameColumn,
  wideColumn,
} from './columns.ts';
import { humanDuration, parseTimestamp } from './duration.ts';
import { formatLabelSelector, formatLabels, type LabelSelector, labelSelectorString } from './labels.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** The part of a pod template the workload printers read. */
interface PodTemplate {
  spec?: { containers?: Container[] };
}

/**
 * ReplicationController is the view of a v1 ReplicationController its printer reads. Its
 * selector is a plain label map, unlike the LabelSelector of the apps/v1 kinds.
 */
export interface ReplicationController extends TableObject {
  spec?: { replicas?: number; selector?: Record<string, string>; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number };
}

/** ReplicaSet is the view of an apps/v1 ReplicaSet its printer reads. */
export interface ReplicaSet extends TableObject {
  spec?: { replicas?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number };
}

/** Deployment is the view of an apps/v1 Deployment its printer reads. */
export interface Deployment extends TableObject {
  spec?: { replicas?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: { readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

/**
 * desiredReplicas reads spec.replicas as the printers do, 0 when unset. A real cluster never
 * shows that 0: defaulting sets replicas to 1 before an object is stored.
 */
function desiredReplicas(spec: { replicas?: number } | undefined): number {
  return spec?.replicas ?? 0;
}

/** DESIRED, CURRENT and READY, shared by replication controllers and replica sets. */
const replicaCountColumns = [
  column('Desired', 'integer', 'How many pods the spec asks for.'),
  column('Current', 'integer', 'How many pods exist now.'),
  column('Ready', 'integer', 'How many of those pods are ready.'),
];

/** The replication controller printer: counts, and with -o wide the template and selector. */
export const replicationControllerConvertor: TableConvertor<ReplicationController> = {
  columns: [
    nameColumn,
    ...replicaCountColumns,
    ageColumn,
    containersColumn,
    imagesColumn,
    wideColumn('Selector', 'string', 'The labels of the pods it manages.'),
  ],
  cells(rc, now) {
    return [
      nameCell(rc),
      desiredReplicas(rc.spec),
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      ageCell(rc, now),
      ...layoutContainerCells(rc.spec?.template?.spec?.containers),
      formatLabels(rc.spec?.selector),
    ];
  },
};

/** The replica set printer: like the replication controller's, with a LabelSelector. */
export const replicaSetConvertor: TableConvertor<ReplicaSet> = {
  columns: [
    nameColumn,
    ...replicaCountColumns,
    ageColumn,
    containersColumn,
    imagesColumn,
    wideColumn('Selector', 'string', 'The label selector of the pods it manages.'),
  ],
  cells(rs, now) {
    return [
      nameCell(rs),
      desiredReplicas(rs.spec),
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      ageCell(rs, now),
      ...layoutContainerCells(rs.spec?.template?.spec?.containers),
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

/**
 * The deployment printer: READY as "ready/desired", UP-TO-DATE (pods of the current template) and
 * AVAILABLE. Its SELECTOR differs from the replica set's on purpose, as printDeployment does:
 * an empty selector prints "" rather than "<none>", a malformed one "<invalid>".
 */
export const deploymentConvertor: TableConvertor<Deployment> = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Ready pods out of the desired number.'),
    column('Up-to-date', 'string', 'Pods that run the current pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wideColumn('Selector', 'string', 'The label selector of the pods it manages.'),
  ],
  cells(deployment, now) {
    const { spec, status } = deployment;
    return [
      nameCell(deployment),
      `${status?.readyReplicas ?? 0}/${desiredReplicas(spec)}`,
      status?.updatedReplicas ?? 0,
      status?.availableReplicas ?? 0,
      ageCell(deployment, now),
      ...layoutContainerCells(spec?.template?.spec?.containers),
      labelSelectorString(spec?.selector) ?? '<invalid>',
    ];
  },
};

interface JobCondition {
  type?: string;
  status?: string;
}

/** Job is the view of a batch/v1 Job its printer reads. */
export interface Job extends TableObject {
  spec?: { completions?: number; parallelism?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: { succeeded?: number; startTime?: string; completionTime?: string; conditions?: JobCondition[] };
}

/**
 * jobStatus is printJob's STATUS: a finished job says how it ended; otherwise what holds it
 * (being deleted, suspended, about to fail or succeed), else Running.
 */
function jobStatus(job: Job): string {
  const has = (type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
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
      ...layoutContainerCells(job.spec?.template?.spec?.containers),
      labelSelectorString(job.spec?.selector) ?? '',
    ];
  },
};
