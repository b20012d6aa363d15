/** NodeName: a pod that names its node (spec.nodeName) fits only there. */
import type { Pod } from '../../../api/core/pod.ts';
import { type CycleState, type FilterPlugin, type Result, Status } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/node-info.ts';

export const Name = 'NodeName';
export const ErrReason = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = Name;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const wanted = pod.spec.nodeName;
    return !wanted || wanted === nodeInfo.name ? undefined : Status.unresolvable(ErrReason);
  }
}
