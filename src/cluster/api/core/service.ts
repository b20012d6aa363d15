/** core/v1 Service: a stable virtual IP and DNS name in front of a changing set of pods. */
import type { z } from 'zod';
import { Condition, objectFields } from '../meta.ts';
import {
  always,
  apiPackage,
  bool,
  IntOrString,
  int32,
  listOf,
  optional,
  required,
  str,
  stringMap,
  strings,
} from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ServicePort = core.struct('ServicePort', 'A port the service exposes and where it forwards.', {
  name: optional(str, 'Port name, a DNS label; required when the service has more than one port.'),
  protocol: optional(str, 'TCP (default), UDP or SCTP.'),
  appProtocol: optional(str, 'Application protocol hint, e.g. http or kubernetes.io/h2c.'),
  port: required(int32, 'Port the service listens on.'),
  targetPort: optional(IntOrString, 'Pod port number or name to forward to; the same as port by default.'),
  nodePort: optional(int32, 'Port opened on every node, for NodePort and LoadBalancer; allocated if unset.'),
});
export type ServicePort = z.infer<typeof ServicePort>;

export const ClientIPConfig = core.struct('ClientIPConfig', 'Settings of ClientIP session affinity.', {
  timeoutSeconds: optional(int32, 'How long a client sticks to one pod; 10800 (3 hours) by default.'),
});

export const SessionAffinityConfig = core.struct('SessionAffinityConfig', 'Session affinity settings.', {
  clientIP: optional(ClientIPConfig, 'For ClientIP affinity.'),
});

export const ServiceSpec = core.struct('ServiceSpec', 'What the service exposes and which pods back it.', {
  ports: optional(listOf(ServicePort), 'Ports the service exposes.'),
  selector: optional(
    stringMap,
    'Pods with these labels receive the traffic; no selector means manual endpoints.',
  ),
  clusterIP: optional(str, 'Virtual IP of the service; allocated if unset, "None" for a headless service.'),
  clusterIPs: optional(strings, 'Virtual IPs, one per IP family; the first equals clusterIP.'),
  type: optional(str, 'ClusterIP (default), NodePort, LoadBalancer or ExternalName.'),
  externalIPs: optional(strings, 'Extra IPs that nodes accept traffic for.'),
  sessionAffinity: optional(str, 'None (default) or ClientIP to keep a client on one pod.'),
  loadBalancerIP: optional(str, 'Deprecated: requested load balancer IP.'),
  loadBalancerSourceRanges: optional(strings, 'Client CIDRs allowed through the load balancer.'),
  externalName: optional(str, 'DNS name the service aliases, for type ExternalName.'),
  externalTrafficPolicy: optional(
    str,
    'Cluster (default) or Local: whether external traffic may leave the node.',
  ),
  healthCheckNodePort: optional(int32, 'Health check port for Local external traffic policy.'),
  publishNotReadyAddresses: optional(bool, 'Include pods that are not ready in DNS and endpoints.'),
  sessionAffinityConfig: optional(SessionAffinityConfig, 'Settings of the chosen session affinity.'),
  ipFamilies: optional(strings, 'IPv4 and/or IPv6, in order of preference.'),
  ipFamilyPolicy: optional(str, 'SingleStack, PreferDualStack or RequireDualStack.'),
  allocateLoadBalancerNodePorts: optional(bool, 'Allocate node ports for a LoadBalancer; true by default.'),
  loadBalancerClass: optional(str, 'Load balancer implementation to use.'),
  internalTrafficPolicy: optional(
    str,
    'Cluster (default) or Local: whether in-cluster traffic may leave the node.',
  ),
  trafficDistribution: optional(str, 'PreferClose to favour topologically near endpoints.'),
});
export type ServiceSpec = z.infer<typeof ServiceSpec>;

export const PortStatus = core.struct('PortStatus', 'State of one load balancer port.', {
  port: required(int32, 'Port number.'),
  protocol: required(str, 'TCP, UDP or SCTP.'),
  error: optional(str, 'Problem with the port, in CamelCase.'),
});

export const LoadBalancerIngress = core.struct('LoadBalancerIngress', 'An entry point of a load balancer.', {
  ip: optional(str, 'IP address of the entry point.'),
  hostname: optional(str, 'Host name of the entry point.'),
  ipMode: optional(str, 'VIP or Proxy: how traffic reaches the nodes.'),
  ports: optional(listOf(PortStatus), 'Per-port state.'),
});

export const LoadBalancerStatus = core.struct('LoadBalancerStatus', 'State of a load balancer.', {
  ingress: optional(listOf(LoadBalancerIngress), 'Entry points.'),
});

export const ServiceStatus = core.struct('ServiceStatus', 'Observed state of the service.', {
  loadBalancer: always(LoadBalancerStatus, 'Load balancer state, for type LoadBalancer.'),
  conditions: optional(listOf(Condition), 'Current conditions.'),
});

export const Service = core.kind(
  { group: '', version: 'v1', kind: 'Service' },
  'A stable virtual IP and DNS name that load-balances over a set of pods.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(ServiceSpec, 'What the service exposes.'),
    status: always(ServiceStatus, 'Observed state.'),
  },
);
export type Service = z.infer<typeof Service>;
