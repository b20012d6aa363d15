/**
 * What kube-apiserver's default admission plugins add to a new pod, as pure functions for the
 * API server's admission chain. These run for pods only, never for pod templates, which is why a
 * Deployment's template shows no priority or tolerations but its pods do.
 */
import type { Pod } from './pod.ts';
import type { Toleration } from './scheduling.ts';

/** The built-in PriorityClasses every cluster has, and their values. */
export const systemPriorityClasses: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/**
 * admitPodPriority is the Priority plugin for a cluster with no PriorityClass objects of its own:
 * no class means priority 0; a system class means its value. Returns an error message for any
 * other class, worded as the plugin does (the caller answers 403 Forbidden).
 */
export function admitPodPriority(pod: Pod): string | undefined {
  const className = pod.spec.priorityClassName;
  if (className) {
    const value = systemPriorityClasses[className];
    if (value === undefined) return `no PriorityClass with name ${className} was found`;
    pod.spec.priority = value;
  } else {
    pod.spec.priority = 0;
  }
  pod.spec.preemptionPolicy ??= 'PreemptLowerPriority';
  return undefined;
}

/**
 * Seconds a pod stays on a node that became not-ready or unreachable before it is evicted,
 * unless it says otherwise (DefaultTolerationSeconds plugin).
 */
export const defaultTolerationSeconds = 300;

/** admitPodTolerations adds the not-ready and unreachable NoExecute tolerations a pod does not already have. */
export function admitPodTolerations(pod: Pod, tolerationSeconds = defaultTolerationSeconds): void {
  const tolerations = pod.spec.tolerations ?? [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    // An empty key or effect in a toleration matches any key or effect.
    const covered = tolerations.some(
      (t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect),
    );
    if (covered) continue;
    const added: Toleration = {
      key,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds,
    };
    tolerations.push(added);
  }
  pod.spec.tolerations = tolerations;
}

/**
 * admitPodServiceAccount names the service account a pod runs as (the ServiceAccount plugin's
 * first step). Checking that the account exists and mounting its token are the API server's,
 * since they need the store.
 */
export function admitPodServiceAccount(pod: Pod): void {
  if (!pod.spec.serviceAccountName) pod.spec.serviceAccountName = 'default';
  pod.spec.serviceAccount = pod.spec.serviceAccountName;
}
