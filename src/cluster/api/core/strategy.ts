/** Create and update rules of the core/v1 kinds that have a status subresource (see ../strategy.ts). */
import { type Lifecycle, specChanged, withStatusSubresource } from '../strategy.ts';
import type { Namespace } from './namespace.ts';
import type { Node } from './node.ts';
import type { Pod } from './pod.ts';
import { podQOSClass } from './qos.ts';
import type { ReplicationController } from './replication-controller.ts';
import type { Service } from './service.ts';

const podStatusLifecycle = withStatusSubresource<Pod>({
  // A new pod is Pending; a gated one says why it is not being scheduled.
  initialStatus: (pod) => ({
    phase: 'Pending',
    qosClass: podQOSClass(pod),
    ...(pod.spec.schedulingGates?.length
      ? {
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              lastProbeTime: null,
              reason: 'SchedulingGated',
              message: 'Scheduling is blocked due to non-empty scheduling gates',
            },
          ],
        }
      : {}),
  }),
});

export const podLifecycle: Lifecycle<Pod> = {
  ...podStatusLifecycle,
  /** Kubelets write status; they may not touch the spec, deletion or (as old kubelets did) owner references. */
  prepareForStatusUpdate(pod, old) {
    pod.spec = structuredClone(old.spec);
    pod.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    pod.metadata.ownerReferences = structuredClone(old.metadata.ownerReferences);
  },
};

export const replicationControllerLifecycle = withStatusSubresource<ReplicationController>({
  initialStatus: () => ({ replicas: 0 }),
  generation: specChanged,
});

export const serviceLifecycle = withStatusSubresource<Service>({
  initialStatus: () => ({ loadBalancer: {} }),
  onCreate: defaultServiceIPFamilies,
});

/**
 * defaultServiceIPFamilies is what the service registry does on create in a single-stack IPv4
 * cluster such as the lab's: SingleStack IPv4, except that a headless service without a selector
 * asks for RequireDualStack (it gets whatever families the cluster has). Allocating the
 * clusterIP itself is the API server's job.
 */
function defaultServiceIPFamilies(service: Service): void {
  const spec = service.spec;
  if (spec.type === 'ExternalName') return;
  const headlessWithoutSelector =
    spec.type === 'ClusterIP' && spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
}

const namespaceStatusLifecycle = withStatusSubresource<Namespace>({
  initialStatus: () => ({ phase: 'Active' }),
  // The "kubernetes" finalizer makes the namespace controller empty the namespace before it goes.
  onCreate: (ns) => {
    const finalizers = ns.spec.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) ns.spec.finalizers = [...finalizers, 'kubernetes'];
  },
});

export const namespaceLifecycle: Lifecycle<Namespace> = {
  ...namespaceStatusLifecycle,
  /** Finalizers change only through the finalize subresource. */
  prepareForUpdate(ns, old) {
    namespaceStatusLifecycle.prepareForUpdate(ns, old);
    ns.spec.finalizers = structuredClone(old.spec.finalizers);
  },
};

/** Nodes may set their status on create (the kubelet registers with it); afterwards only through node/status. */
export const nodeLifecycle: Lifecycle<Node> = {
  prepareForCreate() {},
  prepareForUpdate(node, old) {
    node.status = structuredClone(old.status);
  },
  prepareForStatusUpdate(node, old) {
    node.spec = structuredClone(old.spec);
  },
};
