/** The coordination.k8s.io/v1 resources. */
import { metadataOnly } from '../fields.ts';
import { createOrUpdate, defineResource } from '../resource-type.ts';
import { Lease } from './lease.ts';
import { validateLease, validateLeaseUpdate } from './validation.ts';

export const leases = defineResource<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  storagePrefix: 'leases',
  schema: Lease,
  validate: createOrUpdate(validateLease, validateLeaseUpdate),
  fields: metadataOnly(true),
});

export const coordinationResources = [leases] as const;
