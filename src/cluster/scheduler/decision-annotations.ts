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
