import type { Node } from '../cluster/api/core/node.ts';
import type { Pod } from '../cluster/api/core/pod.ts';
import { nodeStatus } from '../cluster/apiserver/registry/core/node.ts';
import { podStatusReason } from '../cluster/apiserver/registry/core/pod/printer.ts';
import type { MapPod } from './NodeBox.tsx';
import { type NodeUsage, nodeUsage } from './pod-state.ts';

/** The cluster map's content: nodes with their pods, the tray, and the pods in the order ↑/↓ walk. */
export interface ClusterModel {
  readonly nodes: readonly { node: Node; status: string; usage: NodeUsage; pods: MapPod[] }[];
  readonly tray: readonly MapPod[];
  /** Every pod shown, in drawing order: each node's, then the tray's. */
  readonly order: readonly MapPod[];
}

const podKey = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
const byName = (a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }) =>
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** Builds the map from the informers' caches; `filter` keeps pods whose name contains it. */
export function clusterModel(nodes: readonly Node[], pods: readonly Pod[], filter = ''): ClusterModel {
  const mapPod = (pod: Pod): MapPod => ({
    key: podKey(pod),
    name: pod.metadata?.namespace === 'default' ? (pod.metadata?.name ?? '') : podKey(pod),
    status: podStatusReason(pod),
  });
  const shown = [...pods].sort(byName).filter((p) => (p.metadata?.name ?? '').includes(filter));
  const known = new Set(nodes.map((n) => n.metadata?.name));
  const nodeModels = [...nodes].sort(byName).map((node) => ({
    node,
    status: nodeStatus(node),
    usage: nodeUsage(node, pods),
    pods: shown.filter((p) => p.spec?.nodeName === node.metadata?.name).map(mapPod),
  }));
  // A pod bound to a node that has no Node object yet waits in the tray too.
  const tray = shown.filter((p) => !p.spec?.nodeName || !known.has(p.spec.nodeName)).map(mapPod);
  return { nodes: nodeModels, tray, order: [...nodeModels.flatMap((n) => n.pods), ...tray] };
}
