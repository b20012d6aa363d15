import { describe, expect, it } from 'vitest';
import { serviceAccountConvertor } from './serviceaccount.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-04-01T12:00:00Z',
});

describe('service account printer', () => {
  it('counts the secrets the account lists, 0 on a current cluster', () => {
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata('default') };
    expect(serviceAccountConvertor.cells(account, now)).toEqual(['default', 0, '30d']);
    const legacy = { ...account, secrets: [{ name: 'default-token-x7k2p' }] };
    expect(serviceAccountConvertor.cells(legacy, now)[1]).toBe(1);
  });
});
