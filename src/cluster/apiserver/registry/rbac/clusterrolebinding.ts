/** clusterrolebindings: who gets a cluster role's rules everywhere; stored as sent. */
import type { ClusterRoleBinding } from '../../../api/rbac/rbac.ts';
import { clusterRoleBindings as resource } from '../../../api/rbac/register.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';
import { bindingConvertor } from './rolebinding.ts';

export const clusterRoleBindingConvertor = bindingConvertor<ClusterRoleBinding>('cluster role binding');

export const clusterRoleBindings: ResourceRegistration<ClusterRoleBinding> = {
  resource,
  strategy: asSentCreateOnUpdate,
  printer: clusterRoleBindingConvertor,
};
