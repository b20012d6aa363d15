/**
 * Every resource the API server serves, one registry module each, in the order discovery lists
 * them (kube-apiserver's: core first, then the named groups). Adding a kind is adding its module
 * here; see "Adding a kind" in ARCHITECTURE.md.
 */
import { deployments } from './apps/deployment.ts';
import { replicaSets } from './apps/replicaset.ts';
import { selfSubjectReviews } from './authentication/selfsubjectreview.ts';
import { selfSubjectAccessReviews } from './authorization/selfsubjectaccessreview.ts';
import { selfSubjectRulesReviews } from './authorization/selfsubjectrulesreview.ts';
import { jobs } from './batch/job.ts';
import { leases } from './coordination/lease.ts';
import { bindings } from './core/binding.ts';
import { configMaps } from './core/configmap.ts';
import { endpoints } from './core/endpoints.ts';
import { events } from './core/event.ts';
import { namespaces } from './core/namespace.ts';
import { nodes } from './core/node.ts';
import { pods } from './core/pod/index.ts';
import { replicationControllers } from './core/replicationcontroller.ts';
import { secrets } from './core/secret.ts';
import { services } from './core/service/index.ts';
import { serviceAccounts } from './core/serviceaccount.ts';
import { endpointSlices } from './discovery/endpointslice.ts';
import { ingresses } from './networking/ingress.ts';
import { ingressClasses } from './networking/ingressclass.ts';
import { clusterRoles } from './rbac/clusterrole.ts';
import { clusterRoleBindings } from './rbac/clusterrolebinding.ts';
import { roles } from './rbac/role.ts';
import { roleBindings } from './rbac/rolebinding.ts';
import type { ResourceRegistration } from './registration.ts';

export const builtinRegistry: readonly ResourceRegistration[] = [
  pods,
  nodes,
  namespaces,
  services,
  endpoints,
  events,
  configMaps,
  secrets,
  serviceAccounts,
  replicationControllers,
  bindings,
  replicaSets,
  deployments,
  jobs,
  leases,
  endpointSlices,
  ingresses,
  ingressClasses,
  roles,
  clusterRoles,
  roleBindings,
  clusterRoleBindings,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  selfSubjectReviews,
];
