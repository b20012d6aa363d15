import { configMapConvertor, secretConvertor, serviceAccountConvertor } from './config.ts';
import { defaultConvertor } from './default.ts';
import { eventConvertor } from './events.ts';
import { ingressClassConvertor, ingressConvertor } from './ingresses.ts';
import { leaseConvertor } from './leases.ts';
import { namespaceConvertor } from './namespaces.ts';
import { nodeConvertor } from './nodes.ts';
import { podConvertor } from './pods.ts';
import { clusterRoleBindingConvertor, roleBindingConvertor } from './rbac.ts';
import { endpointSliceConvertor, endpointsConvertor, serviceConvertor } from './services.ts';
import type { TableConvertor } from './types.ts';
import {
  deploymentConvertor,
  jobConvertor,
  replicaSetConvertor,
  replicationControllerConvertor,
} from './workloads.ts';

export { defaultConvertor } from './default.ts';
export type { IncludeObject, ListMeta, Table, TableConvertor, TableObject, TableOptions } from './types.ts';
export { parseIncludeObject, toTable } from './types.ts';

/** A built-in printer and the API groups whose resource of that name it prints. */
interface Printer {
  readonly groups: readonly string[];
  readonly convertor: TableConvertor;
}

const RBAC = 'rbac.authorization.k8s.io';

/**
 * printers maps a resource's plural name to its printer, like the handlers kube-apiserver's
 * printers register per type. Roles and cluster roles are listed with the default convertor
 * because Kubernetes gives them no printer of their own.
 */
const printers: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['pods', { groups: [''], convertor: podConvertor }],
  ['nodes', { groups: [''], convertor: nodeConvertor }],
  ['namespaces', { groups: [''], convertor: namespaceConvertor }],
  ['services', { groups: [''], convertor: serviceConvertor }],
  ['endpoints', { groups: [''], convertor: endpointsConvertor }],
  ['events', { groups: ['', 'events.k8s.io'], convertor: eventConvertor }],
  ['configmaps', { groups: [''], convertor: configMapConvertor }],
  ['secrets', { groups: [''], convertor: secretConvertor }],
  ['serviceaccounts', { groups: [''], convertor: serviceAccountConvertor }],
  ['replicationcontrollers', { groups: [''], convertor: replicationControllerConvertor }],
  ['replicasets', { groups: ['apps'], convertor: replicaSetConvertor }],
  ['deployments', { groups: ['apps'], convertor: deploymentConvertor }],
  ['jobs', { groups: ['batch'], convertor: jobConvertor }],
  ['leases', { groups: ['coordination.k8s.io'], convertor: leaseConvertor }],
  ['endpointslices', { groups: ['discovery.k8s.io'], convertor: endpointSliceConvertor }],
  ['ingresses', { groups: ['networking.k8s.io'], convertor: ingressConvertor }],
  ['ingressclasses', { groups: ['networking.k8s.io'], convertor: ingressClassConvertor }],
  ['roles', { groups: [RBAC], convertor: defaultConvertor }],
  ['clusterroles', { groups: [RBAC], convertor: defaultConvertor }],
  ['rolebindings', { groups: [RBAC], convertor: roleBindingConvertor }],
  ['clusterrolebindings', { groups: [RBAC], convertor: clusterRoleBindingConvertor }],
]);

/** tableConvertors: each built-in resource's plural name and its convertor. */
export const tableConvertors: ReadonlyMap<string, TableConvertor> = new Map(
  [...printers].map(([resource, printer]) => [resource, printer.convertor]),
);

/**
 * tableConvertorFor picks the convertor for a resource of an API group ("" for core). The group
 * matters because a custom resource may share a plural with a built-in one (a CRD's
 * "services.example.com" is no Service); anything without a printer gets the default one.
 */
export function tableConvertorFor(group: string, resource: string): TableConvertor {
  const printer = printers.get(resource);
  return printer?.groups.includes(group) ? printer.convertor : defaultConvertor;
}
