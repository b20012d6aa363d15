import type { Service } from '../../../../api/core/service.ts';
import { formatLabels } from '../../../../api/labels.ts';
import type { Ingress } from '../../../../api/networking/ingress.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn, wideColumn } from '../../../tables/columns.ts';
import type { TableConvertor } from '../../../tables/types.ts';

/**
 * loadBalancerAddresses lists where a load balancer answers: each ingress point's IP, or its
 * hostname when it has no IP, sorted and without repeats, comma-joined ("" when there are none).
 * The server prints them in full; only kubectl's own client-side printer clips them.
 */
export function loadBalancerAddresses(
  status: Service['status']['loadBalancer'] | Ingress['status']['loadBalancer'] | undefined,
): string {
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
  const spec = service.spec;
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
  const ports = (service.spec.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`,
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
