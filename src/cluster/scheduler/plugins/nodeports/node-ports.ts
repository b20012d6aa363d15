/** NodePorts: a pod asking for a hostPort fits only where nobody holds that port yet. */
import type { Pod } from '../../../api/core/pod.ts';
import {
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type Result,
  Status,
} from '../../framework/interface.ts';
import { type HostPort, type NodeInfo, podHostPorts } from '../../framework/node-info.ts';

export const Name = 'NodePorts';
export const ErrReason = "node(s) didn't have free ports for the requested pod ports";
const stateKey = `PreFilter${Name}`;

/** Same protocol and port, and the same address or either one the wildcard 0.0.0.0. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = Name;

  preFilter(state: CycleState, pod: Pod): Result {
    state.write(stateKey, podHostPorts(pod));
    return undefined;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const wanted = state.read<HostPort[]>(stateKey) ?? podHostPorts(pod);
    const clash = wanted.some((w) => nodeInfo.usedPorts.some((used) => portsConflict(w, used)));
    return clash ? Status.unschedulable(ErrReason) : undefined;
  }
}
