import { namespaces } from '../api/core/register.ts';
import type { KubeObject } from '../api/meta.ts';
import type { RequestScope } from './registry/generic-store.ts';
import type { StoreLookup } from './registry/registration.ts';
import { forbidden, isNotFound, notFound } from './status.ts';

// kube-apiserver's default admission chain, for the plugins that matter in the lab:
// NamespaceLifecycle here, for everything namespaced; ServiceAccount, Priority and
// DefaultTolerationSeconds with the pods' registry (registry/core/pod/admission.ts).

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
  const ns = await stores(namespaces)
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
