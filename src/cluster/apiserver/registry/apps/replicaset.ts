/** replicasets: a deployment's pods of one template, scaled through replicasets/scale. */
import { replicaSets as resource } from '../../../api/apps/register.ts';
import type { ReplicaSet } from '../../../api/apps/replica-set.ts';
import { podTemplateWarnings } from '../../../api/core/pod-warnings.ts';
import { formatLabelSelector, selectorFromLabelSelector } from '../../../api/labels.ts';
import {
  ageCell,
  ageColumn,
  containersColumn,
  imagesColumn,
  layoutContainerCells,
  nameCell,
  nameColumn,
  replicaCountColumns,
  wideColumn,
} from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { type Scalable, scaleSubresource } from '../scale.ts';
import { specChanged, withStatusSubresource } from '../strategy.ts';

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
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      ageCell(rs, now),
      ...layoutContainerCells(rs.spec?.template?.spec.containers ?? []),
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

/** replicasets/scale reads and writes spec.replicas. */
export const replicaSetScale: Scalable<ReplicaSet> = {
  replicas: (rs) => ({
    spec: rs.spec.replicas ?? 0,
    status: rs.status.replicas,
    selector: selectorFromLabelSelector(rs.spec.selector).toString(),
  }),
  setReplicas: (rs, n) => {
    rs.spec.replicas = n;
  },
};

export const replicaSets: ResourceRegistration<ReplicaSet> = {
  resource,
  strategy: withStatusSubresource<ReplicaSet>({
    initialStatus: () => ({ replicas: 0 }),
    generation: specChanged,
    warnings: podTemplateWarnings,
  }),
  subresources: { scale: scaleSubresource(replicaSetScale) },
  printer: replicaSetConvertor,
};
