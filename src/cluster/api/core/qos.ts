/**
 * Pod quality-of-service classes, computed as Kubernetes' qos.GetPodQOS does (only CPU and
 * memory count):
 *   Guaranteed  every container has CPU and memory limits, and requests equal limits
 *   BestEffort  no container requests or limits anything
 *   Burstable   anything in between
 * The class decides which pods the kubelet evicts first under memory pressure.
 */
import { addQuantities, compareQuantities, parseQuantity, type Quantity } from '../quantity.ts';
import type { Pod } from './pod.ts';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = new Set(['cpu', 'memory']);

/** sumPositive adds up the positive CPU and memory amounts of a resource list into `into`. */
function sumPositive(
  into: Map<string, Quantity>,
  list: Record<string, string | number> | undefined,
): Set<string> {
  const found = new Set<string>();
  for (const [name, amount] of Object.entries(list ?? {})) {
    if (!qosResources.has(name)) continue;
    const q = parseQuantity(amount);
    if (q.nanos <= 0n) continue;
    found.add(name);
    const sum = into.get(name);
    into.set(name, sum ? addQuantities(q, sum) : q);
  }
  return found;
}

export function podQOSClass(pod: Pod): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    sumPositive(requests, c.resources.requests);
    const limited = sumPositive(limits, c.resources.limits);
    if (!limited.has('cpu') || !limited.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || compareQuantities(limit, request) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
