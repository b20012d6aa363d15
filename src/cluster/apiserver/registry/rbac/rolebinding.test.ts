import { describe, expect, it } from 'vitest';
import type { ClusterRoleBinding } from '../../../api/rbac/rbac.ts';
import { clusterRoleBindingConvertor } from './clusterrolebinding.ts';
import { roleBindingConvertor } from './rolebinding.ts';

const now = new Date('2024-05-01T12:00:00Z');

describe('role binding printers', () => {
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'viewers', namespace: 'shop', creationTimestamp: '2024-05-01T11:00:00Z' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'User', name: 'bob' },
      { kind: 'Group', name: 'shop-devs' },
      { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
    ],
  };

  it('prints ROLE as Kind/name and the subjects with -o wide', () => {
    expect(roleBindingConvertor.cells(binding, now)).toEqual([
      'viewers',
      'ClusterRole/view',
      '60m',
      'alice, bob',
      'shop-devs',
      'ci/builder',
    ]);
  });

  it('prints an empty cell for each kind of subject a binding does not name', () => {
    const admin: ClusterRoleBinding = {
      metadata: { name: 'cluster-admin', creationTimestamp: '2024-04-28T12:00:00Z' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'Group', name: 'system:masters' }],
    };
    expect(clusterRoleBindingConvertor.cells(admin, now)).toEqual([
      'cluster-admin',
      'ClusterRole/cluster-admin',
      '3d',
      '',
      'system:masters',
      '',
    ]);
  });

  it('names the binding kind in the wide column descriptions', () => {
    expect(clusterRoleBindingConvertor.columns.map((c) => c.name)).toEqual([
      'Name',
      'Role',
      'Age',
      'Users',
      'Groups',
      'ServiceAccounts',
    ]);
    expect(clusterRoleBindingConvertor.columns[3]?.description).toContain('cluster role binding');
  });
});
