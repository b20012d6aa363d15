import type { Node } from '../cluster/api/core/node.ts';
import type { Pod } from '../cluster/api/core/pod.ts';
import { milliValue, parseQuantity } from '../cluster/api/quantity.ts';
import type { ColorName } from './context.ts';

/** The colour a pod's status is drawn in. */
export function statusColor(status: string): ColorName {
  if (status === 'Running' || status === 'Ready' || status === 'Completed') return 'ok';
  if (status === 'Pending' || status.startsWith('Init:') || status === 'Unknown') return 'warn';
  if (status === 'ContainerCreating' || status === 'PodInitializing') return 'info';
  if (status === 'Terminating') return 'terminating';
  return 'error';
}

/** Requested against allocatable, in millicores and bytes. */
export interface NodeUsage {
  readonly cpu: { readonly requested: number; readonly allocatable: number };
  readonly memory: { readonly requested: number; readonly allocatable: number };
}

const milli = (q: string | number | undefined) => (q === undefined ? 0 : milliValue(parseQuantity(q)));

/**
 * What the pods bound to a node request, as the scheduler's NodeResourcesFit counts it: the sum of
 * the app containers' requests, or the largest init container's when that is bigger. Finished
 * pods hold nothing.
 */
export function nodeUsage(node: Node, pods: readonly Pod[]): NodeUsage {
  let cpu = 0;
  let memory = 0;
  for (const pod of pods) {
    if (pod.spec?.nodeName !== node.metadata?.name) continue;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const sum = (name: 'cpu' | 'memory', containers: readonly { resources?: { requests?: object } }[] = []) =>
      containers.map((c) => milli((c.resources?.requests as Record<string, string> | undefined)?.[name]));
    const request = (name: 'cpu' | 'memory') =>
      Math.max(
        sum(name, pod.spec?.containers).reduce((a, b) => a + b, 0),
        ...sum(name, pod.spec?.initContainers),
      );
    cpu += request('cpu');
    memory += request('memory');
  }
  const allocatable = (node.status?.allocatable ?? {}) as Record<string, string>;
  return {
    cpu: { requested: cpu, allocatable: milli(allocatable.cpu) },
    memory: { requested: memory / 1000, allocatable: milli(allocatable.memory) / 1000 },
  };
}
