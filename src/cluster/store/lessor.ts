import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock/clock.ts';
import { LeaseExistsError, LeaseNotFoundError, LeaseTTLTooLargeError } from './errors.ts';
import type { KeyString } from './key-range.ts';

/** Lease is a TTL that keys hang on: when it expires or is revoked, its keys go with it. */
export interface Lease {
  readonly id: bigint;
  /** Seconds granted. */
  readonly ttl: number;
  /** When it runs out, in clock milliseconds. */
  expiry: number;
  readonly keys: Set<KeyString>;
}

export interface LessorOptions {
  readonly clock: Clock;
  /**
   * etcd raises shorter TTLs to 1.5 election timeouts, rounded up to whole seconds: 2 s with its
   * default 1 s election timeout, so a lease cannot expire before a new leader could renew it.
   */
  readonly minTtl?: number;
}

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
const MAX_TTL = 9_000_000_000;

/**
 * Lessor keeps the lease table and which keys hang on which lease. It decides nothing about keys
 * itself: Store deletes a revoked lease's keys in one revision.
 */
export class Lessor {
  private readonly leases = new Map<bigint, Lease>();
  private readonly clock: Clock;
  private readonly minTtl: number;

  constructor(options: LessorOptions) {
    this.clock = options.clock;
    this.minTtl = options.minTtl ?? 2;
  }

  exists(id: bigint): boolean {
    return this.leases.has(id);
  }

  get(id: bigint): Lease | undefined {
    return this.leases.get(id);
  }

  /** Checks a grant and settles its ID and TTL without granting it. */
  prepareGrant(id: bigint, ttl: number): { id: bigint; ttl: number } {
    if (ttl > MAX_TTL) throw new LeaseTTLTooLargeError();
    if (id !== 0n && this.leases.has(id)) throw new LeaseExistsError();
    return { id: id === 0n ? this.newId() : id, ttl: Math.max(ttl, this.minTtl) };
  }

  grant(id: bigint, ttl: number): Lease {
    const lease: Lease = { id, ttl, expiry: this.clock.now() + ttl * 1000, keys: new Set() };
    this.leases.set(id, lease);
    return lease;
  }

  /** Removes the lease and returns it, keys included. */
  revoke(id: bigint): Lease {
    const lease = this.leases.get(id);
    if (!lease) throw new LeaseNotFoundError();
    this.leases.delete(id);
    return lease;
  }

  /** Puts a revoked lease back (its revocation never became durable). */
  reinstate(lease: Lease): void {
    this.leases.set(lease.id, lease);
  }

  /** KeepAlive: the granted TTL, or 0 when the lease is gone (etcd's answer). */
  renew(id: bigint): number {
    const lease = this.leases.get(id);
    if (!lease) return 0;
    lease.expiry = this.clock.now() + lease.ttl * 1000;
    return lease.ttl;
  }

  /**
   * Whole seconds left, rounded down as etcd reports them. etcd's clock is fine enough that some
   * time has always passed since a grant or renewal (a fresh 30 s lease reports 29); our clock
   * counts milliseconds, so one is taken off to answer the same.
   */
  remaining(lease: Lease): number {
    return Math.max(0, Math.floor((lease.expiry - this.clock.now() - 1) / 1000));
  }

  /** Moves `key` from the lease it was on to `lease` (0n for none). */
  attach(key: KeyString, from: bigint, to: bigint): void {
    if (from !== 0n) this.leases.get(from)?.keys.delete(key);
    if (to !== 0n) this.leases.get(to)?.keys.add(key);
  }

  expired(): Lease[] {
    const now = this.clock.now();
    return [...this.leases.values()].filter((lease) => lease.expiry <= now);
  }

  /**
   * After a restart every lease gets its full TTL again, as etcd does when a member becomes
   * leader: remaining time is not persisted, so a restart never expires a lease early.
   */
  refreshAll(): void {
    const now = this.clock.now();
    for (const lease of this.leases.values()) lease.expiry = now + lease.ttl * 1000;
  }

  all(): Lease[] {
    return [...this.leases.values()];
  }

  private newId(): bigint {
    for (;;) {
      // A positive int63, like the IDs etcd hands out.
      const id = randomBytes(8).readBigInt64BE() & 0x7fff_ffff_ffff_ffffn;
      if (id !== 0n && !this.leases.has(id)) return id;
    }
  }
}
