/** endpoints: the addresses behind a service, written by the endpoints controller (and PUT-created). */
import type { Endpoints } from '../../../api/core/endpoints.ts';
import { endpoints as resource } from '../../../api/core/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

/** How many entries a list cell shows before summing up the rest as " + N more...". */
const LIST_LIMIT = 3;

/**
 * listWithMore writes the first entries of a list, as the printers do for endpoints:
 * "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..." for five.
 */
export function listWithMore(all: readonly string[]): string {
  const text = all.slice(0, LIST_LIMIT).join(',');
  return all.length > LIST_LIMIT ? `${text} + ${all.length - LIST_LIMIT} more...` : text;
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
    const ips = (subset.addresses ?? []).map((a) => a.ip);
    const ports = subset.ports ?? [];
    if (ports.length === 0) all.push(...ips);
    for (const port of ports) all.push(...ips.map((ip) => joinHostPort(ip, port.port ?? 0)));
  }
  return listWithMore(all);
}

/** The endpoints printer: `kubectl get endpoints`. */
export const endpointsConvertor: TableConvertor<Endpoints> = {
  columns: [nameColumn, column('Endpoints', 'string', 'Ready addresses with their ports.'), ageColumn],
  cells(endpoints, now) {
    return [nameCell(endpoints), endpointsCell(endpoints), ageCell(endpoints, now)];
  },
};

export const endpoints: ResourceRegistration<Endpoints> = {
  resource,
  strategy: asSentCreateOnUpdate,
  printer: endpointsConvertor,
};
