import type { Namespace } from '../../api/core/namespace.ts';
import type { Pod } from '../../api/core/pod.ts';
import { statusCauses } from '../../api/field-error.ts';
import { convertFieldSelector, FieldSelectorError, parseFieldSelector } from '../../api/fields.ts';
import { parseSelector, SelectorError } from '../../api/labels.ts';
import { decodeAs, findResource, type ResourceType, resources } from '../../api/resources.ts';
import { admitNamespaceLifecycle, admitPod, type PodAdmissionOptions } from '../admission.ts';
import type { SelectorParser } from '../handlers/resource.ts';
import type { ResourceRegistration, StoreLookup } from '../index.ts';
import { badRequest, invalid } from '../status.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { DeleteOptions, GenericStore, StoreHooks } from './generic-store.ts';
import { type ServiceAllocationOptions, ServiceAllocator } from './service-allocation.ts';
import type { KubeObject, Strategy } from './strategy.ts';

/**
 * strategyFor adapts a resource of the API catalog (schemas, defaults, lifecycle, validation) to
 * the generic registry's Strategy.
 */
export function strategyFor(type: ResourceType): Strategy {
  const api = type as unknown as ResourceType<KubeObject & Parameters<ResourceType['validate']>[0]>;
  return {
    resource: {
      group: type.group,
      version: type.version,
      kind: type.kind,
      listKind: type.listKind,
      plural: type.plural,
      singular: type.singular,
      shortNames: type.shortNames,
      namespaced: type.namespaced,
      verbs: type.verbs,
      categories: type.categories,
    },
    storagePrefix: type.storagePrefix ?? type.plural,
    allowCreateOnUpdate: type.allowCreateOnUpdate,
    decode(raw, fieldValidation) {
      const result = decodeAs(type, raw, fieldValidation);
      if (result.ok) return { obj: result.object as KubeObject, warnings: result.warnings };
      if (result.reason === 'BadRequest') throw badRequest(result.message);
      throw invalid(type.group, type.kind, nameOf(raw), statusCauses(result.errors));
    },
    prepareForCreate: (obj) => api.lifecycle.prepareForCreate(obj),
    prepareForUpdate: (obj, old) => api.lifecycle.prepareForUpdate(obj, old),
    prepareForStatusUpdate: (obj, old) => {
      if (api.lifecycle.prepareForStatusUpdate) api.lifecycle.prepareForStatusUpdate(obj, old);
      else obj.spec = structuredClone(old.spec);
    },
    validate: (obj) => statusCauses(api.validate(obj)),
    validateUpdate: (obj, old) => statusCauses(api.validate(obj, old)),
    warnings: (obj) => api.warnings?.(obj) ?? [],
    fields: (obj) => ({ ...api.fields.fieldSet(obj) }),
    isKnownKind: (group, version, kind) =>
      resources.some((r) => r.group === group && r.version === version && r.kind === kind),
  };
}

function nameOf(raw: unknown): string {
  const name = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/**
 * Every resource the catalog stores, with the admission and deletion rules kube-apiserver applies;
 * services get their cluster IPs and node ports from ranges kept in `storage`.
 */
export function builtinResources(
  stores: StoreLookup,
  storage?: ObjectStore,
  allocation: ServiceAllocationOptions = {},
  admission: PodAdmissionOptions = {},
): ResourceRegistration[] {
  const serviceAllocator = storage ? new ServiceAllocator(storage, allocation) : undefined;
  return resources.map((type) => ({
    strategy: strategyFor(type),
    subresources: type.subresources,
    hooks: {
      admitCreate: async (obj, scope) => {
        if (type.namespaced) await admitNamespaceLifecycle(type.plural, obj, scope, stores);
        if (type.plural === 'pods' && type.group === '') admitPod(obj as unknown as Pod, admission);
      },
      gracePeriod: type.plural === 'pods' && type.group === '' ? podGracePeriod : undefined,
      ...(type.plural === 'namespaces' && type.group === '' ? namespaceDeletion : {}),
      ...(type.plural === 'services' && type.group === '' ? serviceAllocator?.hooks() : {}),
    },
  }));
}

/**
 * A pod on a node is deleted gracefully: it is marked, its kubelet stops the containers within
 * the grace period, then deletes it for good with a grace period of 0. A pod no kubelet runs goes
 * at once.
 */
function podGracePeriod(obj: KubeObject, options: DeleteOptions): number | undefined {
  const pod = obj as unknown as Pod;
  if (!pod.spec.nodeName) return undefined;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return grace > 0 ? grace : undefined;
}

/**
 * A namespace is deleted in two steps, as kube-apiserver's namespace storage does: DELETE marks it
 * (deletionTimestamp, phase Terminating) while spec.finalizers names work to do ("kubernetes": the
 * namespace controller empties it), and the namespaces/finalize update that clears them removes it.
 */
const namespaceDeletion: Pick<StoreHooks, 'finalizersPending' | 'markDeleting'> = {
  finalizersPending: (obj) => ((obj as unknown as Namespace).spec?.finalizers?.length ?? 0) > 0,
  markDeleting: (obj) => {
    const ns = obj as unknown as Namespace;
    ns.status = { ...ns.status, phase: 'Terminating' };
  },
};

/** Label and field selectors of list and watch requests, with kube-apiserver's 400 wording. */
export const selectorParser: SelectorParser = {
  predicate(store: GenericStore, labelSelector: string | null, fieldSelector: string | null) {
    if (!labelSelector && !fieldSelector) return undefined;
    const { group, version, plural } = store.strategy.resource;
    const type = findResource(group, version, plural);
    try {
      const labels = parseSelector(labelSelector ?? '');
      const fields = type
        ? convertFieldSelector(parseFieldSelector(fieldSelector ?? ''), type.fields)
        : undefined;
      return (obj: KubeObject) =>
        labels.matches(obj.metadata.labels) && (!fields || fields.matches(store.strategy.fields(obj)));
    } catch (err) {
      if (err instanceof SelectorError || err instanceof FieldSelectorError) {
        const gvr = `${group ? `${group}/` : '/'}${version}, Resource=${plural}`;
        throw badRequest(
          `Unable to find "${gvr}" that match label selector "${labelSelector ?? ''}", field selector "${fieldSelector ?? ''}": ${err.message}`,
        );
      }
      throw err;
    }
  },
};
