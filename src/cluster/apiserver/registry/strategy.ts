/**
 * Strategy is what differs from resource to resource when the generic store creates or updates an
 * object, after k8s.io/apiserver's RESTCreateStrategy, RESTUpdateStrategy and the status
 * strategies of pkg/registry/<group>/<resource>/strategy.go: what a create resets, what an update
 * keeps, when the generation moves, what the status subresource may change. Decoding, defaults and
 * validation come from the API (src/cluster/api); names, uids, resourceVersions, concurrency,
 * deletion and watch are the same for every resource (generic-store.ts).
 *
 * The generic store calls them in this order:
 *
 *   create:  decode + defaults -> prepareForCreate -> validate -> warnings -> admission -> store
 *   update:  decode + defaults -> prepareForUpdate(obj, old) -> validate(obj, old) -> store
 *   status:  decode + defaults -> prepareForStatusUpdate(obj, old) -> validate(obj, old) -> store
 */
import { semanticEqual } from '../../api/equality.ts';
import type { KubeObject } from '../../api/meta.ts';

export interface Strategy<T extends KubeObject> {
  /** Reset what a client may not set on create (status, generation). */
  prepareForCreate(obj: T): void;
  /** Keep what an update of the main resource may not change (status), and move the generation on. */
  prepareForUpdate(obj: T, old: T): void;
  /**
   * For `<resource>/status`: keep everything but status. Present exactly when the resource lists
   * a status subresource (the registry checks this when it starts).
   */
  prepareForStatusUpdate?(obj: T, old: T): void;
  /** PUT of a missing object creates it (AllowCreateOnUpdate): events, endpoints, leases, RBAC. */
  readonly allowCreateOnUpdate?: boolean;
  /** Warnings about an accepted object (WarningsOnCreate/OnUpdate), such as fields the lab does not act on. */
  warnings?(obj: T): string[];
}

/** A kind without a status subresource: create and update take the object as sent. */
export const asSent: Strategy<KubeObject> = {
  prepareForCreate() {},
  prepareForUpdate() {},
};

/** asSent, and a PUT of a missing object creates it. */
export const asSentCreateOnUpdate: Strategy<KubeObject> = { ...asSent, allowCreateOnUpdate: true };

/**
 * bumpGeneration moves metadata.generation on when the desired state changed, so controllers can
 * tell a spec change (generation > status.observedGeneration) from a status write.
 */
export function bumpGeneration(obj: KubeObject, old: KubeObject, changed: boolean): void {
  obj.metadata.generation = changed ? (old.metadata.generation ?? 0) + 1 : old.metadata.generation;
}

export function specChanged<T extends KubeObject & { spec: unknown }>(obj: T, old: T): boolean {
  return !semanticEqual(obj.spec, old.spec);
}

/**
 * withStatusSubresource builds the strategy of a kind whose status is written only through
 * <resource>/status: create starts from `initialStatus`, the main resource never changes status,
 * and the status subresource never changes spec. With `generation`, spec changes bump it.
 */
export function withStatusSubresource<T extends KubeObject & { spec: unknown; status: unknown }>(options: {
  initialStatus(obj: T): T['status'];
  generation?: (obj: T, old: T) => boolean;
  onCreate?(obj: T): void;
  warnings?(obj: T): string[];
}): Strategy<T> {
  return {
    prepareForCreate(obj) {
      obj.status = options.initialStatus(obj);
      if (options.generation) obj.metadata.generation = 1;
      options.onCreate?.(obj);
    },
    prepareForUpdate(obj, old) {
      obj.status = structuredClone(old.status);
      if (options.generation) bumpGeneration(obj, old, options.generation(obj, old));
    },
    prepareForStatusUpdate(obj, old) {
      obj.spec = structuredClone(old.spec);
    },
    ...(options.warnings ? { warnings: options.warnings } : {}),
  };
}

/** withGeneration: a kind without status whose generation still counts changes (IngressClass, EndpointSlice). */
export function withGeneration<T extends KubeObject>(changed: (obj: T, old: T) => boolean): Strategy<T> {
  return {
    prepareForCreate(obj) {
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      bumpGeneration(obj, old, changed(obj, old));
    },
  };
}
