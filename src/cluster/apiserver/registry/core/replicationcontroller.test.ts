import { describe, expect, it } from 'vitest';
import { ReplicationController } from '../../../api/core/replication-controller.ts';
import { metadata, now, template } from '../testing/workloads.ts';
import { replicationControllerConvertor } from './replicationcontroller.ts';

describe('replication controller printer', () => {
  it('prints its map selector the way labels are printed', () => {
    const rc = ReplicationController.parse({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: metadata('legacy'),
      spec: { replicas: 2, selector: { app: 'legacy' }, template },
      status: { replicas: 2, readyReplicas: 2 },
    });
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
    const rc = ReplicationController.parse({ metadata: metadata('bare'), spec: { replicas: 1 } });
    expect(replicationControllerConvertor.cells(rc, now).slice(5)).toEqual(['', '', '<none>']);
  });
});
