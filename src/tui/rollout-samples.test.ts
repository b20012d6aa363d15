import { describe, expect, it } from 'vitest';
import type { Deployment } from '../cluster/api/apps/deployment.ts';
import type { ReplicaSet } from '../cluster/api/apps/replica-set.ts';
import { sampleRollouts } from './rollout-samples.ts';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment = (image: string, status: Deployment['status']): Deployment =>
  ({
    metadata: { namespace: 'default', name: 'web', uid: 'd-1', generation: 2 },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template(image) },
    status: { observedGeneration: 2, ...status },
  }) as unknown as Deployment;

const replicaSet = (name: string, image: string, replicas: number): ReplicaSet =>
  ({
    metadata: { namespace: 'default', name, ownerReferences: [{ controller: true, uid: 'd-1' }] },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(image) },
    status: { replicas },
  }) as unknown as ReplicaSet;

describe('sampleRollouts', () => {
  it('samples the new set (the one with the deployment template) against the old ones while it rolls', () => {
    const rolling = deployment('nginx:1.26', { replicas: 4, updatedReplicas: 2 });
    const sets = [replicaSet('web-old', 'nginx:1.25', 2), replicaSet('web-new', 'nginx:1.26', 2)];
    const first = sampleRollouts(new Map(), [rolling], sets, 1_000, 30_000);
    expect(first.get('default/web')).toEqual({
      key: 'default/web',
      newSet: 'web-new',
      samples: [{ at: 1_000, newReplicas: 2, oldReplicas: 2 }],
      lastActive: 1_000,
    });
    // Done: the old set is gone; the chart keeps sampling until it has lingered long enough.
    const done = deployment('nginx:1.26', { replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const after = [replicaSet('web-old', 'nginx:1.25', 0), replicaSet('web-new', 'nginx:1.26', 3)];
    const second = sampleRollouts(first, [done], after, 2_000, 30_000);
    expect(second.get('default/web')?.samples.at(-1)).toEqual({ at: 2_000, newReplicas: 3, oldReplicas: 0 });
    expect(second.get('default/web')?.lastActive).toBe(1_000);
    expect(sampleRollouts(second, [done], after, 40_000, 30_000).size).toBe(0);
  });

  it('leaves a deployment that is not rolling alone', () => {
    const steady = deployment('nginx:1.25', { replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(sampleRollouts(new Map(), [steady], [replicaSet('web-a', 'nginx:1.25', 3)], 0, 30_000).size).toBe(
      0,
    );
  });
});
