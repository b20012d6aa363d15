import { ageCell, ageColumn, column, nameCell, nameColumn } from './columns.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** Lease is the view of a coordination.k8s.io/v1 Lease its printer reads. */
export interface Lease extends TableObject {
  spec?: { holderIdentity?: string };
}

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
