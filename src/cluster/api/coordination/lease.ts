/** coordination.k8s.io/v1 Lease: a lock with a holder and an expiry (node heartbeats, leader election). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage, int32, MicroTime, optional, str } from '../schema.ts';

const coordination = apiPackage('io.k8s.api.coordination.v1');

export const LeaseSpec = coordination.struct('LeaseSpec', 'Who holds the lease and until when.', {
  holderIdentity: optional(str, 'Current holder.'),
  leaseDurationSeconds: optional(int32, 'Seconds the holder keeps the lease after its last renewal.'),
  acquireTime: optional(MicroTime, 'When the current holder acquired it.'),
  renewTime: optional(MicroTime, 'When the holder last renewed it.'),
  leaseTransitions: optional(int32, 'How many times the lease changed hands.'),
  strategy: optional(str, 'How a new holder is chosen for coordinated leader election.'),
  preferredHolder: optional(str, 'Holder that should take over next, for coordinated leader election.'),
});

export const Lease = coordination.kind(
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
  'A lease: kubelets renew one per node as a heartbeat; controllers use them for leader election.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(LeaseSpec, 'Holder and timing.'),
  },
);
export type Lease = z.infer<typeof Lease>;
