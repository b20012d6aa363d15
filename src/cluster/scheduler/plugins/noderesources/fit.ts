/**
 * NodeResourcesFit. Filter: the node's allocatable minus what its pods request must cover the
 * pod's requests, resource by resource, and the node must have room for one more pod. Score
 * (the LeastAllocated strategy): the more of a node stays free after placing the pod, the better.
 */
import type { Pod } from '../../../api/core/pod.ts';
import {
  type CycleState,
  type FilterPlugin,
  MaxNodeScore,
  type PreFilterPlugin,
  type Result,
  type ScorePlugin,
  Status,
} from '../../framework/interface.ts';
import { type NodeInfo, podRequests, type ResourceList } from '../../framework/node-info.ts';
import { allocations, defaultResources, type ResourceSpec } from './resource-allocation.ts';

export const Name = 'NodeResourcesFit';
const stateKey = `PreFilter${Name}`;

export interface FitArgs {
  /** Resources LeastAllocated scores, with weights; CPU and memory, 1 each, unless given. */
  readonly resources?: readonly ResourceSpec[];
}

/** One resource the node lacks, as kube-scheduler's InsufficientResource. */
export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
}

/**
 * fitsRequest: "Too many pods" first, then each requested resource in turn. Only what the pod
 * actually requests is checked, so a pod asking for nothing fits a full node (except for pods).
 */
export function insufficientResources(request: ResourceList, nodeInfo: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowedPods = nodeInfo.allocatable.pods ?? 0;
  if (nodeInfo.pods.length + 1 > allowedPods) {
    out.push({
      resourceName: 'pods',
      reason: 'Too many pods',
      requested: 1,
      used: nodeInfo.pods.length,
      capacity: allowedPods,
    });
  }
  const names = ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(request).sort()];
  for (const name of new Set(names)) {
    const wanted = request[name] ?? 0;
    if (name === 'pods' || wanted <= 0) continue;
    const capacity = nodeInfo.allocatable[name] ?? 0;
    const used = nodeInfo.requested[name] ?? 0;
    if (wanted > capacity - used) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: wanted, used, capacity });
    }
  }
  return out;
}

/** (allocatable - requested) * 100 / allocatable, and 0 once requested exceeds allocatable. */
export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MaxNodeScore) / allocatable);
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = Name;
  private readonly resources: readonly ResourceSpec[];

  constructor(args: FitArgs = {}) {
    const resources = args.resources ?? defaultResources;
    for (const r of resources) {
      if (!(r.weight >= 1 && r.weight <= 100)) {
        throw new Error(`${Name}: resource ${r.name}: weight ${r.weight} must be in the range [1, 100]`);
      }
    }
    this.resources = resources;
  }

  preFilter(state: CycleState, pod: Pod): Result {
    state.write(stateKey, podRequests(pod));
    return undefined;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const request = state.read<ResourceList>(stateKey) ?? podRequests(pod);
    const lacking = insufficientResources(request, nodeInfo);
    return lacking.length ? Status.unschedulable(...lacking.map((r) => r.reason)) : undefined;
  }

  /** The weighted mean of leastRequestedScore over the scored resources the node has. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    let total = 0;
    let weights = 0;
    for (const a of allocations(pod, nodeInfo, this.resources, false)) {
      total += leastRequestedScore(a.requested, a.allocatable) * a.resource.weight;
      weights += a.resource.weight;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  }
}
