/** The rbac.authorization.k8s.io/v1 resources. */
import { metadataOnly } from '../fields.ts';
import { createOrUpdate, defineResource, updateOf } from '../resource-type.ts';
import { defaultRoleBinding, rbacGroup as group } from './defaults.ts';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac.ts';
import {
  validateClusterRole,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from './validation.ts';

export const roles = defineResource<Role>({
  group,
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
  storagePrefix: 'roles',
  schema: Role,
  validate: updateOf(validateRole),
  fields: metadataOnly(true),
});

export const clusterRoles = defineResource<ClusterRole>({
  group,
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  storagePrefix: 'clusterroles',
  schema: ClusterRole,
  validate: updateOf(validateClusterRole),
  fields: metadataOnly(false),
});

export const roleBindings = defineResource<RoleBinding>({
  group,
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
  storagePrefix: 'rolebindings',
  schema: RoleBinding,
  defaults: defaultRoleBinding,
  validate: createOrUpdate(validateRoleBinding, validateRoleBindingUpdate),
  fields: metadataOnly(true),
});

export const clusterRoleBindings = defineResource<ClusterRoleBinding>({
  group,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  storagePrefix: 'clusterrolebindings',
  schema: ClusterRoleBinding,
  defaults: defaultRoleBinding,
  validate: createOrUpdate(validateClusterRoleBinding, validateClusterRoleBindingUpdate),
  fields: metadataOnly(false),
});

export const rbacResources = [roles, clusterRoles, roleBindings, clusterRoleBindings] as const;
