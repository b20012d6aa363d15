import { describe, expect, it } from 'vitest';
import {
  type EndpointSlice,
  type Endpoints,
  endpointSliceConvertor,
  endpointsConvertor,
  type Service,
  serviceConvertor,
} from './services.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T10:00:00Z',
});

describe('service printer', () => {
  const service = (name: string, spec: Service['spec'], status?: Service['status']): Service => ({
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

describe('endpoints printer', () => {
  const endpoints = (subsets: Endpoints['subsets']): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: metadata('web'),
    ...(subsets ? { subsets } : {}),
  });

  it('prints ready addresses with each port', () => {
    const eps = endpoints([
      {
        addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }],
        ports: [{ port: 8080 }],
      },
    ]);
    expect(endpointsConvertor.cells(eps, now)).toEqual(['web', '10.244.1.5:8080,10.244.2.7:8080', '120m']);
  });

  it('shows three and sums up the rest', () => {
    const eps = endpoints([
      {
        addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }, { ip: '10.244.3.2' }],
        ports: [{ port: 80 }, { port: 443 }],
      },
    ]);
    expect(endpointsConvertor.cells(eps, now)[1]).toBe(
      '10.244.1.5:80,10.244.2.7:80,10.244.3.2:80 + 3 more...',
    );
  });

  it('prints <none> without subsets and nothing when only not-ready addresses exist', () => {
    expect(endpointsConvertor.cells(endpoints(undefined), now)[1]).toBe('<none>');
    const notReady = endpoints([{ ports: [{ port: 80 }] }]);
    expect(endpointsConvertor.cells(notReady, now)[1]).toBe('');
  });

  it('prints bare IPs for a subset without ports and brackets IPv6', () => {
    const eps = endpoints([
      { addresses: [{ ip: '10.244.1.5' }] },
      { addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] },
    ]);
    expect(endpointsConvertor.cells(eps, now)[1]).toBe('10.244.1.5,[fd00::5]:80');
  });
});

describe('endpoint slice printer', () => {
  const slice = (changes: Partial<EndpointSlice>): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: metadata('web-7xq2k'),
    addressType: 'IPv4',
    ...changes,
  });

  it('prints ports and endpoint addresses', () => {
    const s = slice({
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.7'] }],
    });
    expect(endpointSliceConvertor.cells(s, now)).toEqual([
      'web-7xq2k',
      'IPv4',
      '8080',
      '10.244.1.5,10.244.2.7',
      '120m',
    ]);
  });

  it('prints <unset> for empty lists and "*" for a port with neither number nor name', () => {
    expect(endpointSliceConvertor.cells(slice({}), now).slice(2, 4)).toEqual(['<unset>', '<unset>']);
    expect(endpointSliceConvertor.cells(slice({ ports: [{}] }), now)[2]).toBe('*');
    expect(endpointSliceConvertor.cells(slice({ ports: [{ name: 'metrics' }] }), now)[2]).toBe('metrics');
  });

  it('shows three entries and sums up the rest', () => {
    const s = slice({
      ports: [{ port: 80 }, { port: 443 }, { port: 8080 }, { port: 9090 }],
      endpoints: [
        { addresses: ['10.244.1.5', '10.244.1.6'] },
        { addresses: ['10.244.2.7'] },
        { addresses: ['10.244.3.8'] },
      ],
    });
    expect(endpointSliceConvertor.cells(s, now).slice(2, 4)).toEqual([
      '80,443,8080 + 1 more...',
      '10.244.1.5,10.244.1.6,10.244.2.7 + 1 more...',
    ]);
  });
});
