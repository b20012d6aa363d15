import type { Lease } from '../api/coordination/lease.ts';
import { leases } from '../api/resources.ts';
import { isConflict, isNotFound } from '../client/rest-client.ts';
import type { KubeletConfig } from './config.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** metav1.MicroTime's wire form: microseconds, which a Date cannot hold, are zero. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/**
 * NodeLeaseController is the kubelet's heartbeat (pkg/kubelet/nodelease, k8s.io/component-helpers
 * lease controller): the Lease <node> in kube-node-lease, owned by the Node, whose renewTime it
 * moves forward every renew interval. The node lifecycle controller reads it to tell a live node
 * from a dead one without the cost of a full status write.
 */
export class NodeLeaseController {
  private latest: Lease | undefined;
  private readonly leaseClient;

  constructor(private readonly config: KubeletConfig) {
    this.leaseClient = config.client.resource(leases, NODE_LEASE_NAMESPACE);
  }

  /** Creates or renews the lease; `nodeUID` makes the Node its owner, so the lease goes with the node. */
  async renew(nodeUID: string): Promise<void> {
    const { nodeName, clock, nodeLeaseDurationSeconds } = this.config;
    const spec = {
      holderIdentity: nodeName,
      leaseDurationSeconds: nodeLeaseDurationSeconds,
      renewTime: microTime(clock.now()),
    };
    if (this.latest) {
      try {
        this.latest = await this.leaseClient.update({
          ...this.latest,
          spec: { ...this.latest.spec, ...spec },
        });
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        this.latest = undefined;
      }
    }
    const existing = await this.leaseClient.get(nodeName).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (existing) {
      this.latest = await this.leaseClient.update({ ...existing, spec: { ...existing.spec, ...spec } });
      return;
    }
    this.latest = await this.leaseClient.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }],
      },
      spec,
    } as Lease);
  }
}
