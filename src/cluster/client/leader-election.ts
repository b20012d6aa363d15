/**
 * LeaderElector is client-go's tools/leaderelection with a coordination.k8s.io Lease as the lock:
 * of several copies of a component (two control planes), only the one holding the Lease acts.
 *
 *   try to acquire ──(lease free, or expired: renewTime + leaseDuration < now)──> leading
 *        ▲  every retryPeriod                                                     │ renew every
 *        │                                                                        │ retryPeriod
 *        └── lost: a renewal did not succeed within renewDeadline <───────────────┘
 *
 * Like client-go, a candidate judges expiry by its own clock from the moment it last saw the
 * Lease change (observedTime), not by the holder's renewTime, so clock skew between machines does
 * not hand the lock over early. With releaseOnCancel, stopping a leader empties holderIdentity so
 * a standby takes over at its next retry instead of waiting out the lease.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Lease } from '../api/coordination/lease.ts';
import { leases } from '../api/resources.ts';
import { type Clock, sleep, systemClock } from '../clock/clock.ts';
import { EventRecorder } from './event-recorder.ts';
import { isAlreadyExists, isConflict, isNotFound, type RestClient } from './rest-client.ts';

export interface LeaderElectionOptions {
  readonly client: RestClient;
  /** The Lease: kube-system/kube-controller-manager, kube-system/kube-scheduler. */
  readonly namespace: string;
  readonly name: string;
  /** Who this candidate is: hostname_uuid in kube components. */
  readonly identity: string;
  /** How long a lease lasts after its last renewal: 15 s (kube components' default). */
  readonly leaseDurationMs?: number;
  /** How long a leader keeps retrying a renewal before it gives up leading: 10 s. */
  readonly renewDeadlineMs?: number;
  /** How often candidates try to acquire and leaders renew: 2 s. */
  readonly retryPeriodMs?: number;
  /** Empty the lease when leading ends, so another candidate takes over at once. */
  readonly releaseOnCancel?: boolean;
  /** Records "<identity> became leader" (reason LeaderElection) on the Lease. */
  readonly recorder?: EventRecorder;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

/** The timings a component's user may tune; kube components' defaults (15 s, 10 s, 2 s) unless given. */
export type LeaderElectionTimings = Pick<
  LeaderElectionOptions,
  'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
>;

/** A Lease time: RFC 3339 with microseconds, as metav1.MicroTime is written. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  /** The lease as last read, and when (by our clock) it last changed. */
  private observed: Lease | undefined;
  private observedTime = 0;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error('orch-lab leader election:', err));
  }

  /**
   * Campaigns until leading, then runs `lead` with a signal that aborts when leadership is lost
   * or `signal` aborts; resolves once `lead` has returned (and the lease is released if asked).
   */
  async run(signal: AbortSignal, lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
      await sleep(this.clock, this.retryPeriodMs, signal);
    }
    if (signal.aborted) return;
    this.record('became leader');
    const leading = new AbortController();
    // Every informer and worker of the component listens on this one signal.
    setMaxListeners(0, leading.signal);
    const stop = () => leading.abort();
    signal.addEventListener('abort', stop, { once: true });
    const renewing = this.renewUntilLost(leading.signal).then(stop);
    try {
      await lead(leading.signal);
    } finally {
      stop();
      signal.removeEventListener('abort', stop);
      await renewing;
      this.record('stopped leading');
      if (this.options.releaseOnCancel) await this.release();
    }
  }

  /** Whether this candidate held the lease when it last looked. */
  isLeader(): boolean {
    return this.observed?.spec.holderIdentity === this.options.identity;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.clock.now() < deadline) {
        renewed = await this.tryAcquireOrRenew();
        if (renewed) break;
        await sleep(this.clock, this.retryPeriodMs, signal);
      }
      if (!renewed && !signal.aborted) return;
    }
  }

  /** One attempt, client-go's tryAcquireOrRenew: create the lease, take an expired one, or renew ours. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.options;
    const leaseClient = client.resource(leases, namespace);
    const now = this.clock.now();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      let current: Lease;
      try {
        current = await leaseClient.get(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await leaseClient.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec,
        } as Lease);
        this.observe(created, now);
        return true;
      }
      if (current.metadata.resourceVersion !== this.observed?.metadata.resourceVersion) {
        this.observe(current, now);
      }
      const holder = current.spec.holderIdentity ?? '';
      const held = holder !== '' && holder !== identity;
      if (held && this.observedTime + this.leaseDurationMs > now) return false;
      if (holder === identity) {
        spec.acquireTime = current.spec.acquireTime ?? spec.acquireTime;
        spec.leaseTransitions = current.spec.leaseTransitions ?? 0;
      } else {
        spec.leaseTransitions = (current.spec.leaseTransitions ?? 0) + 1;
      }
      const updated = await leaseClient.update({ ...current, spec: { ...current.spec, ...spec } });
      this.observe(updated, now);
      return true;
    } catch (err) {
      // A lost race (409) or an unreachable server: not leading this round.
      if (!isAlreadyExists(err) && !isConflict(err)) this.onError(err);
      return false;
    }
  }

  private observe(lease: Lease, now: number): void {
    this.observed = lease;
    this.observedTime = now;
  }

  /** Gives the lease up: no holder, and a one-second duration, as client-go's release does. */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || !this.isLeader()) return;
    const now = microTime(this.clock.now());
    await this.options.client
      .resource(leases, this.options.namespace)
      .update({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      })
      .catch(this.onError);
    this.observed = undefined;
  }

  private record(what: string): void {
    const lease = this.observed;
    if (lease)
      void this.options.recorder?.event(
        lease,
        'Normal',
        'LeaderElection',
        `${this.options.identity} ${what}`,
      );
  }
}

/** A component that acts only while it holds its Lease, until stopped. */
export interface LeaderElectedComponent {
  /** True while this copy holds the Lease. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * runLeaderElected campaigns for kube-system/<name> as kube components do (identity hostname_uuid,
 * releasing the Lease on stop) and runs `lead` while leading. Leadership lost is not the end (a kube
 * component exits and is restarted): it campaigns again until stopped.
 */
export function runLeaderElected(options: {
  readonly client: RestClient;
  readonly name: string;
  /** The Event source of "<identity> became leader". */
  readonly component: string;
  readonly timings?: LeaderElectionTimings;
  readonly onError: (err: unknown) => void;
  readonly lead: (signal: AbortSignal) => Promise<void>;
}): LeaderElectedComponent {
  const { client, onError } = options;
  const elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name: options.name,
    identity: `${hostname()}_${randomUUID()}`,
    ...options.timings,
    releaseOnCancel: true,
    recorder: new EventRecorder({ client, component: options.component, onError }),
    onError,
  });
  const abort = new AbortController();
  const running = (async () => {
    while (!abort.signal.aborted) await elector.run(abort.signal, options.lead);
  })();
  return {
    isLeader: () => elector.isLeader(),
    stop: async () => {
      abort.abort();
      await running.catch(onError);
    },
  };
}
