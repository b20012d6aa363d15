/**
 * namespaces: created Active with the "kubernetes" finalizer, deleted in two steps, and finalized
 * through namespaces/finalize by the namespace controller once it has emptied them.
 */
import type { Namespace } from '../../../api/core/namespace.ts';
import { namespaces as resource } from '../../../api/core/register.ts';
import { sendJSON } from '../../http.ts';
import { methodNotSupported } from '../../status.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration, SubresourceHandler } from '../registration.ts';
import { type Strategy, withStatusSubresource } from '../strategy.ts';

const statusRules = withStatusSubresource<Namespace>({
  initialStatus: () => ({ phase: 'Active' }),
  // The "kubernetes" finalizer makes the namespace controller empty the namespace before it goes.
  onCreate: (ns) => {
    const finalizers = ns.spec.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) ns.spec.finalizers = [...finalizers, 'kubernetes'];
  },
});

const namespaceStrategy: Strategy<Namespace> = {
  ...statusRules,
  /** Finalizers change only through the finalize subresource. */
  prepareForUpdate(ns, old) {
    statusRules.prepareForUpdate(ns, old);
    ns.spec.finalizers = structuredClone(old.spec.finalizers);
  },
};

/**
 * namespaces/finalize: how the namespace controller says its work is done. The update sets
 * spec.finalizers (which the main resource keeps as they are); when none are left on a namespace
 * being deleted, the namespace is removed.
 */
const namespaceFinalize: SubresourceHandler<Namespace> = async (ctx) => {
  if (ctx.info.verb !== 'update') throw methodNotSupported();
  const body = (await ctx.body()) as Partial<Namespace> | null;
  const finalizers = body?.spec?.finalizers ?? [];
  const updated = await ctx.store
    .guaranteedUpdate(
      ctx.scope,
      ctx.info.name,
      (ns) => {
        const version = body?.metadata?.resourceVersion;
        if (version) ns.metadata.resourceVersion = version;
        ns.spec = { ...ns.spec, finalizers: finalizers.length > 0 ? finalizers : undefined };
        return ns;
      },
      'finalize',
    )
    .catch((err) => Promise.reject(ctx.store.storageError(err, ctx.info.name)));
  ctx.produced(updated.metadata.resourceVersion);
  sendJSON(ctx.res, 200, updated);
};

/** The namespace printer: `kubectl get namespaces`, STATUS being Active or Terminating. */
export const namespaceConvertor: TableConvertor<Namespace> = {
  columns: [nameColumn, column('Status', 'string', 'Active, or Terminating while being deleted.'), ageColumn],
  cells(namespace, now) {
    return [nameCell(namespace), namespace.status?.phase ?? '', ageCell(namespace, now)];
  },
};

export const namespaces: ResourceRegistration<Namespace> = {
  resource,
  strategy: namespaceStrategy,
  /**
   * A namespace is deleted in two steps, as kube-apiserver's namespace storage does: DELETE marks it
   * (deletionTimestamp, phase Terminating) while spec.finalizers names work to do ("kubernetes": the
   * namespace controller empties it), and the namespaces/finalize update that clears them removes it.
   */
  hooks: () => ({
    finalizersPending: (ns) => (ns.spec.finalizers?.length ?? 0) > 0,
    markDeleting: (ns) => {
      ns.status = { ...ns.status, phase: 'Terminating' };
    },
  }),
  subresources: { finalize: namespaceFinalize },
  printer: namespaceConvertor,
};
