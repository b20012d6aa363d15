/**
 * The per-kind parts of kube-apiserver's registry strategies (pkg/registry/<group>/<kind>/strategy.go)
 * that need no storage: what a create resets, what an update keeps, when the generation moves.
 * The API server's generic registry calls these around defaulting and validation.
 */
import { semanticEqual } from './equality.ts';
import type { KubeObject } from './meta.ts';

export interface Lifecycle<T> {
  /** Reset what a client may not set on create (status, generation). */
  prepareForCreate(obj: T): void;
  /** Keep what an update of the main resource may not change (status, for kinds with a status subresource). */
  prepareForUpdate(obj: T, old: T): void;
  /** For the status subresource: keep everything but status. */
  prepareForStatusUpdate?(obj: T, old: T): void;
}

/** A kind without a status subresource: create and update take the object as sent. */
export const asSent: Lifecycle<unknown> = {
  prepareForCreate() {},
  prepareForUpdate() {},
};

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
 * withStatusSubresource builds the lifecycle of a kind whose status is written only through
 * <resource>/status: create starts from `initialStatus`, the main resource never changes status,
 * and the status subresource never changes spec. With `generation`, spec changes bump it.
 */
export function withStatusSubresource<T extends KubeObject & { spec: unknown; status: unknown }>(options: {
  initialStatus(obj: T): T['status'];
  generation?: (obj: T, old: T) => boolean;
  onCreate?(obj: T): void;
}): Lifecycle<T> {
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
  };
}

/** withGeneration: a kind without status whose generation still counts changes (IngressClass, EndpointSlice). */
export function withGeneration<T extends KubeObject>(changed: (obj: T, old: T) => boolean): Lifecycle<T> {
  return {
    prepareForCreate(obj) {
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      bumpGeneration(obj, old, changed(obj, old));
    },
  };
}
