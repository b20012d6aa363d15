import { describe, expect, it } from 'vitest';
import { defaultPlugins } from '../plugins/registry.ts';
import { makeNode, makePod, nodeInfo } from '../testing/objects.ts';
import { FitError } from './fit-error.ts';
import { Framework, numFeasibleNodesToFind } from './runtime.ts';

describe('Framework', () => {
  it('explains a failure with kube-scheduler’s aggregated message', () => {
    const fw = new Framework({ plugins: defaultPlugins() });
    const nodes = [
      nodeInfo(
        makeNode('a', { labels: { disk: 'ssd' }, allocatable: { cpu: '1', memory: '1Gi', pods: '10' } }),
      ),
      nodeInfo(makeNode('b')),
      nodeInfo(makeNode('c')),
    ];
    const pod = makePod('p', { cpu: '2' }, { nodeSelector: { disk: 'ssd' } });
    let err: unknown;
    try {
      fw.schedulePod(pod, nodes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitError);
    expect((err as FitError).message).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, ' +
        '2 Preemption is not helpful for scheduling.',
    );
    expect((err as FitError).record.filter.a).toMatchObject({
      NodeAffinity: 'passed',
      NodeResourcesFit: 'Insufficient cpu',
    });
  });

  it('picks the highest weighted total and records every score', () => {
    const fw = new Framework({ plugins: defaultPlugins(), random: () => 0 });
    const busy = makeNode('busy');
    const result = fw.schedulePod(makePod('p', { cpu: '1' }), [
      nodeInfo(busy, makePod('x', { cpu: '2' })),
      nodeInfo(makeNode('idle')),
    ]);
    expect(result.suggestedHost).toBe('idle');
    expect(result.record.finalScore.idle?.TaintToleration).toBe(300);
    expect(result.record.score.busy?.NodeResourcesFit).toBeLessThan(
      result.record.score.idle?.NodeResourcesFit ?? 0,
    );
  });

  it('stops searching once enough nodes fit on a big cluster', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50% - 1000/125 = 42%
    expect(numFeasibleNodesToFind(5000, 1)).toBe(100);
    const fw = new Framework({ plugins: defaultPlugins(), percentageOfNodesToScore: 10 });
    const nodes = Array.from({ length: 500 }, (_, i) => nodeInfo(makeNode(`n${i}`)));
    const first = fw.schedulePod(makePod('p'), nodes);
    expect(first.evaluatedNodes).toBe(100);
    expect(Object.keys(first.record.filter)).toHaveLength(100);
    // The next pod starts where this search stopped.
    expect(Object.keys(fw.schedulePod(makePod('q'), nodes).record.filter)[0]).toBe('n100');
  });
});
