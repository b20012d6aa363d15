import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../../../api/apps/replica-set.ts';
import { replicaSetConvertor } from './replicaset.ts';

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

describe('replica set printer', () => {
  it('prints DESIRED, CURRENT and READY, and the selector with -o wide', () => {
    const rs = ReplicaSet.parse({
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
    });
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
    const old = ReplicaSet.parse({
      metadata: metadata('web-5f6c7d8e9a'),
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 0 },
    });
    expect(replicaSetConvertor.cells(old, now).slice(0, 4)).toEqual(['web-5f6c7d8e9a', 0, 0, 0]);
  });

  it('prints <none> for an empty selector', () => {
    const rs = ReplicaSet.parse({ metadata: metadata('x'), spec: { replicas: 1, selector: {}, template } });
    expect(replicaSetConvertor.cells(rs, now)[7]).toBe('<none>');
  });
});
