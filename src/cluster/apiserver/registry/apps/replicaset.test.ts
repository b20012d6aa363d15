import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../../../api/apps/replica-set.ts';
import { metadata, now, template } from '../testing/workloads.ts';
import { replicaSetConvertor } from './replicaset.ts';

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
