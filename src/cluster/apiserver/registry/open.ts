import type { KubeObject } from '../../api/meta.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import type { Clock } from '../../clock/clock.ts';
import { admitNamespaceLifecycle } from '../admission.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { GenericStore } from './generic-store.ts';
import {
  type RegistryOptions,
  type ResourceRegistration,
  registrationProblems,
  type ServedResource,
  type StoreLookup,
} from './registration.ts';
import { asSent } from './strategy.ts';

/** The stores of every registration, and the lookup hooks and handlers reach other resources by. */
export interface OpenRegistry {
  readonly served: readonly ServedResource[];
  readonly stores: StoreLookup;
}

/**
 * openRegistry gives every registration its store over `storage`, with its hooks and the
 * admission every namespaced resource goes through (NamespaceLifecycle). A registration that does
 * not fit the API's facts (registrationProblems) stops the server from starting.
 */
export function openRegistry(
  registrations: readonly ResourceRegistration[],
  storage: ObjectStore,
  clock: Clock,
  options: RegistryOptions,
): OpenRegistry {
  const problems = registrations.flatMap(registrationProblems);
  if (problems.length > 0)
    throw new Error(`apiserver: registry does not fit the API: ${problems.join('; ')}`);
  const served: ServedResource[] = [];
  const stores: StoreLookup = <T extends KubeObject>(resource: ResourceType<T>): GenericStore<T> => {
    for (const { store } of served) if (isStoreOf(store, resource)) return store;
    throw new Error(`apiserver: no store for ${resource.plural}.${resource.group}`);
  };
  for (const registration of registrations) {
    served.push(open(registration, storage, clock, { storage, stores, options }));
  }
  return { served, stores };
}

function open<T extends KubeObject>(
  registration: ResourceRegistration<T>,
  storage: ObjectStore,
  clock: Clock,
  deps: { storage: ObjectStore; stores: StoreLookup; options: RegistryOptions },
): ServedResource<T> {
  const { resource } = registration;
  const hooks = registration.hooks?.(deps) ?? {};
  const store = new GenericStore<T>(resource, registration.strategy ?? asSent, storage, clock, {
    ...hooks,
    admitCreate: async (obj, scope) => {
      if (resource.namespaced) await admitNamespaceLifecycle(resource.plural, obj, scope, deps.stores);
      await hooks.admitCreate?.(obj, scope);
    },
  });
  return { registration, store };
}

/** A store serves exactly one resource: the one it was opened for. */
function isStoreOf<T extends KubeObject>(
  store: GenericStore<KubeObject>,
  resource: ResourceType<T>,
): store is GenericStore<T> {
  return store.resource === resource;
}
