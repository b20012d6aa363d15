import { describe, expect, it } from 'vitest';
import { eventConvertor } from './events.ts';
import { defaultConvertor, tableConvertorFor, tableConvertors } from './index.ts';
import { podConvertor } from './pods.ts';
import { deploymentConvertor } from './workloads.ts';

describe('tableConvertorFor', () => {
  it('finds the printer of a built-in resource in its group', () => {
    expect(tableConvertorFor('', 'pods')).toBe(podConvertor);
    expect(tableConvertorFor('apps', 'deployments')).toBe(deploymentConvertor);
    expect(tableConvertorFor('', 'events')).toBe(eventConvertor);
    expect(tableConvertorFor('events.k8s.io', 'events')).toBe(eventConvertor);
  });

  it('gives roles, unknown resources and look-alike custom resources the default convertor', () => {
    expect(tableConvertorFor('rbac.authorization.k8s.io', 'roles')).toBe(defaultConvertor);
    expect(tableConvertorFor('example.com', 'widgets')).toBe(defaultConvertor);
    expect(tableConvertorFor('example.com', 'pods')).toBe(defaultConvertor);
  });
});

describe('tableConvertors', () => {
  it('lists every built-in resource by plural name', () => {
    expect([...tableConvertors.keys()].sort()).toEqual([
      'clusterrolebindings',
      'clusterroles',
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
      'roles',
      'secrets',
      'serviceaccounts',
      'services',
    ]);
  });

  it('gives every convertor one cell per column', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    for (const [resource, convertor] of tableConvertors) {
      const cells = convertor.cells(
        { metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' } },
        now,
      );
      expect(cells, resource).toHaveLength(convertor.columns.length);
      expect(
        convertor.columns.filter((c) => c.format === 'name'),
        resource,
      ).toHaveLength(1);
    }
  });
});
