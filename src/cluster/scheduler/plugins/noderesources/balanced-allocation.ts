/**
 * NodeResourcesBalancedAllocation prefers nodes whose CPU and memory would be used in similar
 * fractions after placing the pod, so no node ends up with all its CPU gone and its memory idle.
 *
 *   node 4 CPU / 8Gi, requested after placing 2 CPU / 2Gi: fractions 0.5 and 0.25
 *   two resources: std = |0.5 - 0.25| / 2 = 0.125  ->  score (1 - 0.125) * 100 = 87
 */
import type { Pod } from '../../../api/core/pod.ts';
import { type CycleState, MaxNodeScore, type ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { allocations, defaultResources, type ResourceSpec } from './resource-allocation.ts';

export const Name = 'NodeResourcesBalancedAllocation';

export function balancedResourceScore(fractions: readonly number[]): number {
  const capped = fractions.map((f) => Math.min(f, 1));
  let std = 0;
  if (capped.length === 2) {
    std = Math.abs((capped[0]! - capped[1]!) / 2);
  } else if (capped.length > 2) {
    const mean = capped.reduce((a, b) => a + b, 0) / capped.length;
    std = Math.sqrt(capped.reduce((sum, f) => sum + (f - mean) ** 2, 0) / capped.length);
  }
  return Math.trunc((1 - std) * MaxNodeScore);
}

export class BalancedAllocation implements ScorePlugin {
  readonly name = Name;

  constructor(private readonly resources: readonly ResourceSpec[] = defaultResources) {}

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const fractions = allocations(pod, nodeInfo, this.resources, true).map(
      (a) => a.requested / a.allocatable,
    );
    return balancedResourceScore(fractions);
  }
}
