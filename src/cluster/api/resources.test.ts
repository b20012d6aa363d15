import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openAPIComponents } from './openapi.ts';
import {
  decodeAs,
  deleteOptionsKind,
  deployments,
  evictionKind,
  findKind,
  findResource,
  namespaces,
  pods,
  resources,
  scaleKind,
} from './resources.ts';

describe('the catalog', () => {
  it('names resources as kube-apiserver v1.32 discovery does', () => {
    const facts = Object.fromEntries(
      resources.map((r) => [r.plural, [r.shortNames.join(','), r.categories.join(','), r.namespaced]]),
    );
    expect(facts).toEqual({
      pods: ['po', 'all', true],
      nodes: ['no', '', false],
      namespaces: ['ns', '', false],
      services: ['svc', 'all', true],
      endpoints: ['ep', '', true],
      events: ['ev', '', true],
      configmaps: ['cm', '', true],
      secrets: ['', '', true],
      serviceaccounts: ['sa', '', true],
      replicationcontrollers: ['rc', 'all', true],
      bindings: ['', '', true],
      replicasets: ['rs', 'all', true],
      deployments: ['deploy', 'all', true],
      jobs: ['', 'all', true],
      leases: ['', '', true],
      endpointslices: ['', '', true],
      ingresses: ['ing', '', true],
      ingressclasses: ['', '', false],
      roles: ['', '', true],
      clusterroles: ['', '', false],
      rolebindings: ['', '', true],
      clusterrolebindings: ['', '', false],
      selfsubjectaccessreviews: ['', '', false],
      selfsubjectrulesreviews: ['', '', false],
      selfsubjectreviews: ['', '', false],
    });
  });

  it('lists subresources with their kinds', () => {
    expect(pods.subresources.map((s) => `${s.name}:${s.group ?? ''}/${s.kind}`)).toEqual([
      'status:/Pod',
      'binding:/Binding',
      'eviction:policy/Eviction',
      'log:/Pod',
      'exec:/PodExecOptions',
      'attach:/PodAttachOptions',
      'portforward:/PodPortForwardOptions',
    ]);
    expect(deployments.subresources.find((s) => s.name === 'scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    expect(namespaces.verbs).not.toContain('deletecollection');
  });

  it('finds resources by URL names and by kind', () => {
    expect(findResource('apps', 'v1', 'deployments')).toBe(deployments);
    expect(findResource('', 'v1', 'deployments')).toBeUndefined();
    expect(findKind('', 'Pod')).toBe(pods);
    expect(findResource('', 'v1', 'nodes')?.storagePrefix).toBe('minions');
  });
});

describe('JSON Schema', () => {
  const kinds = [...resources, scaleKind, evictionKind, deleteOptionsKind];

  it.each(kinds.map((k) => [k.kind, k] as const))('%s converts in both directions', (_, kind) => {
    expect(z.toJSONSchema(kind.schema)).toHaveProperty('$ref');
    expect(z.toJSONSchema(kind.schema, { io: 'input', target: 'openapi-3.0' })).toHaveProperty('definitions');
  });

  it('gives OpenAPI components with Kubernetes names, GVK extensions and int-or-string', () => {
    const components = openAPIComponents(kinds);
    expect(components['io.k8s.api.core.v1.Pod']).toMatchObject({
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Pod' }],
      properties: { spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }] } },
    });
    expect(components['io.k8s.api.core.v1.PodSpec']?.required).toEqual(['containers']);
    expect(components['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({
      'x-kubernetes-int-or-string': true,
    });
    expect(components['io.k8s.api.core.v1.Container']?.properties?.image).toHaveProperty('description');
  });

  it('describes every field', () => {
    const undescribed: string[] = [];
    for (const [name, schema] of Object.entries(openAPIComponents(kinds))) {
      for (const [field, prop] of Object.entries(schema.properties ?? {})) {
        if (typeof prop === 'object' && !prop.description) undescribed.push(`${name}.${field}`);
      }
    }
    expect(undescribed).toEqual([]);
  });
});

describe('scale bodies', () => {
  it('validates Scale bodies', () => {
    const scale = decodeAs(
      scaleKind,
      { metadata: { name: 'x', namespace: 'd' }, spec: { replicas: -1 } },
      'Strict',
    );
    expect(scale.ok && scaleKind.validate(scale.object)).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: -1: must be greater than or equal to 0',
        badValue: -1,
      },
    ]);
  });
});

describe('request bodies that are not objects of a resource', () => {
  it('decodes delete options as kubectl sends them', () => {
    const opts = decodeAs(
      deleteOptionsKind,
      { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      'Strict',
    );
    expect(opts).toMatchObject({ ok: true, object: { propagationPolicy: 'Background' } });
  });

  it('decodes evictions', () => {
    const eviction = decodeAs(
      evictionKind,
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web', namespace: 'default' },
        deleteOptions: { gracePeriodSeconds: 0 },
      },
      'Strict',
    );
    expect(eviction.ok && evictionKind.validate(eviction.object)).toEqual([]);
  });
});
