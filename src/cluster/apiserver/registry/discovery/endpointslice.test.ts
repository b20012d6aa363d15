import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EndpointSlice } from '../../../api/discovery/endpoint-slice.ts';
import { endpointSliceConvertor } from './endpointslice.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T10:00:00Z',
});

describe('endpoint slice printer', () => {
  const slice = (changes: Partial<z.input<typeof EndpointSlice>>) =>
    EndpointSlice.parse({
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
