/**
 * Cluster DNS as kubeadm installs it: the coredns Deployment in kube-system behind the kube-dns
 * Service, at the tenth address of the service range (10.96.0.10 in a default cluster), with the
 * system:coredns ClusterRole to read Services and EndpointSlices. Kubelets read the kube-dns
 * Service's address to write each pod's resolv.conf.
 */

import { ServiceCIDR } from '../allocator/ipallocator.ts';
import type { KubeObject } from '../api/meta.ts';
import {
  clusterRoleBindings,
  clusterRoles,
  deployments,
  type ResourceType,
  serviceAccounts,
  services,
} from '../api/resources.ts';
import type { RestClient } from '../client/rest-client.ts';
import { createMissing } from './addon.ts';

export const COREDNS_IMAGE = 'coredns:1.11.3';
const NAMESPACE = 'kube-system';
const LABELS = { 'k8s-app': 'kube-dns' };

/** kube-dns's address: the tenth of the service range, as kubeadm picks it. */
export const clusterDNSIP = (serviceCIDR: string) => new ServiceCIDR(serviceCIDR).ipAt(9);

export async function installClusterDNS(options: {
  client: RestClient;
  serviceCIDR: string;
  replicas?: number;
}): Promise<void> {
  const object = (type: ResourceType, body: Record<string, unknown>) => ({
    type,
    object: body as unknown as KubeObject,
  });
  await createMissing(options.client, [
    object(clusterRoles as ResourceType, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['endpoints', 'services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    }),
    object(clusterRoleBindings as ResourceType, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: NAMESPACE }],
    }),
    object(serviceAccounts as ResourceType, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'coredns', namespace: NAMESPACE },
    }),
    object(services as ResourceType, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: NAMESPACE,
        labels: { ...LABELS, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        selector: LABELS,
        clusterIP: clusterDNSIP(options.serviceCIDR),
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    }),
    object(deployments as ResourceType, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: NAMESPACE, labels: LABELS },
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: LABELS },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: 'coredns',
            // CoreDNS itself resolves through the node's resolver, not through itself.
            dnsPolicy: 'Default',
            priorityClassName: 'system-cluster-critical',
            containers: [
              {
                name: 'coredns',
                image: COREDNS_IMAGE,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                livenessProbe: {
                  httpGet: { path: '/health', port: 8080 },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                },
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    }),
  ]);
}
