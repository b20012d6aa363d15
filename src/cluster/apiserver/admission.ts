import type { Pod } from '../api/core/pod.ts';
import { admitPodPriority, admitPodServiceAccount, admitPodTolerations } from '../api/core/pod-admission.ts';
import { randomNameSuffix } from '../api/names.ts';
import type { StoreLookup } from './index.ts';
import type { RequestScope } from './registry/generic-store.ts';
import type { KubeObject } from './registry/strategy.ts';
import { forbidden, isNotFound, notFound } from './status.ts';

// kube-apiserver's default admission chain, for the plugins that matter in the lab:
// NamespaceLifecycle, ServiceAccount, Priority and DefaultTolerationSeconds.

/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist, or that is being
 * deleted (otherwise the namespace controller could never finish emptying it).
 */
export async function admitNamespaceLifecycle(
  resource: string,
  obj: KubeObject,
  scope: RequestScope,
  stores: StoreLookup,
): Promise<void> {
  const namespace = obj.metadata.namespace ?? scope.namespace;
  if (!namespace) return;
  const ns = await stores('', 'namespaces')
    .get('', namespace)
    .catch((err) => {
      if (isNotFound(err)) throw notFound({ group: '', resource: 'namespaces' }, namespace);
      throw err;
    });
  if (ns.metadata.deletionTimestamp) {
    const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
    // The NamespaceTerminating cause tells controllers their creates are futile, not failing.
    throw forbidden(`${resource} "${obj.metadata.name ?? ''}" is forbidden: ${why}`, {
      name: obj.metadata.name ?? '',
      kind: resource,
      causes: [{ reason: 'NamespaceTerminating', message: why, field: 'metadata.namespace' }],
    });
  }
}

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
