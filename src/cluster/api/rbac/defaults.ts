/** Defaulting for rbac.authorization.k8s.io/v1: role references and user or group subjects name the RBAC group. */
import type { ClusterRoleBinding, RoleBinding, Subject } from './rbac.ts';

export const rbacGroup = 'rbac.authorization.k8s.io';

function defaultSubject(subject: Subject): void {
  if (!subject.apiGroup && (subject.kind === 'User' || subject.kind === 'Group'))
    subject.apiGroup = rbacGroup;
}

export function defaultRoleBinding(binding: RoleBinding | ClusterRoleBinding): void {
  binding.roleRef.apiGroup ||= rbacGroup;
  for (const s of binding.subjects ?? []) defaultSubject(s);
}
