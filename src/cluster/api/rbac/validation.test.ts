import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { clusterRoleBindings, roleBindings, roles } from '../resources.ts';

describe('RBAC', () => {
  it('defaults the API group of role references and users', () => {
    const rb = createAs(roleBindings, {
      metadata: { name: 'read', namespace: 'default' },
      roleRef: { kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'default' },
      ],
    });
    expect(rb.roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
    expect(rb.subjects?.map((s) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', undefined]);
    expect(roleBindings.validate(rb)).toEqual([]);
  });

  it('checks rules', () => {
    const role = createAs(roles, {
      metadata: { name: 'r', namespace: 'default' },
      rules: [{ verbs: [] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    });
    expect(roles.validate(role).map(fieldErrorString)).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it('binds cluster-wide only to cluster roles, and never changes the role', () => {
    const crb = createAs(clusterRoleBindings, {
      metadata: { name: 'b', resourceVersion: '1' },
      roleRef: { kind: 'Role', name: 'r' },
    });
    expect(clusterRoleBindings.validate(crb).map(fieldErrorString)).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    ]);
    const next = structuredClone(crb);
    next.roleRef.name = 'other';
    expect(clusterRoleBindings.validate(next, crb).map(fieldErrorString)).toContain(
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef',
    );
  });
});
