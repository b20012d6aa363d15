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
 *
 * At most MAX_NODES_RECORDED nodes appear in each: the chosen one, then the best scored, then those
 * filtered out. The whole record of a 500-node cluster would add ~100 KB to every pod, which each
 * write, watch and informer then carries.
 */
import type { DecisionRecord } from './framework/interface.ts';

export const FilterResultAnnotation = 'scheduler-simulator/filter-result';
export const ScoreResultAnnotation = 'scheduler-simulator/score-result';
export const FinalScoreResultAnnotation = 'scheduler-simulator/finalscore-result';
export const SelectedNodeAnnotation = 'scheduler-simulator/selected-node';
export const BindResultAnnotation = 'scheduler-simulator/bind-result';

export const MAX_NODES_RECORDED = 20;

/** JSON with every score as a string; built by hand, as it runs for each node of each decision. */
function stringify(
  byNode: Record<string, Record<string, string | number>>,
  kept: ReadonlySet<string>,
): string {
  const nodes: string[] = [];
  for (const node in byNode) {
    if (!kept.has(node)) continue;
    const plugins: string[] = [];
    const byPlugin = byNode[node]!;
    for (const plugin in byPlugin)
      plugins.push(`${JSON.stringify(plugin)}:${JSON.stringify(String(byPlugin[plugin]))}`);
    nodes.push(`${JSON.stringify(node)}:{${plugins.join(',')}}`);
  }
  return `{${nodes.join(',')}}`;
}

/** The nodes worth recording: the selected one, the best scored, then the refused, then the rest. */
function nodesToRecord(record: DecisionRecord, selectedNode: string | undefined): ReadonlySet<string> {
  const evaluated = Object.keys(record.filter);
  if (evaluated.length <= MAX_NODES_RECORDED) return new Set(evaluated);
  const total = (node: string) => Object.values(record.finalScore[node] ?? {}).reduce((a, b) => a + b, 0);
  const scored = Object.keys(record.finalScore).sort((a, b) => total(b) - total(a));
  const refused = evaluated.filter((n) => Object.values(record.filter[n] ?? {}).some((v) => v !== 'passed'));
  const kept = new Set<string>();
  for (const node of [...(selectedNode ? [selectedNode] : []), ...scored, ...refused, ...evaluated]) {
    if (kept.size === MAX_NODES_RECORDED) break;
    kept.add(node);
  }
  return kept;
}

/** The annotations for a record; `selectedNode` only when the pod was bound. */
export function decisionAnnotations(record: DecisionRecord, selectedNode?: string): Record<string, string> {
  const kept = nodesToRecord(record, selectedNode);
  const annotations: Record<string, string> = {
    [FilterResultAnnotation]: stringify(record.filter, kept),
    [ScoreResultAnnotation]: stringify(record.score, kept),
    [FinalScoreResultAnnotation]: stringify(record.finalScore, kept),
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
