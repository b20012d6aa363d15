/** rbac.authorization.k8s.io/v1: roles grant verbs on resources; bindings grant roles to subjects. */
import type { z } from 'zod';
import { LabelSelector, objectFields } from '../meta.ts';
import { always, apiPackage, listOf, optional, required, str, strings } from '../schema.ts';

const rbac = apiPackage('io.k8s.api.rbac.v1');

export const PolicyRule = rbac.struct('PolicyRule', 'Verbs allowed on some resources or non-resource URLs.', {
  verbs: required(strings, 'Verbs allowed, e.g. get, list, watch; * for all.'),
  apiGroups: optional(strings, 'API groups of the resources; "" is the core group, * all.'),
  resources: optional(strings, 'Resources, e.g. pods or pods/log; * for all.'),
  resourceNames: optional(strings, 'Only objects with these names.'),
  nonResourceURLs: optional(strings, 'URL paths such as /healthz, for cluster roles only.'),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export const Role = rbac.kind(
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' },
  'Permissions within one namespace.',
  {
    ...objectFields('Standard object metadata.'),
    rules: optional(listOf(PolicyRule), 'What the role allows.'),
  },
);
export type Role = z.infer<typeof Role>;

export const AggregationRule = rbac.struct(
  'AggregationRule',
  'Builds a cluster role from other cluster roles.',
  {
    clusterRoleSelectors: optional(listOf(LabelSelector), 'Cluster roles whose rules are merged in.'),
  },
);

export const ClusterRole = rbac.kind(
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' },
  'Permissions across the cluster, or a reusable set of namespaced permissions.',
  {
    ...objectFields('Standard object metadata.'),
    rules: optional(listOf(PolicyRule), 'What the role allows.'),
    aggregationRule: optional(
      AggregationRule,
      'When set, the controller manager fills rules from other roles.',
    ),
  },
);
export type ClusterRole = z.infer<typeof ClusterRole>;

export const Subject = rbac.struct('Subject', 'Who a binding grants the role to.', {
  kind: required(str, 'User, Group or ServiceAccount.'),
  apiGroup: optional(str, 'rbac.authorization.k8s.io for users and groups, "" for service accounts.'),
  name: required(str, 'Name of the subject.'),
  namespace: optional(str, 'Namespace of a service account.'),
});
export type Subject = z.infer<typeof Subject>;

export const RoleRef = rbac.struct('RoleRef', 'The role a binding grants.', {
  apiGroup: optional(str, 'rbac.authorization.k8s.io.'),
  kind: required(str, 'Role or ClusterRole.'),
  name: required(str, 'Name of the role.'),
});
export type RoleRef = z.infer<typeof RoleRef>;

const bindingFields = {
  ...objectFields('Standard object metadata.'),
  subjects: optional(listOf(Subject), 'Who gets the role.'),
  roleRef: always(RoleRef, 'The role granted; cannot change.'),
};

export const RoleBinding = rbac.kind(
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
  'Grants a role (or a cluster role) within one namespace.',
  bindingFields,
);
export type RoleBinding = z.infer<typeof RoleBinding>;

export const ClusterRoleBinding = rbac.kind(
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' },
  'Grants a cluster role across the whole cluster.',
  bindingFields,
);
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBinding>;
