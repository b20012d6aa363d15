import type { Container, ObjectFieldSelector, ResourceFieldSelector } from '../api/core/container.ts';
import type { Pod } from '../api/core/pod.ts';
import { milliValue, parseQuantity, value } from '../api/quantity.ts';

/** The node facts the downward API can hand a pod. */
export interface DownwardContext {
  readonly nodeIP: string;
  readonly podIP: string;
  /** The node's allocatable cpu and memory: a container without a limit sees these as its limits. */
  readonly allocatable: { readonly cpu: string; readonly memory: string };
}

/** One label or annotation per line, key="value", sorted, as the downward API volume writes them. */
const formatMap = (map: Readonly<Record<string, string>> | undefined) =>
  Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n');

/** fieldpath.ExtractFieldPathAsString plus the status fields the kubelet fills in itself. */
export function podFieldValue(pod: Pod, selector: ObjectFieldSelector, context: DownwardContext): string {
  const path = selector.fieldPath;
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (subscript) {
    const map = subscript[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[subscript[2]!] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return context.nodeIP;
    case 'status.podIP':
    case 'status.podIPs':
      return context.podIP;
    default:
      throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/**
 * resource.ExtractContainerResourceValue: a request or limit in units of the divisor, rounded up
 * (limits.cpu with divisor 1 of a 250m container is "1"). A missing limit is the node's allocatable.
 */
export function containerResourceValue(
  selector: ResourceFieldSelector,
  container: Container,
  context: DownwardContext,
): string {
  const [kind, name] = selector.resource.split('.') as ['limits' | 'requests', string];
  const list = container.resources?.[kind];
  const fallback =
    kind === 'limits'
      ? context.allocatable[name as 'cpu' | 'memory']
      : list?.[name] === undefined
        ? '0'
        : undefined;
  const amount = parseQuantity(list?.[name] ?? fallback ?? '0');
  const divisor = parseQuantity(selector.divisor ?? '1');
  if (name === 'cpu') return String(Math.ceil(milliValue(amount) / Math.max(1, milliValue(divisor))));
  return String(Math.ceil(value(amount) / Math.max(1, value(divisor))));
}
