/**
 * roles: RBAC rules within a namespace, stored as sent (a PUT of a missing one creates it, as
 * `kubectl auth reconcile` expects). Kubernetes gives roles no printer: NAME and CREATED AT.
 */
import type { Role } from '../../../api/rbac/rbac.ts';
import { roles as resource } from '../../../api/rbac/register.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

export const roles: ResourceRegistration<Role> = { resource, strategy: asSentCreateOnUpdate };
