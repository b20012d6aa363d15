import { describe, expect, it } from 'vitest';
import { configMapConvertor, secretConvertor, serviceAccountConvertor } from './config.ts';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = (name: string) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-04-01T12:00:00Z',
});

describe('config map printer', () => {
  it('counts data and binaryData keys together', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('app-config'),
      data: { 'app.properties': 'mode=lab\n', LOG_LEVEL: 'debug' },
      binaryData: { 'logo.png': 'iVBORw0KGgo=' },
    };
    expect(configMapConvertor.cells(configMap, now)).toEqual(['app-config', 3, '30d']);
  });

  it('prints 0 for an empty config map', () => {
    expect(configMapConvertor.cells({ metadata: metadata('kube-root-ca.crt') }, now)[1]).toBe(0);
  });
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

describe('service account printer', () => {
  it('counts the secrets the account lists, 0 on a current cluster', () => {
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata('default') };
    expect(serviceAccountConvertor.cells(account, now)).toEqual(['default', 0, '30d']);
    const legacy = { ...account, secrets: [{ name: 'default-token-x7k2p' }] };
    expect(serviceAccountConvertor.cells(legacy, now)[1]).toBe(1);
  });
});
