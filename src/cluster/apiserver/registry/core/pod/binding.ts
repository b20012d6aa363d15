/**
 * Binding a pod to a node: the scheduler's pods/<name>/binding, and the older top-level bindings
 * resource that names the pod in the binding's own metadata. Neither stores a Binding.
 */
import type { Binding } from '../../../../api/core/binding.ts';
import type { Pod } from '../../../../api/core/pod.ts';
import { pods as podsResource } from '../../../../api/core/register.ts';
import { formatTime } from '../../../../api/meta.ts';
import { sendJSON } from '../../../http.ts';
import { conflict, invalid, methodNotSupported } from '../../../status.ts';
import type { GenericStore } from '../../generic-store.ts';
import type { SubresourceHandler } from '../../registration.ts';

/** A success Status, as kube-apiserver answers a binding or an eviction. */
export const success = (code: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  code,
});

/**
 * assignPod sets spec.nodeName once (a bound pod is never moved) and records the PodScheduled
 * condition. Like kube-apiserver's assignPod, the node and the condition go in one write, past the
 * update rules that keep a pod's spec immutable for clients.
 */
async function assignPod(
  pods: GenericStore<Pod>,
  namespace: string,
  name: string,
  binding: Partial<Binding>,
  now: number,
): Promise<Pod> {
  const node = binding.target?.name;
  if (!node)
    throw invalid('', 'Binding', name, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' },
    ]);
  return pods.systemUpdate(namespace, name, (pod) => {
    if (pod.metadata.deletionTimestamp) {
      throw conflict(pods.groupResource, name, 'pod is being deleted, cannot be assigned to a host');
    }
    if (pod.spec.nodeName) {
      throw conflict(
        pods.groupResource,
        name,
        `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
      );
    }
    pod.spec.nodeName = node;
    // The binding's annotations land on the pod in the same write (setPodHostAndAnnotations).
    const annotations = binding.metadata?.annotations;
    if (annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations };
    const conditions = (pod.status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: formatTime(now),
    });
    pod.status = { ...pod.status, conditions };
    return pod;
  });
}

/** pods/binding: the scheduler's way of placing a pod. */
export const podBinding: SubresourceHandler<Pod> = async (ctx, deps) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  // Read as sent: a binding without a target is refused with kube-apiserver's own 422.
  const binding = ((await ctx.body()) ?? {}) as Partial<Binding>;
  const pod = await assignPod(ctx.store, ctx.scope.namespace, ctx.info.name, binding, deps.clock.now());
  ctx.produced(pod.metadata.resourceVersion);
  sendJSON(ctx.res, 201, success(201));
};

/** bindings: the same, for the pod the binding names. */
export const createBinding: SubresourceHandler<Binding> = async (ctx, deps) => {
  const binding = ((await ctx.body()) ?? {}) as Partial<Binding>;
  const pods = deps.stores(podsResource);
  const pod = await assignPod(
    pods,
    ctx.scope.namespace,
    binding.metadata?.name ?? '',
    binding,
    deps.clock.now(),
  );
  ctx.produced(pod.metadata.resourceVersion);
  sendJSON(ctx.res, 201, success(201));
};
