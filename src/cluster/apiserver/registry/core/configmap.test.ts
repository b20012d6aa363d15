import { describe, expect, it } from 'vitest';
import { configMapConvertor } from './configmap.ts';

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
