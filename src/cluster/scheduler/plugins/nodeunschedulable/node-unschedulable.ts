/** NodeUnschedulable keeps pods off cordoned nodes (spec.unschedulable) unless they tolerate that. */
import type { Pod } from '../../../api/core/pod.ts';
import { type CycleState, type FilterPlugin, type Result, Status } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { toleratesTaint } from '../tainttoleration/taint-toleration.ts';

export const Name = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';

/** The taint a cordoned node is treated as having (the node lifecycle controller also adds it). */
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = Name;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    if (!nodeInfo.node.spec.unschedulable) return undefined;
    const tolerated = (pod.spec.tolerations ?? []).some((t) => toleratesTaint(t, unschedulableTaint));
    return tolerated ? undefined : Status.unresolvable(ErrReasonUnschedulable);
  }
}
