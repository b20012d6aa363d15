/** Create and update rules of apps/v1 kinds (see ../strategy.ts). */
import { semanticEqual } from '../equality.ts';
import { specChanged, withStatusSubresource } from '../strategy.ts';
import type { Deployment } from './deployment.ts';
import type { ReplicaSet } from './replica-set.ts';

/**
 * Deployments also bump their generation on annotation changes, because the deployment
 * controller copies annotations to its replica sets and must notice.
 */
export const deploymentLifecycle = withStatusSubresource<Deployment>({
  initialStatus: () => ({}),
  generation: (d, old) =>
    specChanged(d, old) || !semanticEqual(d.metadata.annotations, old.metadata.annotations),
});

export const replicaSetLifecycle = withStatusSubresource<ReplicaSet>({
  initialStatus: () => ({ replicas: 0 }),
  generation: specChanged,
});
