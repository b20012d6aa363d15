import { describe, expect, it } from 'vitest';
import { leaseConvertor } from './lease.ts';

const now = new Date('2024-05-01T12:00:00Z');

describe('lease printer', () => {
  it('prints the holder of a node heartbeat lease', () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-04-28T11:00:00Z' },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T11:59:55.000000Z' },
    };
    expect(leaseConvertor.cells(lease, now)).toEqual(['node-1', 'node-1', '3d1h']);
  });

  it('prints an empty HOLDER for a released lease', () => {
    const released = {
      metadata: { name: 'kube-scheduler', creationTimestamp: '2024-05-01T11:00:00Z' },
      spec: {},
    };
    expect(leaseConvertor.cells(released, now)).toEqual(['kube-scheduler', '', '60m']);
  });
});
