import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Service } from '../../../../api/core/service.ts';
import { serviceConvertor } from './printer.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T10:00:00Z',
});

describe('service printer', () => {
  type Input = z.input<typeof Service>;
  const service = (name: string, spec: Input['spec'], status?: Input['status']) =>
    Service.parse({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(name),
      spec,
      ...(status ? { status } : {}),
    });

  it('prints the kubernetes service', () => {
    const kubernetes = service('kubernetes', {
      type: 'ClusterIP',
      clusterIPs: ['10.96.0.1'],
      ports: [{ port: 443, protocol: 'TCP' }],
    });
    expect(serviceConvertor.cells(kubernetes, now)).toEqual([
      'kubernetes',
      'ClusterIP',
      '10.96.0.1',
      '<none>',
      '443/TCP',
      '120m',
      '<none>',
    ]);
  });

  it('prints node ports and the selector', () => {
    const web = service('web', {
      type: 'NodePort',
      clusterIPs: ['10.96.12.7'],
      selector: { tier: 'front', app: 'web' },
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 443, nodePort: 30443, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    expect(serviceConvertor.cells(web, now)).toEqual([
      'web',
      'NodePort',
      '10.96.12.7',
      '<none>',
      '80:30080/TCP,443:30443/TCP,53/UDP',
      '120m',
      'app=web,tier=front',
    ]);
  });

  it('prints <pending> for a load balancer without an address yet', () => {
    const lb = service('shop', {
      type: 'LoadBalancer',
      clusterIPs: ['10.96.40.2'],
      ports: [{ port: 80, nodePort: 31234, protocol: 'TCP' }],
    });
    expect(serviceConvertor.cells(lb, now).slice(1, 5)).toEqual([
      'LoadBalancer',
      '10.96.40.2',
      '<pending>',
      '80:31234/TCP',
    ]);
  });

  it('prints a load balancer address, sorted and unique, followed by external IPs', () => {
    const lb = service(
      'shop',
      { type: 'LoadBalancer', clusterIPs: ['10.96.40.2'], externalIPs: ['198.51.100.7'] },
      {
        loadBalancer: {
          ingress: [
            { ip: '203.0.113.9' },
            { hostname: 'shop.example.com' },
            { ip: '203.0.113.10' },
            { ip: '203.0.113.9' },
          ],
        },
      },
    );
    expect(serviceConvertor.cells(lb, now)[3]).toBe('203.0.113.10,203.0.113.9,shop.example.com,198.51.100.7');
  });

  it('prints a headless service and an ExternalName service', () => {
    const headless = service('db', {
      type: 'ClusterIP',
      clusterIPs: ['None'],
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
    expect(serviceConvertor.cells(headless, now).slice(1, 5)).toEqual([
      'ClusterIP',
      'None',
      '<none>',
      '5432/TCP',
    ]);
    const alias = service('search', { type: 'ExternalName', externalName: 'search.example.com' });
    expect(serviceConvertor.cells(alias, now).slice(1, 5)).toEqual([
      'ExternalName',
      '<none>',
      'search.example.com',
      '<none>',
    ]);
  });

  it('prints external IPs of a ClusterIP service', () => {
    const web = service('web', {
      type: 'ClusterIP',
      clusterIPs: ['10.96.0.20'],
      externalIPs: ['192.0.2.1', '192.0.2.2'],
    });
    expect(serviceConvertor.cells(web, now)[3]).toBe('192.0.2.1,192.0.2.2');
  });
});
