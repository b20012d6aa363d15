import { describe, expect, it } from 'vitest';
import {
  decisionAnnotations,
  FilterResultAnnotation,
  FinalScoreResultAnnotation,
  MAX_NODES_RECORDED,
  readDecision,
} from './decision-annotations.ts';
import type { DecisionRecord } from './framework/interface.ts';

/** n nodes: node-0 refused by NodeAffinity, the others passed and scored by their number. */
function record(n: number): DecisionRecord {
  const filter: DecisionRecord['filter'] = {};
  const score: DecisionRecord['score'] = {};
  const finalScore: DecisionRecord['finalScore'] = {};
  for (let i = 0; i < n; i++) {
    const node = `node-${i}`;
    if (i === 0) {
      filter[node] = { NodeAffinity: "node(s) didn't match Pod's node affinity/selector" };
      continue;
    }
    filter[node] = { NodeAffinity: 'passed' };
    score[node] = { NodeResourcesFit: i };
    finalScore[node] = { NodeResourcesFit: i, TaintToleration: 300 };
  }
  return { filter, score, finalScore };
}

describe('decisionAnnotations', () => {
  it('records every node of a small cluster, scores as strings', () => {
    const annotations = decisionAnnotations(record(3), 'node-2');
    expect(JSON.parse(annotations[FinalScoreResultAnnotation]!)).toEqual({
      'node-1': { NodeResourcesFit: '1', TaintToleration: '300' },
      'node-2': { NodeResourcesFit: '2', TaintToleration: '300' },
    });
    expect(readDecision(annotations)?.nodes.map((n) => `${n.node} ${n.filter} ${n.total}`)).toEqual([
      "node-0 NodeAffinity: node(s) didn't match Pod's node affinity/selector undefined",
      'node-1 passed 301',
      'node-2 passed 302',
    ]);
  });

  it('keeps the chosen node, the best scored and then the refused ones in a big cluster', () => {
    const annotations = decisionAnnotations(record(500), 'node-7');
    const filtered = Object.keys(JSON.parse(annotations[FilterResultAnnotation]!));
    expect(filtered).toHaveLength(MAX_NODES_RECORDED);
    const best = Array.from({ length: MAX_NODES_RECORDED - 1 }, (_, i) => `node-${499 - i}`);
    expect(filtered.sort()).toEqual(['node-7', ...best].sort());
    const unschedulable = decisionAnnotations(record(500));
    expect(Object.keys(JSON.parse(unschedulable[FilterResultAnnotation]!))).toContain('node-499');
  });
});
