/** ingresses: HTTP routes to services; status only through ingresses/status, which the controller writes. */
import type { Ingress } from '../../../api/networking/ingress.ts';
import { ingresses as resource } from '../../../api/networking/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import { loadBalancerAddresses } from '../core/service/printer.ts';
import type { ResourceRegistration } from '../registration.ts';
import { specChanged, withStatusSubresource } from '../strategy.ts';

/** How many hosts HOSTS lists before summing up the rest. */
const HOSTS_LIMIT = 3;

/**
 * ingressHosts is HOSTS: the rules' hosts, "*" when no rule names one. After three hosts the rest
 * is summed up as " + N more...", where N counts every remaining rule, hostless ones included,
 * exactly as printIngress counts them.
 */
function ingressHosts(ingress: Ingress): string {
  const rules = ingress.spec.rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === HOSTS_LIMIT) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - HOSTS_LIMIT} more...` : hosts.join(',');
}

/** The ingress printer: PORTS is "80", or "80, 443" when the ingress terminates TLS. */
export const ingressConvertor: TableConvertor<Ingress> = {
  columns: [
    nameColumn,
    column('Class', 'string', 'The IngressClass that says which controller serves it.'),
    column('Hosts', 'string', 'The host names its rules match.'),
    column('Address', 'string', 'Where the ingress controller exposes it.'),
    column('Ports', 'string', 'The ports it is served on.'),
    ageColumn,
  ],
  cells(ingress, now) {
    return [
      nameCell(ingress),
      ingress.spec?.ingressClassName ?? '<none>',
      ingressHosts(ingress),
      loadBalancerAddresses(ingress.status?.loadBalancer),
      (ingress.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      ageCell(ingress, now),
    ];
  },
};

export const ingresses: ResourceRegistration<Ingress> = {
  resource,
  strategy: withStatusSubresource<Ingress>({
    initialStatus: () => ({ loadBalancer: {} }),
    generation: specChanged,
  }),
  printer: ingressConvertor,
};
