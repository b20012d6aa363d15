import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Ingress } from '../../../api/networking/ingress.ts';
import { ingressConvertor } from './ingress.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-04-30T12:00:00Z',
});

describe('ingress printer', () => {
  type Input = z.input<typeof Ingress>;
  const ingress = (spec: Input['spec'], status?: Input['status']) =>
    Ingress.parse({
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
