import { describe, expect, it } from 'vitest';
import { CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../../testing/objects.ts';
import { NodeUnschedulable } from '../nodeunschedulable/node-unschedulable.ts';
import { TaintToleration, toleratesTaint } from './taint-toleration.ts';

const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

describe('TaintToleration', () => {
  const plugin = new TaintToleration();

  it('matches tolerations as Kubernetes does', () => {
    expect(toleratesTaint({ operator: 'Exists' }, notReady)).toBe(true);
    expect(toleratesTaint({ key: notReady.key, operator: 'Exists', effect: 'NoExecute' }, notReady)).toBe(
      false,
    );
    expect(toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(
      true,
    );
    expect(toleratesTaint({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(
      false,
    );
  });

  it('rules out a not-ready node in kube-scheduler’s words unless tolerated', () => {
    const info = nodeInfo(makeNode('n', { spec: { taints: [notReady] } }));
    const status = plugin.filter(new CycleState(), makePod('p'), info);
    expect(status?.code).toBe('UnschedulableAndUnresolvable');
    expect(status?.reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    const tolerant = makePod('p', {}, { tolerations: [{ key: notReady.key, operator: 'Exists' }] });
    expect(plugin.filter(new CycleState(), tolerant, info)).toBeUndefined();
  });

  it('ignores PreferNoSchedule in Filter and counts it in Score, reversed', () => {
    const soft = makeNode('soft', { spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } });
    const clean = makeNode('clean');
    const pod = makePod('p');
    expect(plugin.filter(new CycleState(), pod, nodeInfo(soft))).toBeUndefined();
    const scores = [soft, clean].map((n) => ({
      name: n.metadata.name!,
      score: plugin.score(new CycleState(), pod, nodeInfo(n)),
    }));
    plugin.normalizeScore(new CycleState(), pod, scores);
    expect(scores).toEqual([
      { name: 'soft', score: 0 },
      { name: 'clean', score: 100 },
    ]);
  });
});

describe('NodeUnschedulable', () => {
  it('rules out a cordoned node unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const info = nodeInfo(makeNode('n', { spec: { unschedulable: true } }));
    const plugin = new NodeUnschedulable();
    expect(plugin.filter(new CycleState(), makePod('p'), info)?.reasons).toEqual([
      'node(s) were unschedulable',
    ]);
    const pod = makePod(
      'p',
      {},
      { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] },
    );
    expect(plugin.filter(new CycleState(), pod, info)).toBeUndefined();
  });
});
