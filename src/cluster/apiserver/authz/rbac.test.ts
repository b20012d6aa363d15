import { describe, expect, it } from 'vitest';
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  Subject,
} from '../../api/rbac/rbac.ts';
import type { UserInfo } from '../authn.ts';
import type { Attributes } from './attributes.ts';
import { RBACAuthorizer, staticRbacSource } from './rbac.ts';

const RBAC = 'rbac.authorization.k8s.io';
const clusterRole = (name: string, rules: PolicyRule[]): ClusterRole => ({ metadata: { name }, rules });
const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({
  metadata: { name, namespace },
  rules,
});
const clusterBinding = (
  name: string,
  roleName: string,
  subjects: Subject[],
  kind = 'ClusterRole',
): ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects,
});
const binding = (
  namespace: string,
  name: string,
  kind: string,
  roleName: string,
  subjects: Subject[],
): RoleBinding => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects,
});
const userSubject = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
const groupSubject = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });

const policy = staticRbacSource({
  clusterRoles: [
    clusterRole('pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]),
    clusterRole('node-reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] }]),
    clusterRole('scaler', [{ verbs: ['get', 'update'], apiGroups: ['*'], resources: ['*/scale'] }]),
    clusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/healthz/*', '/metrics'] }]),
    clusterRole('everything-in-apps', [{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }]),
    clusterRole('empty', []),
  ],
  roles: [
    role('dev', 'deployer', [
      { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments', 'replicasets'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      {
        verbs: ['get', 'list', 'update'],
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['web-config'],
      },
    ]),
    // Same name in another namespace: must never leak into dev.
    role('prod', 'deployer', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ],
  clusterRoleBindings: [
    clusterBinding('ops-nodes', 'node-reader', [groupSubject('ops')]),
    clusterBinding('robots-scale', 'scaler', [
      { kind: 'ServiceAccount', name: 'builder', namespace: 'tools' },
    ]),
    clusterBinding('probes', 'health', [groupSubject('system:authenticated')]),
    // A ServiceAccount subject without a namespace in a ClusterRoleBinding matches nobody.
    clusterBinding('sloppy', 'everything-in-apps', [{ kind: 'ServiceAccount', name: 'builder' }]),
    clusterBinding('ghost', 'gone', [userSubject('bob')]),
    clusterBinding('odd', 'x', [userSubject('bob')], 'Other'),
    clusterBinding('nobody', 'everything-in-apps', []),
  ],
  roleBindings: [
    binding('dev', 'alice-reads-pods', 'ClusterRole', 'pod-reader', [userSubject('alice')]),
    binding('dev', 'devs-deploy', 'Role', 'deployer', [groupSubject('dev')]),
    binding('dev', 'ci-deploys', 'Role', 'deployer', [{ kind: 'ServiceAccount', name: 'ci' }]),
    binding('dev', 'missing-role', 'Role', 'missing', [userSubject('bob')]),
    binding('dev', 'empty', 'ClusterRole', 'empty', [userSubject('carol')]),
  ],
});

const authorizer = new RBACAuthorizer(policy);

const users = {
  alice: { username: 'alice', groups: ['system:authenticated'] },
  dana: { username: 'dana', groups: ['dev', 'system:authenticated'] },
  olga: { username: 'olga', groups: ['ops', 'system:authenticated'] },
  bob: { username: 'bob', groups: ['system:authenticated'] },
  carol: { username: 'carol', groups: [] },
  admin: { username: 'orch-lab-admin', groups: ['system:masters', 'system:authenticated'] },
  ci: {
    username: 'system:serviceaccount:dev:ci',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:dev'],
  },
  ciElsewhere: { username: 'system:serviceaccount:prod:ci', groups: ['system:serviceaccounts'] },
  builder: { username: 'system:serviceaccount:tools:builder', groups: ['system:serviceaccounts'] },
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
} satisfies Record<string, UserInfo>;

interface Request {
  verb: string;
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

function attributes(user: UserInfo, request: Request): Attributes {
  const isResourceRequest = request.resource !== undefined;
  return {
    user,
    verb: request.verb,
    isResourceRequest,
    path: request.path ?? '/',
    apiGroup: request.apiGroup ?? '',
    resource: request.resource ?? '',
    subresource: request.subresource ?? '',
    namespace: request.namespace ?? '',
    name: request.name ?? '',
  };
}

describe('RBACAuthorizer decisions', () => {
  const table: [string, UserInfo, Request, 'Allow' | 'NoOpinion'][] = [
    // A ClusterRole bound by a RoleBinding applies in that namespace only.
    [
      'RoleBinding to a ClusterRole, its namespace',
      users.alice,
      { verb: 'list', resource: 'pods', namespace: 'dev' },
      'Allow',
    ],
    [
      'RoleBinding to a ClusterRole, other namespace',
      users.alice,
      { verb: 'list', resource: 'pods', namespace: 'prod' },
      'NoOpinion',
    ],
    [
      'RoleBinding to a ClusterRole, all namespaces',
      users.alice,
      { verb: 'list', resource: 'pods' },
      'NoOpinion',
    ],
    [
      'verb outside the rule',
      users.alice,
      { verb: 'delete', resource: 'pods', namespace: 'dev', name: 'web' },
      'NoOpinion',
    ],
    [
      'same resource name in another group',
      users.alice,
      { verb: 'get', apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'dev' },
      'NoOpinion',
    ],
    // Subresources are resources of their own.
    [
      'subresource not covered by its resource',
      users.alice,
      { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'dev', name: 'web' },
      'NoOpinion',
    ],
    [
      'subresource granted by name',
      users.dana,
      { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'dev', name: 'web' },
      'Allow',
    ],
    [
      'resource not covered by its subresource',
      users.dana,
      { verb: 'get', resource: 'pods', namespace: 'dev', name: 'web' },
      'NoOpinion',
    ],
    // Group subjects and verb wildcards.
    [
      'group subject, wildcard verb',
      users.dana,
      { verb: 'deletecollection', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' },
      'Allow',
    ],
    [
      'wildcard verb, resource not listed',
      users.dana,
      { verb: 'get', apiGroup: 'apps', resource: 'statefulsets', namespace: 'dev' },
      'NoOpinion',
    ],
    [
      'a Role of another namespace with the same name',
      users.dana,
      { verb: 'get', resource: 'secrets', namespace: 'dev' },
      'NoOpinion',
    ],
    // resourceNames.
    [
      'resourceNames, the named object',
      users.dana,
      { verb: 'update', resource: 'configmaps', namespace: 'dev', name: 'web-config' },
      'Allow',
    ],
    [
      'resourceNames, another object',
      users.dana,
      { verb: 'get', resource: 'configmaps', namespace: 'dev', name: 'db-config' },
      'NoOpinion',
    ],
    [
      'resourceNames never allow a list',
      users.dana,
      { verb: 'list', resource: 'configmaps', namespace: 'dev' },
      'NoOpinion',
    ],
    // ClusterRoleBindings apply everywhere.
    ['ClusterRoleBinding, cluster-scoped resource', users.olga, { verb: 'list', resource: 'nodes' }, 'Allow'],
    [
      'ClusterRoleBinding, inside a namespace too',
      users.olga,
      { verb: 'get', resource: 'nodes', namespace: 'dev', name: 'node-1' },
      'Allow',
    ],
    // ServiceAccount subjects.
    [
      'ServiceAccount subject defaults to the binding namespace',
      users.ci,
      { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' },
      'Allow',
    ],
    [
      'same service account name in another namespace',
      users.ciElsewhere,
      { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' },
      'NoOpinion',
    ],
    [
      'ServiceAccount subject in a ClusterRoleBinding',
      users.builder,
      {
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'x',
        name: 'web',
      },
      'Allow',
    ],
    [
      '"*/scale" covers any resource\'s scale',
      users.builder,
      { verb: 'get', resource: 'replicationcontrollers', subresource: 'scale', namespace: 'x', name: 'rc' },
      'Allow',
    ],
    [
      '"*/scale" does not cover the resource',
      users.builder,
      { verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace: 'x', name: 'web' },
      'NoOpinion',
    ],
    [
      '"*/scale" does not cover other subresources',
      users.builder,
      { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'x' },
      'NoOpinion',
    ],
    [
      'namespace-less ServiceAccount in a ClusterRoleBinding',
      users.builder,
      { verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace: 'tools' },
      'NoOpinion',
    ],
    // Non-resource URLs.
    ['nonResourceURL, exact', users.alice, { verb: 'get', path: '/healthz' }, 'Allow'],
    ['nonResourceURL, prefix with *', users.alice, { verb: 'get', path: '/healthz/etcd' }, 'Allow'],
    [
      'nonResourceURL, prefix does not cover a sibling',
      users.alice,
      { verb: 'get', path: '/healthzz' },
      'NoOpinion',
    ],
    [
      'nonResourceURL, exact does not cover below',
      users.alice,
      { verb: 'get', path: '/metrics/slis' },
      'NoOpinion',
    ],
    ['nonResourceURL, verb', users.alice, { verb: 'post', path: '/healthz' }, 'NoOpinion'],
    [
      'nonResourceURL, not for the unauthenticated',
      users.anonymous,
      { verb: 'get', path: '/healthz' },
      'NoOpinion',
    ],
    ['resource rules never match a path', users.dana, { verb: 'get', path: '/apis/apps/v1' }, 'NoOpinion'],
    // Empty and broken policy.
    [
      'a binding without subjects',
      users.carol,
      { verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' },
      'NoOpinion',
    ],
    ['a role without rules', users.carol, { verb: 'get', resource: 'pods', namespace: 'dev' }, 'NoOpinion'],
    // system:masters.
    [
      'system:masters, anything at all',
      users.admin,
      { verb: 'escalate', apiGroup: RBAC, resource: 'clusterroles' },
      'Allow',
    ],
    ['system:masters, any path', users.admin, { verb: 'delete', path: '/anything' }, 'Allow'],
  ];

  it.each(table)('%s', (_, user, request, expected) => {
    expect(authorizer.authorize(attributes(user, request)).decision).toBe(expected);
  });
});

describe('RBACAuthorizer reasons', () => {
  it('names the binding that allowed a request, in Kubernetes words', () => {
    const reason = (user: UserInfo, request: Request) =>
      authorizer.authorize(attributes(user, request)).reason;
    expect(reason(users.alice, { verb: 'get', resource: 'pods', namespace: 'dev' })).toBe(
      'RBAC: allowed by RoleBinding "alice-reads-pods/dev" of ClusterRole "pod-reader" to User "alice"',
    );
    expect(reason(users.olga, { verb: 'list', resource: 'nodes' })).toBe(
      'RBAC: allowed by ClusterRoleBinding "ops-nodes" of ClusterRole "node-reader" to Group "ops"',
    );
    expect(
      reason(users.ci, { verb: 'get', apiGroup: 'apps', resource: 'replicasets', namespace: 'dev' }),
    ).toBe('RBAC: allowed by RoleBinding "ci-deploys/dev" of Role "deployer" to ServiceAccount "ci/dev"');
    expect(reason(users.builder, { verb: 'get', resource: 'x', subresource: 'scale', namespace: 'a' })).toBe(
      'RBAC: allowed by ClusterRoleBinding "robots-scale" of ClusterRole "scaler" to ServiceAccount "builder/tools"',
    );
  });

  it('says nothing when no binding applies', () => {
    expect(
      authorizer.authorize(attributes(users.alice, { verb: 'list', resource: 'secrets', namespace: 'dev' })),
    ).toEqual({
      decision: 'NoOpinion',
      reason: '',
    });
  });

  it('lists the roles it could not find, cluster bindings first, each once', () => {
    expect(
      authorizer.authorize(attributes(users.bob, { verb: 'get', resource: 'pods', namespace: 'dev' })),
    ).toEqual({
      decision: 'NoOpinion',
      reason:
        'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, unsupported role reference kind: "Other", role.rbac.authorization.k8s.io "missing" not found]',
    });
    expect(authorizer.authorize(attributes(users.bob, { verb: 'get', resource: 'nodes' })).reason).toBe(
      'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, unsupported role reference kind: "Other"]',
    );
    const single = new RBACAuthorizer(
      staticRbacSource({
        clusterRoleBindings: [
          clusterBinding('a', 'gone', [userSubject('bob')]),
          clusterBinding('b', 'gone', [userSubject('bob')]),
        ],
      }),
    );
    expect(single.authorize(attributes(users.bob, { verb: 'get', path: '/' })).reason).toBe(
      'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    );
  });

  it('still allows through another binding when one role is missing', () => {
    const source = staticRbacSource({
      clusterRoles: [clusterRole('pod-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])],
      clusterRoleBindings: [
        clusterBinding('broken', 'gone', [userSubject('bob')]),
        clusterBinding('works', 'pod-reader', [userSubject('bob')]),
      ],
    });
    const decision = new RBACAuthorizer(source).authorize(
      attributes(users.bob, { verb: 'get', resource: 'pods', namespace: 'a' }),
    );
    expect(decision.decision).toBe('Allow');
  });

  it('looks at RoleBindings only for requests inside a namespace', () => {
    const asked: string[] = [];
    const source = {
      ...staticRbacSource({}),
      listRoleBindings: (namespace: string) => {
        asked.push(namespace);
        return [];
      },
    };
    const spied = new RBACAuthorizer(source);
    spied.authorize(attributes(users.alice, { verb: 'list', resource: 'nodes' }));
    spied.authorize(attributes(users.alice, { verb: 'get', path: '/healthz' }));
    expect(asked).toEqual([]);
    spied.authorize(attributes(users.alice, { verb: 'list', resource: 'pods', namespace: 'dev' }));
    expect(asked).toEqual(['dev']);
  });

  it('reads the source on every request, so a new binding counts at once', () => {
    const bindings: ClusterRoleBinding[] = [];
    const source = {
      ...staticRbacSource({
        clusterRoles: [
          clusterRole('node-reader', [{ verbs: ['list'], apiGroups: [''], resources: ['nodes'] }]),
        ],
      }),
      listClusterRoleBindings: () => bindings,
    };
    const live = new RBACAuthorizer(source);
    const request = attributes(users.alice, { verb: 'list', resource: 'nodes' });
    expect(live.authorize(request).decision).toBe('NoOpinion');
    bindings.push(clusterBinding('alice-nodes', 'node-reader', [userSubject('alice')]));
    expect(live.authorize(request).decision).toBe('Allow');
  });
});
