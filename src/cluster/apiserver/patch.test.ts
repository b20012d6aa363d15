import { describe, expect, it } from 'vitest';
import { applyPatch, patchTypeOf } from './patch.ts';

const deployment = {
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'myapp:v1',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'A', value: '1' }],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    },
  },
};

describe('patch', () => {
  it('merges containers by name the way `kubectl set image` sends it', () => {
    const patched = applyPatch('application/strategic-merge-patch+json', deployment, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
            containers: [{ name: 'app', image: 'myapp:v2' }],
          },
        },
      },
    }) as typeof deployment;
    const containers = patched.spec.template.spec.containers;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['app', 'myapp:v2'],
      ['sidecar', 'busybox'],
    ]);
    expect(containers[0]!.ports).toEqual([{ containerPort: 80 }]);
  });

  it('deletes a list element with $patch: delete and a field with null', () => {
    const patched = applyPatch('application/strategic-merge-patch+json', deployment, {
      metadata: { labels: { app: null } },
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    }) as typeof deployment;
    expect(patched.metadata.labels).toEqual({});
    expect(patched.spec.template.spec.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('replaces lists in a merge patch and applies RFC 6902 operations', () => {
    const merged = applyPatch('application/merge-patch+json', deployment, {
      spec: { replicas: 6 },
    }) as typeof deployment;
    expect(merged.spec.replicas).toBe(6);
    const patched = applyPatch('application/json-patch+json', deployment, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    ]) as typeof deployment;
    expect(patched.spec.replicas).toBe(3);
    expect(patched.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(deployment.spec.replicas).toBe(1);
  });

  it('refuses unknown patch media types with 415', () => {
    expect(() => patchTypeOf('text/plain')).toThrow(/unknown format/);
  });
});
