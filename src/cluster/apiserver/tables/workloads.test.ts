import { describe, expect, it } from 'vitest';
import {
  type Deployment,
  deploymentConvertor,
  type ReplicaSet,
  type ReplicationController,
  replicaSetConvertor,
  replicationControllerConvertor,
} from './workloads.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T11:45:00Z',
});
const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'metrics', image: 'prom/nginx-exporter:1.1' },
    ],
  },
};

describe('deployment printer', () => {
  const deployment = (spec: Deployment['spec'], status: Deployment['status']): Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata('web'),
    spec,
    status,
  });

  it('prints READY as ready/desired, then UP-TO-DATE and AVAILABLE, and the template with -o wide', () => {
    const web = deployment(
      { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    );
    expect(deploymentConvertor.cells(web, now)).toEqual([
      'web',
      '2/3',
      3,
      2,
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'app=web',
    ]);
  });

  it('prints 0 for counts a fresh status leaves out', () => {
    const web = deployment({ replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, {});
    expect(deploymentConvertor.cells(web, now).slice(1, 4)).toEqual(['0/3', 0, 0]);
  });

  it('prints "" for an empty selector and <invalid> for a malformed one', () => {
    expect(deploymentConvertor.cells(deployment({ replicas: 1, selector: {} }, {}), now)[7]).toBe('');
    const bad = deployment(
      { replicas: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } },
      {},
    );
    expect(deploymentConvertor.cells(bad, now)[7]).toBe('<invalid>');
  });
});

describe('replica set printer', () => {
  it('prints DESIRED, CURRENT and READY, and the selector with -o wide', () => {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: metadata('web-7d4b9c8f6d'),
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' },
        },
        template,
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(replicaSetConvertor.cells(rs, now)).toEqual([
      'web-7d4b9c8f6d',
      3,
      3,
      2,
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'app=web,pod-template-hash=7d4b9c8f6d',
    ]);
  });

  it('prints an old replica set scaled to zero', () => {
    const old: ReplicaSet = {
      metadata: metadata('web-5f6c7d8e9a'),
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 0 },
    };
    expect(replicaSetConvertor.cells(old, now).slice(0, 4)).toEqual(['web-5f6c7d8e9a', 0, 0, 0]);
  });

  it('prints <none> for an empty selector', () => {
    const rs: ReplicaSet = { metadata: metadata('x'), spec: { replicas: 1, selector: {} } };
    expect(replicaSetConvertor.cells(rs, now)[7]).toBe('<none>');
  });
});

describe('replication controller printer', () => {
  it('prints its map selector the way labels are printed', () => {
    const rc: ReplicationController = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: metadata('legacy'),
      spec: { replicas: 2, selector: { app: 'legacy' }, template },
      status: { replicas: 2, readyReplicas: 2 },
    };
    expect(replicationControllerConvertor.cells(rc, now)).toEqual([
      'legacy',
      2,
      2,
      2,
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'app=legacy',
    ]);
  });

  it('prints empty container cells and <none> without a template or selector', () => {
    const rc: ReplicationController = { metadata: metadata('bare'), spec: { replicas: 1 } };
    expect(replicationControllerConvertor.cells(rc, now).slice(5)).toEqual(['', '', '<none>']);
  });
});
