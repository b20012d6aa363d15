/** endpointslices: the addresses behind a service, in slices; any content change is a new generation. */

import type { EndpointSlice } from '../../../api/discovery/endpoint-slice.ts';
import { endpointSlices as resource } from '../../../api/discovery/register.ts';
import { semanticEqual } from '../../../api/equality.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import { listWithMore } from '../core/endpoints.ts';
import type { ResourceRegistration } from '../registration.ts';
import { withGeneration } from '../strategy.ts';

/** A slice has no spec; any change outside metadata, or to its labels, is a new generation. */
const endpointSliceStrategy = withGeneration<EndpointSlice>((slice, old) => {
  const { metadata, ...content } = slice;
  const { metadata: oldMetadata, ...oldContent } = old;
  return !semanticEqual(content, oldContent) || !semanticEqual(metadata.labels, oldMetadata.labels);
});

/** unsetIfEmpty: the endpoint slice printer writes "<unset>" for an empty list. */
function unsetIfEmpty(list: readonly string[]): string {
  return list.length === 0 ? '<unset>' : listWithMore(list);
}

/** A slice port by number, else by name, else "*" (a slice may leave both unset to mean all ports). */
function slicePort(port: NonNullable<EndpointSlice['ports']>[number]): string {
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
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses);
    return [
      nameCell(slice),
      slice.addressType ?? '',
      unsetIfEmpty((slice.ports ?? []).map(slicePort)),
      unsetIfEmpty(addresses),
      ageCell(slice, now),
    ];
  },
};

export const endpointSlices: ResourceRegistration<EndpointSlice> = {
  resource,
  strategy: endpointSliceStrategy,
  printer: endpointSliceConvertor,
};
