import { describe, expect, it } from 'vitest';
import type { PolicyRule, RoleBinding } from '../../api/rbac/rbac.ts';
import type { UserInfo } from '../authn.ts';
import type { Attributes } from './attributes.ts';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.ts';
import { RBACAuthorizer, staticRbacSource } from './rbac.ts';

const roles = bootstrapClusterRoles();
const bindings = bootstrapClusterRoleBindings();

/** The bootstrap policy plus RoleBindings that give three learners admin, edit and view in "dev". */
const learnerBindings: RoleBinding[] = ['admin', 'edit', 'view'].map((name) => ({
  metadata: { name: `${name}s`, namespace: 'dev' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
  subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `${name}-user` }],
}));
const authorizer = new RBACAuthorizer(
  staticRbacSource({ clusterRoles: roles, clusterRoleBindings: bindings, roleBindings: learnerBindings }),
);

const authenticated = (username: string, ...groups: string[]): UserInfo => ({
  username,
  groups: [...groups, 'system:authenticated'],
});
const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const nodeUser = authenticated('system:node:node-1', 'system:nodes');
const scheduler = authenticated('system:kube-scheduler');
const controllerManager = authenticated('system:kube-controller-manager');
const kubeProxy = authenticated('system:kube-proxy');
const controller = (name: string): UserInfo => ({
  username: `system:serviceaccount:kube-system:${name}`,
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
});

const path = (user: UserInfo, verb: string, url: string): Attributes => ({
  user,
  verb,
  isResourceRequest: false,
  path: url,
});
const resource = (user: UserInfo, verb: string, what: string, namespace = '', apiGroup = ''): Attributes => {
  const [name, subresource = ''] = what.split('/');
  return { user, verb, isResourceRequest: true, path: '', apiGroup, resource: name, subresource, namespace };
};

describe('bootstrap policy', () => {
  it('labels every object as Kubernetes does, and binds only roles that exist', () => {
    const names = new Set(roles.map((r) => r.metadata.name));
    for (const object of [...roles, ...bindings]) {
      expect(object.metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults' });
      expect(object.metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
    }
    for (const binding of bindings) expect(names).toContain(binding.roleRef.name);
    for (const name of [
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:node',
      'system:node-proxier',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:controller:replicaset-controller',
      'system:controller:deployment-controller',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('hands out fresh objects, so a caller may change them', () => {
    const first = bootstrapClusterRoles();
    (first[0]!.rules as PolicyRule[]).push({ verbs: ['tampered'] });
    expect(bootstrapClusterRoles()).toEqual(roles);
  });

  it.each<[string, Attributes, 'Allow' | 'NoOpinion']>([
    // Anyone, even without credentials, may ask whether the server is up and which version it runs.
    ['anonymous: /healthz', path(anonymous, 'get', '/healthz'), 'Allow'],
    ['anonymous: /version', path(anonymous, 'get', '/version'), 'Allow'],
    ['anonymous: not discovery', path(anonymous, 'get', '/api'), 'NoOpinion'],
    ['anonymous: no resources', resource(anonymous, 'list', 'pods', 'default'), 'NoOpinion'],
    // Every authenticated user may discover the API and review its own access.
    ['user: discovery', path(authenticated('alice'), 'get', '/apis/apps/v1'), 'Allow'],
    ['user: openapi', path(authenticated('alice'), 'get', '/openapi/v3'), 'Allow'],
    [
      'user: can-i',
      resource(authenticated('alice'), 'create', 'selfsubjectaccessreviews', '', 'authorization.k8s.io'),
      'Allow',
    ],
    [
      'user: whoami',
      resource(authenticated('alice'), 'create', 'selfsubjectreviews', '', 'authentication.k8s.io'),
      'Allow',
    ],
    ['user: nothing else', resource(authenticated('alice'), 'list', 'pods', 'default'), 'NoOpinion'],
    // view < edit < admin, inside the namespace they were granted.
    ['view: pods', resource(authenticated('view-user'), 'list', 'pods', 'dev'), 'Allow'],
    ['view: logs', resource(authenticated('view-user'), 'get', 'pods/log', 'dev'), 'Allow'],
    [
      'view: deployments',
      resource(authenticated('view-user'), 'watch', 'deployments', 'dev', 'apps'),
      'Allow',
    ],
    ['view: no secrets', resource(authenticated('view-user'), 'get', 'secrets', 'dev'), 'NoOpinion'],
    ['view: no writes', resource(authenticated('view-user'), 'delete', 'pods', 'dev'), 'NoOpinion'],
    [
      'view: only its namespace',
      resource(authenticated('view-user'), 'list', 'pods', 'default'),
      'NoOpinion',
    ],
    ['edit: secrets', resource(authenticated('edit-user'), 'get', 'secrets', 'dev'), 'Allow'],
    [
      'edit: scale',
      resource(authenticated('edit-user'), 'patch', 'deployments/scale', 'dev', 'apps'),
      'Allow',
    ],
    ['edit: exec', resource(authenticated('edit-user'), 'create', 'pods/exec', 'dev'), 'Allow'],
    [
      'edit: no RBAC',
      resource(authenticated('edit-user'), 'create', 'rolebindings', 'dev', 'rbac.authorization.k8s.io'),
      'NoOpinion',
    ],
    [
      'admin: RBAC',
      resource(authenticated('admin-user'), 'create', 'rolebindings', 'dev', 'rbac.authorization.k8s.io'),
      'Allow',
    ],
    ['admin: not nodes', resource(authenticated('admin-user'), 'list', 'nodes'), 'NoOpinion'],
    ['masters: everything', resource(authenticated('root', 'system:masters'), 'delete', 'nodes'), 'Allow'],
    // Components.
    ['kubelet: registers its node', resource(nodeUser, 'create', 'nodes'), 'Allow'],
    ['kubelet: reports node status', resource(nodeUser, 'patch', 'nodes/status'), 'Allow'],
    [
      'kubelet: heartbeats',
      resource(nodeUser, 'update', 'leases', 'kube-node-lease', 'coordination.k8s.io'),
      'Allow',
    ],
    ['kubelet: reports pod status', resource(nodeUser, 'patch', 'pods/status', 'default'), 'Allow'],
    [
      'kubelet: cannot delete deployments',
      resource(nodeUser, 'delete', 'deployments', 'default', 'apps'),
      'NoOpinion',
    ],
    ['scheduler: binds pods', resource(scheduler, 'create', 'pods/binding', 'default'), 'Allow'],
    ['scheduler: watches nodes', resource(scheduler, 'watch', 'nodes'), 'Allow'],
    ['scheduler: cannot create pods', resource(scheduler, 'create', 'pods', 'default'), 'NoOpinion'],
    [
      'controller-manager: lists anything',
      resource(controllerManager, 'list', 'replicasets', '', 'apps'),
      'Allow',
    ],
    [
      'controller-manager: writes through its controllers',
      resource(controllerManager, 'create', 'pods', 'default'),
      'NoOpinion',
    ],
    [
      'kube-proxy: watches endpoint slices',
      resource(kubeProxy, 'watch', 'endpointslices', '', 'discovery.k8s.io'),
      'Allow',
    ],
    [
      'replicaset controller: creates pods',
      resource(controller('replicaset-controller'), 'create', 'pods', 'default'),
      'Allow',
    ],
    [
      'deployment controller: creates replicasets',
      resource(controller('deployment-controller'), 'create', 'replicasets', 'default', 'apps'),
      'Allow',
    ],
    [
      'node controller: evicts pods',
      resource(controller('node-controller'), 'delete', 'pods', 'default'),
      'Allow',
    ],
    [
      'garbage collector: deletes anything',
      resource(controller('generic-garbage-collector'), 'delete', 'configmaps', 'default'),
      'Allow',
    ],
    [
      'a controller stays in its lane',
      resource(controller('replicaset-controller'), 'create', 'deployments', 'default', 'apps'),
      'NoOpinion',
    ],
  ])('%s', (_, attributes, expected) => {
    expect(authorizer.authorize(attributes).decision).toBe(expected);
  });
});
