/**
 * The ReplicationController controller: the ReplicaSet controller over the older kind, as
 * Kubernetes runs it (pkg/controller/replication wraps the replicaset controller with conversion
 * adapters). The one real difference is the selector, a plain label map, which defaults to the
 * template's labels.
 */
import type { ReplicationController } from '../api/core/replication-controller.ts';
import { selectorFromSet } from '../api/labels.ts';
import { type ResourceType, replicationControllers } from '../api/resources.ts';
import type { ReplicaSetKind, ReplicatedObject } from './replicaset.ts';

export const replicationControllerKind: ReplicaSetKind<ReplicationController & ReplicatedObject> = {
  type: replicationControllers as ResourceType<ReplicationController & ReplicatedObject>,
  component: 'replication-controller',
  selector: (rc) => selectorFromSet(rc.spec.selector ?? rc.spec.template?.metadata.labels),
};
