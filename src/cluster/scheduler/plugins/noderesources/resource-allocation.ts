/**
 * The part NodeResourcesFit's scoring and NodeResourcesBalancedAllocation share, after
 * noderesources/resource_allocation.go: for each scored resource, what the node would have
 * requested with this pod on it, and what it can allocate.
 */
import type { Pod } from '../../../api/core/pod.ts';
import { type NodeInfo, podRequests } from '../../framework/node-info.ts';

/** A resource to score and how much it counts. */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** The default of both plugins: CPU and memory, equally. */
export const defaultResources: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

export interface Allocation {
  readonly resource: ResourceSpec;
  readonly requested: number;
  readonly allocatable: number;
}

/**
 * `useRequested` reads real requests (BalancedAllocation); otherwise containers without CPU or
 * memory requests count with the defaults (NodeResourcesFit), so that ten empty pods do not all
 * look free and land on one node. Resources the node does not have are left out.
 */
export function allocations(
  pod: Pod,
  nodeInfo: NodeInfo,
  resources: readonly ResourceSpec[],
  useRequested: boolean,
): Allocation[] {
  const podReq = podRequests(pod, { nonZero: !useRequested });
  const nodeReq = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  const out: Allocation[] = [];
  for (const resource of resources) {
    const allocatable = nodeInfo.allocatable[resource.name] ?? 0;
    if (allocatable === 0) continue;
    out.push({
      resource,
      allocatable,
      requested: (nodeReq[resource.name] ?? 0) + (podReq[resource.name] ?? 0),
    });
  }
  return out;
}
