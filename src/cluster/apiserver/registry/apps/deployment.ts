/** deployments: declarative rollouts, scaled through deployments/scale. */

import type { Deployment } from '../../../api/apps/deployment.ts';
import { deployments as resource } from '../../../api/apps/register.ts';
import { podTemplateWarnings } from '../../../api/core/pod-warnings.ts';
import { semanticEqual } from '../../../api/equality.ts';
import { labelSelectorString, selectorFromLabelSelector } from '../../../api/labels.ts';
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
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { type Scalable, scaleSubresource } from '../scale.ts';
import { specChanged, withStatusSubresource } from '../strategy.ts';

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
      `${status?.readyReplicas ?? 0}/${spec?.replicas ?? 0}`,
      status?.updatedReplicas ?? 0,
      status?.availableReplicas ?? 0,
      ageCell(deployment, now),
      ...layoutContainerCells(spec?.template?.spec.containers ?? []),
      labelSelectorString(spec?.selector) ?? '<invalid>',
    ];
  },
};

/** deployments/scale reads and writes spec.replicas. */
export const deploymentScale: Scalable<Deployment> = {
  replicas: (d) => ({
    spec: d.spec.replicas ?? 0,
    status: d.status.replicas ?? 0,
    selector: selectorFromLabelSelector(d.spec.selector).toString(),
  }),
  setReplicas: (d, n) => {
    d.spec.replicas = n;
  },
};

export const deployments: ResourceRegistration<Deployment> = {
  resource,
  /**
   * Deployments also bump their generation on annotation changes, because the deployment
   * controller copies annotations to its replica sets and must notice.
   */
  strategy: withStatusSubresource<Deployment>({
    initialStatus: () => ({}),
    generation: (d, old) =>
      specChanged(d, old) || !semanticEqual(d.metadata.annotations, old.metadata.annotations),
    warnings: podTemplateWarnings,
  }),
  subresources: { scale: scaleSubresource(deploymentScale) },
  printer: deploymentConvertor,
};
