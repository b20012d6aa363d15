import { ageCell, ageColumn, column, nameCell, nameColumn, wideColumn } from './columns.ts';
import { formatLabels } from './labels.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** A load balancer's or an ingress's status.loadBalancer: where it can be reached. */
export interface LoadBalancerStatus {
  ingress?: { ip?: string; hostname?: string }[];
}

/** Service is the view of a v1 Service the service printer reads. */
export interface Service extends TableObject {
  spec?: {
    type?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: { port?: number; nodePort?: number; protocol?: string }[];
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: LoadBalancerStatus };
}

/** Endpoints is the view of a v1 Endpoints its printer reads; only ready addresses are shown. */
export interface Endpoints extends TableObject {
  subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[];
}

/** EndpointSlice is the view of a discovery.k8s.io/v1 EndpointSlice its printer reads. */
export interface EndpointSlice extends TableObject {
  addressType?: string;
  ports?: { port?: number; name?: string }[];
  endpoints?: { addresses?: string[] }[];
}

/**
 * loadBalancerAddresses lists where a load balancer answers: each ingress point's IP, or its
 * hostname when it has no IP, sorted and without repeats, comma-joined ("" when there are none).
 * The server prints them in full; only kubectl's own client-side printer clips them.
 */
export function loadBalancerAddresses(status: LoadBalancerStatus | undefined): string {
  const addresses = new Set<string>();
  for (const point of status?.ingress ?? []) {
    const address = point.ip || point.hostname;
    if (address) addresses.add(address);
  }
  return [...addresses].sort().join(',');
}

/**
 * serviceExternalIP is EXTERNAL-IP. ClusterIP and NodePort services show their externalIPs or
 * "<none>". A LoadBalancer shows its load balancer's addresses followed by any externalIPs, and
 * "<pending>" until the cloud (or the lab's load balancer controller) assigns one. ExternalName
 * shows the DNS name it aliases.
 */
function serviceExternalIP(service: Service): string {
  const spec = service.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const balancer = loadBalancerAddresses(service.status?.loadBalancer);
      const all = [...(balancer ? balancer.split(',') : []), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** servicePorts is PORT(S): "80/TCP", with the node port when one is allocated: "80:30080/TCP". */
function servicePorts(service: Service): string {
  const ports = (service.spec?.ports ?? []).map((p) =>
    p.nodePort ? `${p.port ?? 0}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port ?? 0}/${p.protocol ?? ''}`,
  );
  return ports.length > 0 ? ports.join(',') : '<none>';
}

/** The service printer: `kubectl get services`. */
export const serviceConvertor: TableConvertor<Service> = {
  columns: [
    nameColumn,
    column('Type', 'string', 'ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP that load-balances to the endpoints.'),
    column('External-IP', 'string', 'Addresses outside the cluster the service answers on.'),
    column('Port(s)', 'string', 'The service ports, with node ports where allocated.'),
    ageColumn,
    wideColumn('Selector', 'string', 'The labels of the pods that back the service.'),
  ],
  cells(service, now) {
    return [
      nameCell(service),
      service.spec?.type ?? '',
      service.spec?.clusterIPs?.[0] ?? '<none>',
      serviceExternalIP(service),
      servicePorts(service),
      ageCell(service, now),
      formatLabels(service.spec?.selector),
    ];
  },
};

/** How many entries a list cell shows before summing up the rest as " + N more...". */
const LIST_LIMIT = 3;

/**
 * listWithMore writes the first entries of a longer list, as the printers do for endpoints:
 * "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...", where `total` counts every entry.
 */
function listWithMore(shown: readonly string[], total: number): string {
  const text = shown.join(',');
  return total > shown.length ? `${text} + ${total - shown.length} more...` : text;
}

/** Joins an address and a port as Go's net.JoinHostPort does, bracketing IPv6: "[fd00::1]:80". */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * endpointsCell is ENDPOINTS of an Endpoints object: "ip:port" for every ready address and every
 * port of each subset (bare IPs for a subset without ports, as a headless service may have), the
 * first three shown. "<none>" when there are no subsets; "" when subsets hold only not-ready
 * addresses.
 */
function endpointsCell(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const subset of subsets) {
    const ips = (subset.addresses ?? []).map((a) => a.ip ?? '');
    const ports = subset.ports ?? [];
    if (ports.length === 0) all.push(...ips);
    for (const port of ports) all.push(...ips.map((ip) => joinHostPort(ip, port.port ?? 0)));
  }
  return listWithMore(all.slice(0, LIST_LIMIT), all.length);
}

/** The endpoints printer: `kubectl get endpoints`. */
export const endpointsConvertor: TableConvertor<Endpoints> = {
  columns: [nameColumn, column('Endpoints', 'string', 'Ready addresses with their ports.'), ageColumn],
  cells(endpoints, now) {
    return [nameCell(endpoints), endpointsCell(endpoints), ageCell(endpoints, now)];
  },
};

/** unsetIfEmpty: the endpoint slice printer writes "<unset>" for an empty list. */
function unsetIfEmpty(list: readonly string[]): string {
  return list.length === 0 ? '<unset>' : listWithMore(list.slice(0, LIST_LIMIT), list.length);
}

/** A slice port by number, else by name, else "*" (a slice may leave both unset to mean all ports). */
function slicePort(port: { port?: number; name?: string }): string {
  if (port.port !== undefined) return String(port.port);
  return port.name ?? '*';
}

/** The endpoint slice printer: `kubectl get endpointslices`. */
export const endpointSliceConvertor: TableConvertor<EndpointSlice> = {
  columns: [
    nameColumn,
    column('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'The ports every endpoint in the slice serves.'),
    column('Endpoints', 'string', 'The endpoint addresses, ready or not.'),
    ageColumn,
  ],
  cells(slice, now) {
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      nameCell(slice),
      slice.addressType ?? '',
      unsetIfEmpty((slice.ports ?? []).map(slicePort)),
      unsetIfEmpty(addresses),
      ageCell(slice, now),
    ];
  },
};
