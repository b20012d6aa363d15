/**
 * The scheduler's decision, written onto the pod as annotations in the shape
 * kube-scheduler-simulator uses, so a learner can read it with `kubectl get pod web -o yaml`:
 *
 *   scheduler-simulator/filter-result:     {"node-1":{"NodeUnschedulable":"passed",...,
 *                                            "NodeAffinity":"node(s) didn't match Pod's node affinity/selector"}}
 *   scheduler-simulator/score-result:      {"node-2":{"NodeResourcesFit":"87","TaintToleration":"0",...}}
 *   scheduler-simulator/finalscore-result: {"node-2":{"NodeResourcesFit":"87","TaintToleration":"300",...}}
 *   scheduler-simulator/selected-node:     node-2
 *   scheduler-simulator/bind-result:       {"DefaultBinder":"success"}
 *
 * Scores are strings, as the simulator writes them. A node absent from filter-result was not
 * evaluated (the search stopped early); absent from score-result, it was filtered out, or it was
 * the only feasible node, which kube-scheduler does not score.
 */
import type { DecisionRecord } from './framework/interface.ts';

export const FilterResultAnnotation = 'scheduler-simulator/filter-result';
export const ScoreResultAnnotation = 'scheduler-simulator/score-result';
export const FinalScoreResultAnnotation = 'scheduler-simulator/finalscore-result';
export const SelectedNodeAnnotation = 'scheduler-simulator/selected-node';
export const BindResultAnnotation = 'scheduler-simulator/bind-result';

const stringify = (byNode: Record<string, Record<string, string | number>>): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(byNode).map(([node, byPlugin]) => [
        node,
        Object.fromEntries(Object.entries(byPlugin).map(([plugin, v]) => [plugin, String(v)])),
      ]),
    ),
  );

/** The annotations for a record; `selectedNode` only when the pod was bound. */
export function decisionAnnotations(record: DecisionRecord, selectedNode?: string): Record<string, string> {
  const annotations: Record<string, string> = {
    [FilterResultAnnotation]: stringify(record.filter),
    [ScoreResultAnnotation]: stringify(record.score),
    [FinalScoreResultAnnotation]: stringify(record.finalScore),
  };
  if (selectedNode) {
    annotations[SelectedNodeAnnotation] = selectedNode;
    annotations[BindResultAnnotation] = JSON.stringify({ DefaultBinder: 'success' });
  }
  return annotations;
}

/** One node's part in a decision, as `orch-lab explain schedule` prints it. */
export interface NodeVerdict {
  readonly node: string;
  /** "passed", or the plugin that refused the node and why. */
  readonly filter: string;
  /** Weighted scores by plugin, and their sum; empty when the node was not scored. */
  readonly scores: Readonly<Record<string, number>>;
  readonly total: number | undefined;
}

/** Reads a decision back from a pod's annotations; undefined when the scheduler has not tried it. */
export function readDecision(
  annotations: Readonly<Record<string, string>> | undefined,
): { selectedNode?: string; nodes: NodeVerdict[] } | undefined {
  const raw = annotations?.[FilterResultAnnotation];
  if (!raw) return undefined;
  const parse = (value: string | undefined) =>
    value ? (JSON.parse(value) as Record<string, Record<string, string>>) : {};
  const filter = parse(raw);
  const finalScore = parse(annotations?.[FinalScoreResultAnnotation]);
  const nodes = Object.keys(filter)
    .sort()
    .map((node) => {
      const refused = Object.entries(filter[node] ?? {}).find(([, verdict]) => verdict !== 'passed');
      const scores = Object.fromEntries(
        Object.entries(finalScore[node] ?? {}).map(([p, v]) => [p, Number(v)]),
      );
      const values = Object.values(scores);
      return {
        node,
        filter: refused ? `${refused[0]}: ${refused[1]}` : 'passed',
        scores,
        total: values.length ? values.reduce((a, b) => a + b, 0) : undefined,
      };
    });
  const selectedNode = annotations?.[SelectedNodeAnnotation];
  return selectedNode ? { selectedNode, nodes } : { nodes };
}
