import { describe, expect, it } from 'vitest';
import {
  type Deployment,
  deploymentConvertor,
  type Job,
  jobConvertor,
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

describe('job printer', () => {
  const job = (spec: Job['spec'], status: Job['status'], extra: Partial<Job['metadata']> = {}): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...metadata('pi'), ...extra },
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template, ...spec },
    status,
  });
  const startTime = '2024-05-01T11:50:00Z';

  it('prints how a job ended, succeeded/completions, and start to completion as DURATION', () => {
    const done = job(
      { completions: 3, parallelism: 2 },
      {
        succeeded: 3,
        startTime,
        completionTime: '2024-05-01T11:51:05Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    );
    expect(jobConvertor.cells(done, now)).toEqual([
      'pi',
      'Complete',
      '3/3',
      '65s',
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'batch.kubernetes.io/controller-uid=u1',
    ]);
    const failed = job({ completions: 1 }, { startTime, conditions: [{ type: 'Failed', status: 'True' }] });
    expect(jobConvertor.cells(failed, now).slice(1, 4)).toEqual(['Failed', '0/1', '10m']);
  });

  it('prints a running, terminating or suspended job, and a work queue without completions', () => {
    expect(jobConvertor.cells(job({ parallelism: 3 }, { startTime }), now).slice(1, 4)).toEqual([
      'Running',
      '0/1 of 3',
      '10m',
    ]);
    const suspended = job(
      { completions: 1, parallelism: 1 },
      { conditions: [{ type: 'Suspended', status: 'True' }] },
    );
    expect(jobConvertor.cells(suspended, now).slice(1, 4)).toEqual(['Suspended', '0/1', '']);
    const deleting = job({ completions: 1 }, { startTime }, { deletionTimestamp: '2024-05-01T11:59:00Z' });
    expect(jobConvertor.cells(deleting, now)[1]).toBe('Terminating');
  });

  it('has kubectl 1.32 columns, the template and selector only with -o wide', () => {
    expect(jobConvertor.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Status', 0],
      ['Completions', 0],
      ['Duration', 0],
      ['Age', 0],
      ['Containers', 1],
      ['Images', 1],
      ['Selector', 1],
    ]);
  });
});
