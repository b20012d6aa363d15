import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { NodeInfo, podRequests } from '../scheduler/framework/node-info.ts';
import {
  matchesRequiredAffinity,
  Name as NodeAffinityName,
  ErrReasonPod as NodeAffinityReason,
} from '../scheduler/plugins/nodeaffinity/node-affinity.ts';
import { insufficientResources } from '../scheduler/plugins/noderesources/fit.ts';
import {
  findUntoleratedTaint,
  Name as TaintTolerationName,
} from '../scheduler/plugins/tainttoleration/taint-toleration.ts';

/** Why the kubelet refused a pod: the pod's status reason and message (lifecycle.PodAdmitResult). */
export interface PodAdmitRejection {
  readonly reason: string;
  readonly message: string;
}

/**
 * canAdmitPod is the kubelet's predicate admit handler (pkg/kubelet/lifecycle/predicate.go): the
 * scheduler's own filters run again on the node, against what the node's admitted pods already
 * request, since a pod may arrive with spec.nodeName set by hand and no scheduler in the way.
 * The kubelet checks only NoExecute taints: those are the ones that would evict the pod anyway.
 */
export function canAdmitPod(pod: Pod, node: Node, admitted: readonly Pod[]): PodAdmitRejection | undefined {
  const nodeInfo = new NodeInfo(node);
  for (const other of admitted) nodeInfo.addPod(other);
  const missing = insufficientResources(podRequests(pod), nodeInfo)[0];
  if (missing) {
    const { resourceName, requested, used, capacity } = missing;
    return {
      reason: `OutOf${resourceName}`,
      message: `Node didn't have enough resource: ${resourceName}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
    };
  }
  if (!matchesRequiredAffinity(pod, node)) {
    return {
      reason: NodeAffinityName,
      message: `Predicate ${NodeAffinityName} failed: ${NodeAffinityReason}`,
    };
  }
  const taint = findUntoleratedTaint(node.spec.taints ?? [], pod.spec.tolerations ?? [], ['NoExecute']);
  if (taint) {
    return {
      reason: TaintTolerationName,
      message: `Predicate ${TaintTolerationName} failed: node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    };
  }
  return undefined;
}
