import { describe, expect, it } from 'vitest';
import { decodeAs, resources } from '../../api/resources.ts';
import { defaultConvertor } from '../tables/default.ts';
import { builtinRegistry } from './index.ts';
import { registrationProblems } from './registration.ts';

/** The least each kind needs to decode: its required fields. */
const minimal: Readonly<Record<string, object>> = {
  pods: { spec: { containers: [{ name: 'app' }] } },
  replicasets: { spec: { selector: {}, template: { spec: { containers: [{ name: 'app' }] } } } },
  deployments: { spec: { selector: {}, template: { spec: { containers: [{ name: 'app' }] } } } },
  jobs: { spec: { template: { spec: { containers: [{ name: 'app' }] } } } },
  endpointslices: { addressType: 'IPv4', endpoints: [] },
  rolebindings: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
  clusterrolebindings: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' } },
};

describe('the built-in registry', () => {
  it('registers every resource of the API once, in discovery order', () => {
    expect(builtinRegistry.map((r) => r.resource)).toEqual(resources);
  });

  it('fits what the API says about each resource: subresources, status, storage', () => {
    expect(builtinRegistry.flatMap(registrationProblems)).toEqual([]);
  });

  it('gives the resources with a printer of their own in Kubernetes theirs, the rest the default', () => {
    const own = builtinRegistry.filter((r) => r.printer).map((r) => r.resource.plural);
    expect(own.sort()).toEqual([
      'clusterrolebindings',
      'configmaps',
      'deployments',
      'endpoints',
      'endpointslices',
      'events',
      'ingressclasses',
      'ingresses',
      'jobs',
      'leases',
      'namespaces',
      'nodes',
      'pods',
      'replicasets',
      'replicationcontrollers',
      'rolebindings',
      'secrets',
      'serviceaccounts',
      'services',
    ]);
  });

  it('gives every printer one cell per column, and one NAME column', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    for (const { resource, printer = defaultConvertor } of builtinRegistry) {
      if (resource.storagePrefix === undefined) continue;
      const body = {
        metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' },
        ...minimal[resource.plural],
      };
      const decoded = decodeAs(resource, body, 'Strict');
      if (!decoded.ok) throw new Error(`${resource.plural}: ${JSON.stringify(decoded)}`);
      expect(printer.cells(decoded.object, now), resource.plural).toHaveLength(printer.columns.length);
      expect(
        printer.columns.filter((c) => c.format === 'name'),
        resource.plural,
      ).toHaveLength(1);
    }
  });

  it('refuses a registration that does not serve what the API lists', () => {
    const [pods] = builtinRegistry;
    expect(registrationProblems({ resource: pods!.resource, strategy: pods!.strategy })).toEqual([
      'pods.core: no handler for binding',
      'pods.core: no handler for eviction',
      'pods.core: no handler for log',
      'pods.core: no handler for exec',
      'pods.core: no handler for attach',
      'pods.core: no handler for portforward',
    ]);
  });
});
