import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/pod.ts';
import type { Service } from '../api/core/service.ts';
import { ThreadSafeStore } from '../client/thread-safe-store.ts';
import { ServiceNetwork } from './service-network.ts';

const svc = (namespace: string, name: string, clusterIP: string, ports: Service['spec']['ports']): Service =>
  ({ metadata: { namespace, name }, spec: { clusterIP, ports }, status: {} }) as Service;

function network(...services: Service[]): ServiceNetwork {
  const store = new ThreadSafeStore<Service>();
  for (const s of services) store.add(`${s.metadata.namespace}/${s.metadata.name}`, s);
  return new ServiceNetwork({ store } as never);
}

const pod = (spec: Partial<Pod['spec']> = {}): Pod =>
  ({ metadata: { namespace: 'shop', name: 'p' }, spec: { containers: [], ...spec } }) as Pod;

describe('ServiceNetwork', () => {
  const services = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('kube-system', 'kube-dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    svc('shop', 'web-front', '10.96.0.20', [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ];

  it('gives the Services of the pod namespace and the kubernetes Service as environment variables', () => {
    const env = Object.fromEntries(network(...services).environment(pod()));
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      WEB_FRONT_SERVICE_HOST: '10.96.0.20',
      WEB_FRONT_SERVICE_PORT: '80',
      WEB_FRONT_SERVICE_PORT_METRICS: '9090',
      WEB_FRONT_PORT: 'tcp://10.96.0.20:80',
      WEB_FRONT_PORT_9090_TCP_ADDR: '10.96.0.20',
    });
    expect(Object.keys(env).some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE'))).toBe(false);
    const noLinks = Object.keys(
      Object.fromEntries(network(...services).environment(pod({ enableServiceLinks: false }))),
    );
    expect(noLinks.every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
  });

  it('writes the cluster resolv.conf for ClusterFirst pods, none without cluster DNS or with Default', () => {
    expect(network(...services).resolvConf(pod())).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    expect(
      network(...services.filter((s) => s.metadata.name !== 'kube-dns')).resolvConf(pod()),
    ).toBeUndefined();
    expect(network(...services).resolvConf(pod({ dnsPolicy: 'Default' }))).toBeUndefined();
    expect(
      network(...services).resolvConf(
        pod({
          dnsPolicy: 'None',
          dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
        }),
      ),
    ).toBe('nameserver 1.1.1.1\noptions ndots:2\n');
  });
});
