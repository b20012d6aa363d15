/**
 * The root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher): every namespace has
 * a ConfigMap kube-root-ca.crt holding the cluster CA as ca.crt, which the projected volume of every
 * pod's service-account token mounts so a client in the pod can check the API server.
 */
import type { ConfigMap } from '../api/core/config.ts';
import { configMaps } from '../api/resources.ts';
import type { PerNamespaceObject } from './per-namespace.ts';

export const RootCACertConfigMapName = 'kube-root-ca.crt';

export const rootCACertConfigMap = (caCertificate: string): PerNamespaceObject<ConfigMap> => ({
  type: configMaps,
  name: RootCACertConfigMapName,
  desired: (namespace) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: RootCACertConfigMapName,
      namespace,
      annotations: { 'kubernetes.io/description': DESCRIPTION },
    },
    data: { 'ca.crt': caCertificate },
  }),
  content: (cm) => cm.data,
});

const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
