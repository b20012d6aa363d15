import { describe, expect, it } from 'vitest';
import { secretConvertor } from './secret.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-04-01T12:00:00Z',
});

describe('secret printer', () => {
  it('prints the type and how many keys it holds', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata('web-tls'),
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' },
    };
    expect(secretConvertor.cells(secret, now)).toEqual(['web-tls', 'kubernetes.io/tls', 2, '30d']);
  });
});
