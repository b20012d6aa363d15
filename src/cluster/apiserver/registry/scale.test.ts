import { describe, expect, it } from 'vitest';
import { deployments, replicationControllers } from '../../api/resources.ts';
import { fixture } from '../../api/testdata/fixtures.ts';
import { deploymentScale } from './apps/deployment.ts';
import { replicationControllerScale } from './core/replicationcontroller.ts';
import { toScale } from './scale.ts';
import { createAs } from './testing/create.ts';

describe('scale', () => {
  it('reads a deployment as an autoscaling/v1 Scale', () => {
    const d = createAs(deployments, fixture('kubectl-create-deployment'));
    d.metadata.namespace = 'default';
    d.status.replicas = 1;
    expect(toScale(deploymentScale, d)).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: undefined,
        resourceVersion: undefined,
        creationTimestamp: undefined,
      },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: 'app=web' },
    });
  });

  it('writes replicas back', () => {
    const rc = createAs(replicationControllers, fixture('seed-replication-controller'));
    replicationControllerScale.setReplicas(rc, 6);
    expect(rc.spec.replicas).toBe(6);
    expect(toScale(replicationControllerScale, rc).status.selector).toBe('app=myapp,type=front-end');
  });
});
