/** The pod's create and update rules (pkg/registry/core/pod/strategy.go), see ../../strategy.ts. */
import type { Pod } from '../../../../api/core/pod.ts';
import { podWarnings } from '../../../../api/core/pod-warnings.ts';
import { podQOSClass } from '../../../../api/core/qos.ts';
import { type Strategy, withStatusSubresource } from '../../strategy.ts';

const podStatusRules = withStatusSubresource<Pod>({
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
  warnings: podWarnings,
});

export const podStrategy: Strategy<Pod> = {
  ...podStatusRules,
  /** Kubelets write status; they may not touch the spec, deletion or (as old kubelets did) owner references. */
  prepareForStatusUpdate(pod, old) {
    pod.spec = structuredClone(old.spec);
    pod.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    pod.metadata.ownerReferences = structuredClone(old.metadata.ownerReferences);
  },
};
