/**
 * pods: the registry module kube keeps in pkg/registry/core/pod, in one folder because it is the
 * biggest: the create and status rules (strategy.ts), admission (admission.ts), binding to a node
 * (binding.ts), eviction (eviction.ts), what the kubelet serves for a pod (connect.ts: log, exec,
 * attach, port-forward), and `kubectl get pods` (printer.ts).
 */
import type { Pod } from '../../../../api/core/pod.ts';
import { pods as resource } from '../../../../api/core/register.ts';
import type { DeleteOptions } from '../../generic-store.ts';
import type { ResourceRegistration } from '../../registration.ts';
import { admitPod } from './admission.ts';
import { podBinding } from './binding.ts';
import { podAttach, podExec, podLog, podPortForward } from './connect.ts';
import { podEviction } from './eviction.ts';
import { podConvertor } from './printer.ts';
import { podStrategy } from './strategy.ts';

/**
 * A pod on a node is deleted gracefully: it is marked, its kubelet stops the containers within
 * the grace period, then deletes it for good with a grace period of 0. A pod no kubelet runs goes
 * at once.
 */
function podGracePeriod(pod: Pod, options: DeleteOptions): number | undefined {
  if (!pod.spec.nodeName) return undefined;
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return undefined;
  const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return grace > 0 ? grace : undefined;
}

export const pods: ResourceRegistration<Pod> = {
  resource,
  strategy: podStrategy,
  hooks: ({ options }) => ({
    admitCreate: async (pod) => admitPod(pod, options),
    gracePeriod: podGracePeriod,
  }),
  subresources: {
    binding: podBinding,
    eviction: podEviction,
    log: podLog,
    exec: podExec,
    attach: podAttach,
    portforward: podPortForward,
  },
  printer: podConvertor,
};
