/** leases: node heartbeats and leader election, stored as sent (a PUT of a missing one creates it). */
import type { Lease } from '../../../api/coordination/lease.ts';
import { leases as resource } from '../../../api/coordination/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

/**
 * The lease printer: HOLDER is who holds the lease, a node's name for node heartbeats or a
 * "name_uid" identity for leader election, and empty when nobody does.
 */
export const leaseConvertor: TableConvertor<Lease> = {
  columns: [nameColumn, column('Holder', 'string', 'Who currently holds the lease.'), ageColumn],
  cells(lease, now) {
    return [nameCell(lease), lease.spec?.holderIdentity ?? '', ageCell(lease, now)];
  },
};

export const leases: ResourceRegistration<Lease> = {
  resource,
  strategy: asSentCreateOnUpdate,
  printer: leaseConvertor,
};
