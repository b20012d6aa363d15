import { ageCell, ageColumn, column, nameCell, nameColumn } from './columns.ts';
import { type LoadBalancerStatus, loadBalancerAddresses } from './services.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** Ingress is the view of a networking.k8s.io/v1 Ingress its printer reads. */
export interface Ingress extends TableObject {
  spec?: { ingressClassName?: string; rules?: { host?: string }[]; tls?: unknown[] };
  status?: { loadBalancer?: LoadBalancerStatus };
}

/** IngressClass is the view of a networking.k8s.io/v1 IngressClass its printer reads. */
export interface IngressClass extends TableObject {
  spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } };
}

/** How many hosts HOSTS lists before summing up the rest. */
const HOSTS_LIMIT = 3;

/**
 * ingressHosts is HOSTS: the rules' hosts, "*" when no rule names one. After three hosts the rest
 * is summed up as " + N more...", where N counts every remaining rule, hostless ones included,
 * exactly as printIngress counts them.
 */
function ingressHosts(ingress: Ingress): string {
  const rules = ingress.spec?.rules ?? [];
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

/** PARAMETERS of an ingress class: "Kind.group/name", "Kind/name" for the core group, or "<none>". */
function ingressClassParameters(ingressClass: IngressClass): string {
  const parameters = ingressClass.spec?.parameters;
  if (!parameters) return '<none>';
  const kind =
    parameters.apiGroup !== undefined ? `${parameters.kind ?? ''}.${parameters.apiGroup}` : parameters.kind;
  return `${kind ?? ''}/${parameters.name ?? ''}`;
}

/** The ingress class printer: `kubectl get ingressclasses`. */
export const ingressClassConvertor: TableConvertor<IngressClass> = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'The controller that implements the class.'),
    column('Parameters', 'string', 'The resource holding settings for the controller.'),
    ageColumn,
  ],
  cells(ingressClass, now) {
    return [
      nameCell(ingressClass),
      ingressClass.spec?.controller ?? '',
      ingressClassParameters(ingressClass),
      ageCell(ingressClass, now),
    ];
  },
};
