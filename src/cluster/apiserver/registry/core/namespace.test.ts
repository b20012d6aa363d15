import { describe, expect, it } from 'vitest';
import { namespaceConvertor } from './namespace.ts';

const now = new Date('2024-05-01T12:00:00Z');

describe('namespace printer', () => {
  it('prints the phase as STATUS', () => {
    const active = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kube-system', creationTimestamp: '2024-04-28T12:00:00Z' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    expect(namespaceConvertor.cells(active, now)).toEqual(['kube-system', 'Active', '3d']);
    const leaving = {
      ...active,
      metadata: { ...active.metadata, name: 'shop' },
      status: { phase: 'Terminating' },
    };
    expect(namespaceConvertor.cells(leaving, now)[1]).toBe('Terminating');
  });
});
