import { createHash } from 'node:crypto';
import type { Container } from '../../api/core/container.ts';
import type { Pod } from '../../api/core/pod.ts';

/**
 * The labels and annotations the kubelet puts on sandboxes and containers (kuberuntime/labels.go),
 * with the same keys, so `crictl ps` shows which pod a container belongs to and a restarted
 * kubelet can find its pods' containers again from the runtime alone.
 */
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_GRACE_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';

export function podLabels(pod: Pod): Record<string, string> {
  return {
    ...pod.metadata.labels,
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata.uid ?? '',
  };
}

export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata.uid ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
  };
}

/**
 * HashContainer: a container whose spec changed (kubectl set image on a bare pod) no longer
 * matches the hash its running instance was started with, and is restarted.
 */
export function hashContainer(container: Container): string {
  return createHash('sha256').update(JSON.stringify(container)).digest('hex').slice(0, 8);
}

/** format.Pod: name_namespace(uid), how the kubelet names a pod in messages. */
export const formatPod = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
