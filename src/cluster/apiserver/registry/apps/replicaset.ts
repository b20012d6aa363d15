/** replicasets: a deployment's pods of one template, scaled through replicasets/scale. */
import { replicaSets as resource } from '../../../api/apps/register.ts';
import type { ReplicaSet } from '../../../api/apps/replica-set.ts';
import { formatLabelSelector, selectorFromLabelSelector } from '../../../api/labels.ts';
import type { ResourceRegistration } from '../registration.ts';
import { replicasConvertor, replicasScale, replicasStrategy } from '../replicas.ts';
import { scaleSubresource } from '../scale.ts';

/** The replica set printer: like the replication controller's, with a LabelSelector. */
export const replicaSetConvertor = replicasConvertor<ReplicaSet>({
  description: 'The label selector of the pods it manages.',
  cell: (rs) => formatLabelSelector(rs.spec?.selector),
});

export const replicaSetScale = replicasScale<ReplicaSet>((rs) =>
  selectorFromLabelSelector(rs.spec.selector).toString(),
);

export const replicaSets: ResourceRegistration<ReplicaSet> = {
  resource,
  strategy: replicasStrategy(),
  subresources: { scale: scaleSubresource(replicaSetScale) },
  printer: replicaSetConvertor,
};
