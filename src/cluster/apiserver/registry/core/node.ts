/**
 * nodes: registered by kubelets with their status; afterwards status changes only through
 * nodes/status, which the kubelet writes every heartbeat.
 */
import type { Node } from '../../../api/core/node.ts';
import { nodes as resource } from '../../../api/core/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn, wideColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import type { Strategy } from '../strategy.ts';

/** Nodes may set their status on create (the kubelet registers with it); afterwards only through node/status. */
const nodeStrategy: Strategy<Node> = {
  prepareForCreate() {},
  prepareForUpdate(node, old) {
    node.status = structuredClone(old.status);
  },
  prepareForStatusUpdate(node, old) {
    node.spec = structuredClone(old.spec);
  },
};

/** Labels that give a node a role: node-role.kubernetes.io/<role>, or the older kubernetes.io/role=<role>. */
const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/**
 * nodeStatus is STATUS: "Ready" or "NotReady" from the Ready condition (the last one listed wins,
 * as in printNode's condition map), "Unknown" with no Ready condition at all, and
 * ",SchedulingDisabled" added for a cordoned node: "Ready,SchedulingDisabled".
 */
export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).findLast((c) => c.type === 'Ready');
  const status = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** nodeRoles is ROLES: every role the labels name, sorted and without repeats, or "<none>". */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(NODE_ROLE_PREFIX) && key.length > NODE_ROLE_PREFIX.length) {
      roles.add(key.slice(NODE_ROLE_PREFIX.length));
    } else if (key === NODE_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

/** The node's first address of a type (InternalIP, ExternalIP), or "<none>". */
function nodeAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

function unknownIfEmpty(value: string | undefined): string {
  return value ? value : '<unknown>';
}

/** The node printer: `kubectl get nodes`. */
export const nodeConvertor: TableConvertor<Node> = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Whether the node is ready, and whether it accepts new pods.'),
    column('Roles', 'string', 'The roles named by node-role.kubernetes.io labels.'),
    ageColumn,
    column('Version', 'string', 'The kubelet version the node reports.'),
    wideColumn('Internal-IP', 'string', "The node's first internal IP address."),
    wideColumn('External-IP', 'string', "The node's first external IP address."),
    wideColumn('OS-Image', 'string', 'The operating system image the node reports.'),
    wideColumn('Kernel-Version', 'string', 'The kernel version the node reports.'),
    wideColumn('Container-Runtime', 'string', 'The container runtime and its version.'),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo;
    return [
      nameCell(node),
      nodeStatus(node),
      nodeRoles(node),
      ageCell(node, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      unknownIfEmpty(info?.osImage),
      unknownIfEmpty(info?.kernelVersion),
      unknownIfEmpty(info?.containerRuntimeVersion),
    ];
  },
};

export const nodes: ResourceRegistration<Node> = {
  resource,
  strategy: nodeStrategy,
  printer: nodeConvertor,
};
