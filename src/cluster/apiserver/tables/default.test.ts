import { describe, expect, it } from 'vitest';
import { defaultConvertor } from './default.ts';

describe('default convertor', () => {
  it('prints NAME and CREATED AT as an RFC 3339 timestamp in UTC', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader', namespace: 'default', creationTimestamp: '2024-05-01T12:30:00+02:00' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    };
    expect(defaultConvertor.cells(role, new Date())).toEqual(['pod-reader', '2024-05-01T10:30:00Z']);
    expect(defaultConvertor.columns.map((c) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
  });

  it("prints Go's zero time for an object without a creation time", () => {
    expect(defaultConvertor.cells({ metadata: { name: 'x' } }, new Date())).toEqual([
      'x',
      '0001-01-01T00:00:00Z',
    ]);
  });
});
