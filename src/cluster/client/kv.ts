import type { Store } from '../store/store.ts';

/**
 * KV is the part of etcd's API the API server stores objects through. The embedded Store has it,
 * and so does the gRPC client of a real etcd cluster (`--etcd-endpoints`), so the object storage
 * above it is written once for both.
 */
export type KV = Pick<Store, 'range' | 'txn' | 'watch'>;
