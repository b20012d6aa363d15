/**
 * RoundRobin picks the endpoint for each new connection of one Service port, after the old
 * userspace kube-proxy's LoadBalancerRR (pkg/proxy/userspace/roundrobin.go): endpoints in turn,
 * except that with ClientIP affinity a client that was sent somewhere within the timeout goes there
 * again while that endpoint is still in rotation.
 */
import type { Clock } from '../clock/clock.ts';
import { endpointString, type ProxyEndpoint } from './service-port.ts';

export class RoundRobin {
  private endpoints: readonly ProxyEndpoint[] = [];
  private next = 0;
  private stickySeconds = 0;
  /** client IP -> endpoint and when it was last used */
  private readonly affinity = new Map<string, { endpoint: string; lastUsed: number }>();

  constructor(private readonly clock: Clock) {}

  /** Replaces the rotation; a client's affinity survives as long as its endpoint stays. */
  update(endpoints: readonly ProxyEndpoint[], stickySeconds: number): void {
    const before = this.endpoints.map(endpointString).join(',');
    this.endpoints = endpoints;
    this.stickySeconds = stickySeconds;
    if (endpoints.map(endpointString).join(',') !== before) this.next = 0;
    const live = new Set(endpoints.map(endpointString));
    for (const [client, entry] of this.affinity) if (!live.has(entry.endpoint)) this.affinity.delete(client);
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** The endpoint for a new connection from `clientIP`, or undefined when none is ready. */
  pick(clientIP: string): ProxyEndpoint | undefined {
    if (this.endpoints.length === 0) return undefined;
    const now = this.clock.now();
    if (this.stickySeconds > 0) {
      const entry = this.affinity.get(clientIP);
      const endpoint = entry && this.endpoints.find((ep) => endpointString(ep) === entry.endpoint);
      if (entry && endpoint && now - entry.lastUsed < this.stickySeconds * 1000) {
        entry.lastUsed = now;
        return endpoint;
      }
    }
    const endpoint = this.endpoints[this.next % this.endpoints.length]!;
    this.next = (this.next + 1) % this.endpoints.length;
    if (this.stickySeconds > 0)
      this.affinity.set(clientIP, { endpoint: endpointString(endpoint), lastUsed: now });
    return endpoint;
  }
}
