/**
 * The lab's Ingress controller, installed the way ingress-nginx's manifests install it: the
 * `orch-lab` IngressClass (the default class), and in the ingress-nginx namespace a ServiceAccount
 * with its ClusterRole, the controller Deployment, and the ingress-nginx-controller Service of type
 * LoadBalancer, whose external IP (from the lab's load balancer) is the one address, port 80, where
 * the host reaches every Ingress.
 */
import type { KubeObject } from '../api/meta.ts';
import {
  clusterRoleBindings,
  clusterRoles,
  deployments,
  ingressClasses,
  namespaces,
  type ResourceType,
  serviceAccounts,
  services,
} from '../api/resources.ts';
import type { RestClient } from '../client/rest-client.ts';
import { createMissing } from './addon.ts';

export const INGRESS_CLASS = 'orch-lab';
export const INGRESS_NAMESPACE = 'ingress-nginx';
export const INGRESS_SERVICE = 'ingress-nginx-controller';
export const INGRESS_CONTROLLER_IMAGE = 'ingress-controller:v1';
const NAME = 'ingress-nginx';
const LABELS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };

export async function installIngressController(options: { client: RestClient }): Promise<void> {
  const object = (type: ResourceType, body: Record<string, unknown>) => ({
    type,
    object: body as unknown as KubeObject,
  });
  const meta = (name: string) => ({ name, namespace: INGRESS_NAMESPACE, labels: LABELS });
  await createMissing(options.client, [
    object(namespaces as ResourceType, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: INGRESS_NAMESPACE },
    }),
    object(ingressClasses as ResourceType, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: {
        name: INGRESS_CLASS,
        labels: LABELS,
        annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
      },
      spec: { controller: 'orch-lab.dev/ingress-controller' },
    }),
    object(clusterRoles as ResourceType, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: [''], resources: ['services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['networking.k8s.io'],
          resources: ['ingresses', 'ingressclasses'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      ],
    }),
    object(clusterRoleBindings as ResourceType, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: INGRESS_NAMESPACE }],
    }),
    object(serviceAccounts as ResourceType, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(NAME),
    }),
    object(services as ResourceType, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(INGRESS_SERVICE),
      spec: {
        type: 'LoadBalancer',
        selector: LABELS,
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', appProtocol: 'http' }],
      },
    }),
    object(deployments as ResourceType, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(INGRESS_SERVICE),
      spec: {
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            containers: [
              {
                name: 'controller',
                image: INGRESS_CONTROLLER_IMAGE,
                args: [
                  `--ingress-class=${INGRESS_CLASS}`,
                  `--publish-service=${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`,
                ],
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/healthz', port: 10254 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    }),
  ]);
}
