import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../authn.ts';
import { type Attributes, forbiddenStatus } from './attributes.ts';

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const resource = (fields: Partial<Attributes>): Attributes => ({
  user: alice,
  verb: 'get',
  isResourceRequest: true,
  path: '/',
  apiGroup: '',
  apiVersion: 'v1',
  ...fields,
});

describe('forbiddenStatus', () => {
  it.each([
    [
      'a namespaced list',
      resource({ verb: 'list', resource: 'pods', namespace: 'default' }),
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
    ],
    [
      'a cluster-scoped list',
      resource({ verb: 'list', resource: 'nodes' }),
      'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope',
    ],
    [
      'a named object',
      resource({ resource: 'pods', namespace: 'default', name: 'web' }),
      'pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"',
    ],
    [
      'a subresource',
      resource({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web' }),
      'pods "web" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    ],
    [
      'a named group',
      resource({
        verb: 'patch',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'prod',
        name: 'api',
      }),
      'deployments.apps "api" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "prod"',
    ],
    [
      'a list across all namespaces',
      resource({ verb: 'list', apiGroup: 'apps', resource: 'replicasets' }),
      'replicasets.apps is forbidden: User "alice" cannot list resource "replicasets" in API group "apps" at the cluster scope',
    ],
    [
      'a plain path',
      { user: alice, verb: 'get', isResourceRequest: false, path: '/foo' },
      'forbidden: User "alice" cannot get path "/foo"',
    ],
    [
      'an anonymous request',
      {
        user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
        verb: 'get',
        isResourceRequest: false,
        path: '/',
      },
      'forbidden: User "system:anonymous" cannot get path "/"',
    ],
  ])('words %s as Kubernetes does', (_, attributes, message) => {
    expect(forbiddenStatus(attributes).message).toBe(message);
  });

  it('is a complete 403 Status naming the resource in its details', () => {
    expect(
      forbiddenStatus(resource({ apiGroup: 'apps', resource: 'deployments', namespace: 'd', name: 'web' })),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "d"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
    expect(
      forbiddenStatus({ user: alice, verb: 'get', isResourceRequest: false, path: '/x' }).details,
    ).toEqual({});
  });

  it("appends the authorizer's reason after a colon", () => {
    const status = forbiddenStatus(
      resource({ verb: 'list', resource: 'pods', namespace: 'default' }),
      'RBAC: role.rbac.authorization.k8s.io "reader" not found',
    );
    expect(status.message).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "reader" not found',
    );
  });
});
