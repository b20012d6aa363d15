import { describe, expect, it } from 'vitest';
import { CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../../testing/objects.ts';
import { BalancedAllocation, balancedResourceScore } from './balanced-allocation.ts';
import { leastRequestedScore, NodeResourcesFit } from './fit.ts';

describe('NodeResourcesFit', () => {
  const fit = new NodeResourcesFit();
  const node = makeNode('n', { allocatable: { cpu: '2', memory: '4Gi', pods: '2' } });

  it('passes a pod that fits beside the pods already there', () => {
    const info = nodeInfo(node, makePod('a', { cpu: '1', memory: '1Gi' }));
    expect(fit.filter(new CycleState(), makePod('p', { cpu: '1', memory: '3Gi' }), info)).toBeUndefined();
  });

  it('names every resource the node lacks, and a full node', () => {
    const info = nodeInfo(node, makePod('a', { cpu: '1500m' }), makePod('b'));
    const status = fit.filter(new CycleState(), makePod('p', { cpu: '1', memory: '5Gi' }), info);
    expect(status?.code).toBe('Unschedulable');
    expect(status?.reasons).toEqual(['Too many pods', 'Insufficient cpu', 'Insufficient memory']);
  });

  it('checks extended resources by name', () => {
    const status = fit.filter(new CycleState(), makePod('p', { 'example.com/gpu': '1' }), nodeInfo(node));
    expect(status?.reasons).toEqual(['Insufficient example.com/gpu']);
  });

  it('counts init containers as the larger of their peak and the app containers', () => {
    const pod = makePod('p', { cpu: '500m' }, {
      initContainers: [{ name: 'init', resources: { requests: { cpu: '1800m' } } }],
    } as never);
    const info = nodeInfo(node, makePod('a', { cpu: '500m' }));
    expect(fit.filter(new CycleState(), pod, info)?.reasons).toEqual(['Insufficient cpu']);
  });

  it('scores the least allocated node highest, counting empty requests as the defaults', () => {
    expect(leastRequestedScore(500, 2000)).toBe(75);
    expect(leastRequestedScore(3000, 2000)).toBe(0);
    // cpu: (2000 - 100 default) * 100 / 2000 = 95; memory: (4Gi - 200Mi) / 4Gi = 95
    expect(fit.score(new CycleState(), makePod('p'), nodeInfo(node))).toBe(95);
  });

  it('rejects weights out of range', () => {
    expect(() => new NodeResourcesFit({ resources: [{ name: 'cpu', weight: 0 }] })).toThrow(/weight/);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers nodes whose CPU and memory fractions are close', () => {
    expect(balancedResourceScore([0.5, 0.25])).toBe(87);
    expect(balancedResourceScore([0.5, 0.5])).toBe(100);
    const node = makeNode('n', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } });
    const pod = makePod('p', { cpu: '2', memory: '2Gi' });
    expect(new BalancedAllocation().score(new CycleState(), pod, nodeInfo(node))).toBe(87);
  });
});
