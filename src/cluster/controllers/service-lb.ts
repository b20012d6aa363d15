/**
 * ServiceLBController is the lab's load-balancer provider, in the manner of MetalLB or
 * cloud-provider-kind: it gives every Service of type LoadBalancer an address the host can reach,
 * from a pool of loopback addresses (127.200.0.0/24 unless set), and writes it to
 * status.loadBalancer.ingress, as a cloud provider's service controller
 * (k8s.io/cloud-provider/controllers/service) does. kube-proxy then listens on that address.
 *
 *   service events ──> queue of service keys ──> syncService(key)
 *     LoadBalancer without an address: take the requested spec.loadBalancerIP if free, else the
 *       lowest free one; record it in status.
 *     any other type (or a Service for another loadBalancerClass): clear what we wrote.
 */

import { ServiceCIDR } from '../allocator/ipallocator.ts';
import type { Service } from '../api/core/service.ts';
import { semanticEqual } from '../api/equality.ts';
import { services as serviceResource } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { eventErrors, keyOf, runWorkers } from './controller-utils.ts';

export const DEFAULT_LOAD_BALANCER_IP_RANGE = '127.200.0.0/24';

export interface ServiceLBControllerOptions {
  /** The pool external IPs come from, an IPv4 CIDR. */
  readonly loadBalancerIPRange?: string;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class ServiceLBController {
  readonly queue: RateLimitingQueue<string>;
  private readonly services: SharedInformer<Service>;
  private readonly recorder: EventRecorder;
  private readonly onError: (err: unknown) => void;
  private readonly pool: ServiceCIDR;
  /** Addresses handed out whose status write the cache may not show yet. */
  private readonly assigned = new Map<string, string>();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: ServiceLBControllerOptions = {},
  ) {
    this.onError = options.onError ?? ((err) => console.error('service-controller:', err));
    const clock = options.clock ?? systemClock;
    this.queue = new RateLimitingQueue<string>({ clock });
    this.recorder = new EventRecorder({
      client,
      component: 'service-controller',
      clock,
      onError: eventErrors(this.onError),
    });
    // The same arithmetic as the service range: network and broadcast addresses are never handed out.
    this.pool = new ServiceCIDR(options.loadBalancerIPRange ?? DEFAULT_LOAD_BALANCER_IP_RANGE);
    this.services = informers.forResource(serviceResource);
    this.services.addEventHandler({
      onAdd: (svc) => this.queue.add(keyOf(svc)),
      onUpdate: (_old, svc) => this.queue.add(keyOf(svc)),
      onDelete: (svc) => this.assigned.delete(keyOf(svc)),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.services.waitForSync(signal))) return;
    // One worker: picking a free address reads every Service, so two at once could pick the same one.
    await runWorkers(this.queue, Math.min(workers, 1), (key) => this.syncService(key), signal, this.onError);
  }

  private async syncService(key: string): Promise<void> {
    const svc = this.services.store.get(key);
    if (!svc) return;
    const wanted = svc.spec.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
    const current = svc.status?.loadBalancer?.ingress ?? [];
    if (!wanted) {
      this.assigned.delete(key);
      if (current.length > 0 && svc.spec.type !== 'LoadBalancer') await this.writeIngress(svc, []);
      return;
    }
    if (current.some((i) => i.ip && this.inPool(i.ip))) {
      this.assigned.set(key, current[0]?.ip ?? '');
      return;
    }
    const ip = this.allocate(key, svc.spec.loadBalancerIP);
    if (!ip) {
      void this.recorder.event(svc, 'Warning', 'AllocationFailed', 'no free address left in the pool');
      return;
    }
    void this.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    this.assigned.set(key, ip);
    await this.writeIngress(svc, [{ ip, ipMode: 'VIP' }]);
    void this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  private async writeIngress(svc: Service, ingress: { ip: string; ipMode: string }[]): Promise<void> {
    if (semanticEqual(svc.status?.loadBalancer?.ingress ?? [], ingress)) return;
    await this.client
      .resource(serviceResource, svc.metadata.namespace)
      .updateStatus({ ...svc, status: { ...svc.status, loadBalancer: ingress.length ? { ingress } : {} } });
  }

  private allocate(key: string, requested: string | undefined): string | undefined {
    const used = new Set<string>();
    for (const svc of this.services.store.list()) {
      if (keyOf(svc) === key) continue;
      for (const i of svc.status?.loadBalancer?.ingress ?? []) if (i.ip) used.add(i.ip);
    }
    for (const [other, ip] of this.assigned) if (other !== key) used.add(ip);
    if (requested && this.inPool(requested) && !used.has(requested)) return requested;
    for (let i = 0; i < this.pool.size; i++) {
      const ip = this.pool.ipAt(i);
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }

  private inPool(ip: string): boolean {
    return this.pool.offsetOf(ip) !== undefined;
  }
}
