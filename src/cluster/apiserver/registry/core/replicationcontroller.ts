/** replicationcontrollers: the oldest workload, scaled through replicationcontrollers/scale. */
import { replicationControllers as resource } from '../../../api/core/register.ts';
import type { ReplicationController } from '../../../api/core/replication-controller.ts';
import { formatLabels, selectorFromSet } from '../../../api/labels.ts';
import type { ResourceRegistration } from '../registration.ts';
import { replicasConvertor, replicasScale, replicasStrategy } from '../replicas.ts';
import { scaleSubresource } from '../scale.ts';

/** The replication controller printer: its selector is a plain label map, printed as labels are. */
export const replicationControllerConvertor = replicasConvertor<ReplicationController>({
  description: 'The labels of the pods it manages.',
  cell: (rc) => formatLabels(rc.spec?.selector),
});

export const replicationControllerScale = replicasScale<ReplicationController>((rc) =>
  selectorFromSet(rc.spec.selector).toString(),
);

export const replicationControllers: ResourceRegistration<ReplicationController> = {
  resource,
  strategy: replicasStrategy(),
  subresources: { scale: scaleSubresource(replicationControllerScale) },
  printer: replicationControllerConvertor,
};
