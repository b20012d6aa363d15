/**
 * NodeAffinity. Filter: the node must carry every spec.nodeSelector label and match one of the
 * required affinity terms. Score: the summed weights of the preferred terms the node matches,
 * normalised so the best node gets 100.
 */
import type { Node } from '../../../api/core/node.ts';
import type { Pod } from '../../../api/core/pod.ts';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../../api/core/scheduling.ts';
import {
  type CycleState,
  defaultNormalizeScore,
  type FilterPlugin,
  type NodeScore,
  type Result,
  type ScorePlugin,
  Status,
} from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/node-info.ts';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

/** One requirement against a map of values (node labels, or {metadata.name} for matchFields). */
function matchesRequirement(req: NodeSelectorRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(values, req.key);
  const actual = values[req.key];
  const wanted = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && wanted.includes(actual ?? '');
    case 'NotIn':
      return !has || !wanted.includes(actual ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers; anything else does not match (as labels.Requirement does).
      if (!has || wanted.length !== 1 || !/^-?\d+$/.test(actual ?? '') || !/^-?\d+$/.test(wanted[0] ?? '')) {
        return false;
      }
      const a = Number(actual);
      const b = Number(wanted[0]);
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all of its requirements do; a term with none matches nothing. */
export function matchesTerm(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const nodeFields = { 'metadata.name': node.metadata.name ?? '' };
  return (
    expressions.every((r) => matchesRequirement(r, labels)) &&
    fields.every((r) => matchesRequirement(r, nodeFields))
  );
}

/** spec.nodeSelector and required node affinity, as GetRequiredNodeAffinity(pod).Match(node). */
export function matchesRequiredAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, val] of Object.entries(pod.spec.nodeSelector ?? {})) {
    if (labels[key] !== val) return false;
  }
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((term) => matchesTerm(term, node));
}

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = Name;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    return matchesRequiredAffinity(pod, nodeInfo.node) ? undefined : Status.unresolvable(ErrReasonPod);
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    let sum = 0;
    for (const term of preferred) {
      if (term.weight !== 0 && matchesTerm(term.preference, nodeInfo.node)) sum += term.weight;
    }
    return sum;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  }
}
