import { describe, expect, it } from 'vitest';
import { type Ingress, type IngressClass, ingressClassConvertor, ingressConvertor } from './ingresses.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-04-30T12:00:00Z',
});

describe('ingress printer', () => {
  const ingress = (spec: Ingress['spec'], status?: Ingress['status']): Ingress => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata('shop'),
    spec,
    ...(status ? { status } : {}),
  });

  it('prints class, hosts, address and the TLS port', () => {
    const shop = ingress(
      {
        ingressClassName: 'nginx',
        rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }],
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      },
      { loadBalancer: { ingress: [{ ip: '172.18.0.100' }] } },
    );
    expect(ingressConvertor.cells(shop, now)).toEqual([
      'shop',
      'nginx',
      'shop.example.com,api.example.com',
      '172.18.0.100',
      '80, 443',
      '24h',
    ]);
  });

  it('prints <none> without a class, "*" without hosts and no address before the controller sets one', () => {
    const bare = ingress({ rules: [{}] });
    expect(ingressConvertor.cells(bare, now)).toEqual(['shop', '<none>', '*', '', '80', '24h']);
  });

  it('sums up hosts after three, counting every remaining rule', () => {
    const many = ingress({
      rules: [
        { host: 'a.example.com' },
        {},
        { host: 'b.example.com' },
        { host: 'c.example.com' },
        { host: 'd.example.com' },
      ],
    });
    expect(ingressConvertor.cells(many, now)[2]).toBe(
      'a.example.com,b.example.com,c.example.com + 2 more...',
    );
  });
});

describe('ingress class printer', () => {
  const ingressClass = (spec: IngressClass['spec']): IngressClass => ({
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
