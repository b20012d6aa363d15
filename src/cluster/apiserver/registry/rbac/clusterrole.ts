/** clusterroles: RBAC rules cluster-wide; like roles, stored as sent and printed by the default table. */
import type { ClusterRole } from '../../../api/rbac/rbac.ts';
import { clusterRoles as resource } from '../../../api/rbac/register.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

export const clusterRoles: ResourceRegistration<ClusterRole> = { resource, strategy: asSentCreateOnUpdate };
