/**
 * TaintToleration. Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate
 * is ruled out (this is how not-ready, unreachable and cordoned nodes repel pods: the node
 * lifecycle controller taints them). Score: fewer untolerated PreferNoSchedule taints is better.
 */
import type { Taint } from '../../../api/core/node.ts';
import type { Pod } from '../../../api/core/pod.ts';
import type { Toleration } from '../../../api/core/scheduling.ts';
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

export const Name = 'TaintToleration';

type TaintLike = Pick<Taint, 'key' | 'effect'> & { readonly value?: string | null };

/** Toleration.ToleratesTaint: empty effect or key match all; Exists ignores the value. */
export function toleratesTaint(t: Toleration, taint: TaintLike): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly string[],
): Taint | undefined {
  return taints.find(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)),
  );
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = Name;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const taint = findUntoleratedTaint(nodeInfo.node.spec.taints ?? [], pod.spec.tolerations ?? [], [
      'NoSchedule',
      'NoExecute',
    ]);
    if (!taint) return undefined;
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  /** The number of PreferNoSchedule taints the pod does not tolerate; normalised in reverse. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const tolerations = (pod.spec.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    return (nodeInfo.node.spec.taints ?? []).filter(
      (taint) => taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint)),
    ).length;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  }
}
