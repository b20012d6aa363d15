/**
 * The admission plugins of kube-apiserver's default chain that act on pods: ServiceAccount (with
 * the token volume it mounts), Priority and DefaultTolerationSeconds. NamespaceLifecycle, which
 * acts on everything namespaced, is in ../../../admission.ts.
 */
import type { Pod } from '../../../../api/core/pod.ts';
import {
  admitPodPriority,
  admitPodServiceAccount,
  admitPodTolerations,
} from '../../../../api/core/pod-admission.ts';
import { randomNameSuffix } from '../../../../api/names.ts';
import { forbidden } from '../../../status.ts';

const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The projected token lives a little over an hour, as kube-apiserver's bound tokens do (3607 s). */
const TOKEN_EXPIRATION_SECONDS = 3607;

/** What a new pod gets before it is stored: its service account and token, priority, tolerations. */
export interface PodAdmissionOptions {
  /**
   * tolerationSeconds of the not-ready and unreachable tolerations DefaultTolerationSeconds adds
   * (kube-apiserver's --default-not-ready-toleration-seconds and
   * --default-unreachable-toleration-seconds): 300 unless given.
   */
  readonly defaultTolerationSeconds?: number;
}

export function admitPod(pod: Pod, options: PodAdmissionOptions = {}): void {
  admitPodServiceAccount(pod);
  mountServiceAccountToken(pod);
  const refused = admitPodPriority(pod);
  if (refused) throw forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: ${refused}`);
  admitPodTolerations(pod, options.defaultTolerationSeconds);
}

/**
 * The ServiceAccount plugin's second step: a projected volume with the account's token, the
 * cluster CA (the kube-root-ca.crt ConfigMap) and the namespace, mounted into every container
 * where in-cluster clients look for them, unless the pod opts out.
 */
function mountServiceAccountToken(pod: Pod): void {
  if (pod.spec.automountServiceAccountToken === false) return;
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (containers.some((c) => c.volumeMounts?.some((m) => m.mountPath === TOKEN_MOUNT_PATH))) return;
  const name = `kube-api-access-${randomNameSuffix()}`;
  pod.spec.volumes = [
    ...(pod.spec.volumes ?? []),
    {
      name,
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    },
  ];
  for (const container of containers) {
    container.volumeMounts = [
      ...(container.volumeMounts ?? []),
      { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH },
    ];
  }
}
