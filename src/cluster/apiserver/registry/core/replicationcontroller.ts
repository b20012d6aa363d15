/** replicationcontrollers: the oldest workload, scaled through replicationcontrollers/scale. */
import { podTemplateWarnings } from '../../../api/core/pod-warnings.ts';
import { replicationControllers as resource } from '../../../api/core/register.ts';
import type { ReplicationController } from '../../../api/core/replication-controller.ts';
import { formatLabels, selectorFromSet } from '../../../api/labels.ts';
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
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      ageCell(rc, now),
      ...layoutContainerCells(rc.spec?.template?.spec.containers ?? []),
      formatLabels(rc.spec?.selector),
    ];
  },
};

/** replicationcontrollers/scale reads and writes spec.replicas; the selector is a plain label map. */
export const replicationControllerScale: Scalable<ReplicationController> = {
  replicas: (rc) => ({
    spec: rc.spec.replicas ?? 0,
    status: rc.status.replicas,
    selector: selectorFromSet(rc.spec.selector).toString(),
  }),
  setReplicas: (rc, n) => {
    rc.spec.replicas = n;
  },
};

export const replicationControllers: ResourceRegistration<ReplicationController> = {
  resource,
  strategy: withStatusSubresource<ReplicationController>({
    initialStatus: () => ({ replicas: 0 }),
    generation: specChanged,
    warnings: podTemplateWarnings,
  }),
  subresources: { scale: scaleSubresource(replicationControllerScale) },
  printer: replicationControllerConvertor,
};
