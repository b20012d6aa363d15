/** Plain Node and Pod objects for plugin tests: only the fields the scheduler reads. */
import type { Node } from '../../api/core/node.ts';
import type { Pod } from '../../api/core/pod.ts';
import { NodeInfo } from '../framework/node-info.ts';

export function makeNode(
  name: string,
  options: {
    allocatable?: Record<string, string>;
    labels?: Record<string, string>;
    spec?: Partial<Node['spec']>;
  } = {},
): Node {
  return {
    metadata: { name, labels: options.labels ?? {} },
    spec: { ...options.spec },
    status: { allocatable: options.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' } },
  } as unknown as Node;
}

export function makePod(
  name: string,
  requests: Record<string, string> = {},
  spec: Partial<Pod['spec']> = {},
): Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'app', resources: { requests } }], ...spec },
    status: {},
  } as unknown as Pod;
}

export function nodeInfo(node: Node, ...pods: Pod[]): NodeInfo {
  const info = new NodeInfo(node);
  for (const p of pods) info.addPod(p);
  return info;
}
