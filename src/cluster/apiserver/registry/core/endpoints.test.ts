import { describe, expect, it } from 'vitest';
import type { Endpoints } from '../../../api/core/endpoints.ts';
import { endpointsConvertor } from './endpoints.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T10:00:00Z',
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
