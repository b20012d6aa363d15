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
