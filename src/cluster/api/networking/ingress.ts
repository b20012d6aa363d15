/** networking.k8s.io/v1 Ingress and IngressClass: HTTP routing from outside into services. */
import type { z } from 'zod';
import { TypedLocalObjectReference } from '../core/references.ts';
import { objectFields } from '../meta.ts';
import { always, apiPackage, int32, listOf, optional, required, str, strings } from '../schema.ts';

const networking = apiPackage('io.k8s.api.networking.v1');

export const ServiceBackendPort = networking.struct('ServiceBackendPort', 'A port of the backend service.', {
  name: optional(str, 'Port name; not together with number.'),
  number: optional(int32, 'Port number; not together with name.'),
});

export const IngressServiceBackend = networking.struct(
  'IngressServiceBackend',
  'A service to send traffic to.',
  {
    name: required(str, 'Service name, in the same namespace.'),
    port: optional(ServiceBackendPort, 'Port of the service.'),
  },
);

export const IngressBackend = networking.struct(
  'IngressBackend',
  'Where matching traffic goes: a service or a resource.',
  {
    service: optional(IngressServiceBackend, 'A service.'),
    resource: optional(TypedLocalObjectReference, 'Another object, such as a storage bucket.'),
  },
);

export const IngressTLS = networking.struct('IngressTLS', 'TLS for some hosts.', {
  hosts: optional(strings, 'Hosts the certificate covers.'),
  secretName: optional(str, 'Secret holding the certificate and key.'),
});

export const HTTPIngressPath = networking.struct('HTTPIngressPath', 'A path and the backend it goes to.', {
  path: optional(str, 'Path to match; must start with / for Exact and Prefix.'),
  pathType: required(str, 'Exact, Prefix or ImplementationSpecific.'),
  backend: required(IngressBackend, 'Where matching requests go.'),
});

export const HTTPIngressRuleValue = networking.struct('HTTPIngressRuleValue', 'HTTP paths of a rule.', {
  paths: required(listOf(HTTPIngressPath), 'Paths, matched in order of specificity.'),
});

export const IngressRule = networking.struct('IngressRule', 'Routing for one host (or all hosts).', {
  host: optional(str, 'Host name, possibly with a leading *. wildcard; all hosts if empty.'),
  http: optional(HTTPIngressRuleValue, 'HTTP paths.'),
});

export const IngressSpec = networking.struct('IngressSpec', 'Routing rules of the ingress.', {
  ingressClassName: optional(str, 'IngressClass (controller) that implements this ingress.'),
  defaultBackend: optional(IngressBackend, 'Where requests that match no rule go.'),
  tls: optional(listOf(IngressTLS), 'TLS settings.'),
  rules: optional(listOf(IngressRule), 'Host and path rules.'),
});

export const IngressPortStatus = networking.struct('IngressPortStatus', 'State of one ingress port.', {
  port: required(int32, 'Port number.'),
  protocol: required(str, 'TCP, UDP or SCTP.'),
  error: optional(str, 'Problem with the port, in CamelCase.'),
});

export const IngressLoadBalancerIngress = networking.struct(
  'IngressLoadBalancerIngress',
  'An entry point of the ingress.',
  {
    ip: optional(str, 'IP address.'),
    hostname: optional(str, 'Host name.'),
    ports: optional(listOf(IngressPortStatus), 'Per-port state.'),
  },
);

export const IngressLoadBalancerStatus = networking.struct(
  'IngressLoadBalancerStatus',
  'Entry points of the ingress.',
  {
    ingress: optional(listOf(IngressLoadBalancerIngress), 'The entry points.'),
  },
);

export const IngressStatus = networking.struct('IngressStatus', 'Observed state of the ingress.', {
  loadBalancer: always(IngressLoadBalancerStatus, 'Where the ingress can be reached.'),
});

export const Ingress = networking.kind(
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
  'HTTP(S) routing from outside the cluster to services, by host and path.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(IngressSpec, 'Routing rules.'),
    status: always(IngressStatus, 'Observed state.'),
  },
);
export type Ingress = z.infer<typeof Ingress>;

export const IngressClassParametersReference = networking.struct(
  'IngressClassParametersReference',
  'An object holding controller-specific settings.',
  {
    apiGroup: optional(str, 'API group of the object.'),
    kind: required(str, 'Kind of the object.'),
    name: required(str, 'Name of the object.'),
    scope: optional(str, 'Cluster (default) or Namespace.'),
    namespace: optional(str, 'Namespace of the object, for scope Namespace.'),
  },
);

export const IngressClassSpec = networking.struct('IngressClassSpec', 'The controller behind the class.', {
  controller: optional(str, 'Controller name, a domain-prefixed path such as example.com/ingress.'),
  parameters: optional(IngressClassParametersReference, 'Controller-specific settings.'),
});

export const IngressClass = networking.kind(
  { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' },
  'A kind of ingress, implemented by one controller.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(IngressClassSpec, 'The controller.'),
  },
);
export type IngressClass = z.infer<typeof IngressClass>;
