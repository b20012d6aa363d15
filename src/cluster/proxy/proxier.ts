/**
 * Proxier is one node's kube-proxy: it watches Services and EndpointSlices and, on every change,
 * runs syncProxyRules as kube-proxy does (pkg/proxy/iptables/proxier.go): rebuild the Service port
 * map, render the rules, and bring the data path in line. A burst of events causes one sync.
 */
import type { Service } from '../api/core/service.ts';
import type { EndpointSlice } from '../api/discovery/endpoint-slice.ts';
import { endpointSlices, services } from '../api/resources.ts';
import type { RestClient } from '../client/rest-client.ts';
import { type SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { renderRules } from './iptables-rules.ts';
import { RoundRobin } from './round-robin.ts';
import { buildServicePorts, readyEndpoints, type ServicePortInfo } from './service-port.ts';
import { type Frontend, UserspaceProxy } from './userspace.ts';

export interface ProxierOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  /** The address node ports are opened on. */
  readonly nodeIP: string;
  /** The pods' range, for the masquerade rule (kube-proxy's --cluster-cidr). */
  readonly clusterCIDR?: string;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class Proxier {
  private readonly services: SharedInformer<Service>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly informers: SharedInformerFactory;
  private readonly balancers = new Map<string, RoundRobin>();
  private readonly dataPath: UserspaceProxy;
  private readonly clock: Clock;
  private ports: ServicePortInfo[] = [];
  private syncPending = false;
  private synced = false;

  constructor(private readonly options: ProxierOptions) {
    this.clock = options.clock ?? systemClock;
    const onError = options.onError ?? ((err) => console.error('kube-proxy:', err));
    this.dataPath = new UserspaceProxy({ clock: this.clock, onError });
    this.informers = new SharedInformerFactory({ client: options.client, clock: this.clock });
    this.services = this.informers.forResource(services);
    this.slices = this.informers.forResource(endpointSlices);
    const handler = {
      onAdd: () => this.requestSync(),
      onUpdate: () => this.requestSync(),
      onDelete: () => this.requestSync(),
    };
    this.services.addEventHandler(handler);
    this.slices.addEventHandler(handler);
  }

  /** Runs until `signal` aborts; resolves once the caches have synced and the first rules are in. */
  async start(signal: AbortSignal): Promise<void> {
    this.informers.start(signal);
    signal.addEventListener('abort', () => void this.dataPath.stop(), { once: true });
    if (!(await this.informers.waitForCacheSync(signal))) return;
    this.synced = true;
    this.syncProxyRules();
  }

  async stop(): Promise<void> {
    await this.dataPath.stop();
    await this.informers.shutdown();
  }

  /** The rules as `iptables-save` would print them on this node. */
  rules(): string {
    return renderRules(this.ports, { clusterCIDR: this.options.clusterCIDR });
  }

  /** The frontends whose listener this node's proxy holds. */
  listeners(): string[] {
    return this.dataPath.bound().map((f) => `${f.protocol.toLowerCase()} ${f.address}:${f.port}`);
  }

  private requestSync(): void {
    if (!this.synced || this.syncPending) return;
    this.syncPending = true;
    queueMicrotask(() => {
      this.syncPending = false;
      this.syncProxyRules();
    });
  }

  private syncProxyRules(): void {
    this.ports = buildServicePorts(this.services.store.list(), this.slices.store.list());
    const frontends: Frontend[] = [];
    const live = new Set<string>();
    for (const info of this.ports) {
      const key = `${info.name}/${info.protocol}`;
      live.add(key);
      let balancer = this.balancers.get(key);
      if (!balancer) {
        balancer = new RoundRobin(this.clock);
        this.balancers.set(key, balancer);
      }
      const ready = readyEndpoints(info);
      balancer.update(ready, info.stickySeconds);
      if (ready.length === 0) continue;
      const { port, protocol } = info;
      frontends.push({ address: info.clusterIP, port, protocol, balancer });
      for (const ip of [...info.loadBalancerIPs, ...info.externalIPs])
        frontends.push({ address: ip, port, protocol, balancer });
      if (info.nodePort > 0)
        frontends.push({
          address: this.options.nodeIP,
          port: info.nodePort,
          protocol,
          balancer,
        });
    }
    for (const key of this.balancers.keys()) if (!live.has(key)) this.balancers.delete(key);
    this.dataPath.sync(frontends);
  }
}
