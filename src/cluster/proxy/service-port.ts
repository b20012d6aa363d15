/**
 * The proxy's view of the cluster, after kube-proxy's ServicePortMap and EndpointsMap
 * (pkg/proxy/servicechangetracker.go, endpointschangetracker.go): one entry per Service port, with
 * the addresses it is reached at and the endpoints behind it. kube-proxy builds both maps from
 * Services and EndpointSlices; the rules and the data path are both drawn from this one list.
 */
import type { Service } from '../api/core/service.ts';
import type { EndpointSlice } from '../api/discovery/endpoint-slice.ts';

export type Protocol = 'TCP' | 'UDP';

export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
  /** Ready: in rotation. Only ready endpoints are proxied to, as kube-proxy does. */
  readonly ready: boolean;
}

export interface ServicePortInfo {
  /** kube-proxy's ServicePortName string: "namespace/name:port", or "namespace/name" when the port has no name. */
  readonly name: string;
  readonly protocol: Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the Service has none. */
  readonly nodePort: number;
  /** status.loadBalancer.ingress IPs. */
  readonly loadBalancerIPs: readonly string[];
  readonly externalIPs: readonly string[];
  /** ClientIP affinity timeout in seconds, or 0 for none. */
  readonly stickySeconds: number;
  readonly endpoints: readonly ProxyEndpoint[];
}

/** Services and slices to Service ports. Headless, ExternalName and SCTP ports are not proxied, as in kube-proxy. */
export function buildServicePorts(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
): ServicePortInfo[] {
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }
  const result: ServicePortInfo[] = [];
  for (const svc of services) {
    const { clusterIP, type = 'ClusterIP' } = svc.spec;
    if (!clusterIP || clusterIP === 'None' || type === 'ExternalName') continue;
    const namespace = svc.metadata.namespace ?? '';
    const serviceName = svc.metadata.name ?? '';
    const key = `${namespace}/${serviceName}`;
    const serviceSlices = slicesByService.get(key) ?? [];
    for (const port of svc.spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const portName = port.name ?? '';
      const endpoints: ProxyEndpoint[] = [];
      for (const slice of serviceSlices) {
        const slicePort = slice.ports?.find(
          (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol,
        );
        if (slicePort?.port === undefined) continue;
        for (const ep of slice.endpoints) {
          const ip = ep.addresses[0];
          if (!ip) continue;
          endpoints.push({
            ip,
            port: slicePort.port,
            // A nil ready condition means ready (EndpointConditions' contract).
            ready: ep.conditions?.ready !== false,
          });
        }
      }
      endpoints.sort((a, b) => endpointString(a).localeCompare(endpointString(b), 'en', { numeric: true }));
      result.push({
        name: portName ? `${key}:${portName}` : key,
        protocol,
        clusterIP,
        port: port.port,
        nodePort: port.nodePort ?? 0,
        loadBalancerIPs: (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
        externalIPs: svc.spec.externalIPs ?? [],
        stickySeconds:
          svc.spec.sessionAffinity === 'ClientIP'
            ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800)
            : 0,
        endpoints,
      });
    }
  }
  return result.sort((a, b) => a.name.localeCompare(b.name));
}

export const endpointString = (ep: Pick<ProxyEndpoint, 'ip' | 'port'>) => `${ep.ip}:${ep.port}`;

export const readyEndpoints = (info: ServicePortInfo) => info.endpoints.filter((ep) => ep.ready);
