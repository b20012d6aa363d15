import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { IngressClass } from '../../../api/networking/ingress.ts';
import { ingressClassConvertor } from './ingressclass.ts';

const now = new Date('2024-05-01T12:00:00Z');

describe('ingress class printer', () => {
  const ingressClass = (spec: z.input<typeof IngressClass>['spec']) =>
    IngressClass.parse({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx', creationTimestamp: '2024-04-30T12:00:00Z' },
      spec,
    });

  it('prints the controller and <none> without parameters', () => {
    expect(ingressClassConvertor.cells(ingressClass({ controller: 'k8s.io/ingress-nginx' }), now)).toEqual([
      'nginx',
      'k8s.io/ingress-nginx',
      '<none>',
      '24h',
    ]);
  });

  it('prints parameters as Kind.group/name, or Kind/name in the core group', () => {
    const withGroup = ingressClass({
      controller: 'example.com/lb',
      parameters: { apiGroup: 'lb.example.com', kind: 'LoadBalancerConfig', name: 'default' },
    });
    expect(ingressClassConvertor.cells(withGroup, now)[2]).toBe('LoadBalancerConfig.lb.example.com/default');
    const core = ingressClass({
      controller: 'example.com/lb',
      parameters: { kind: 'ConfigMap', name: 'lb-config' },
    });
    expect(ingressClassConvertor.cells(core, now)[2]).toBe('ConfigMap/lb-config');
  });
});
