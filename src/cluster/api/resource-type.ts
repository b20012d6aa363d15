/**
 * What the API says about a kind and the resource that serves it, and nothing about how a server
 * keeps it: the names discovery publishes (plural, short names, categories, verbs, subresources),
 * the schema, defaults, validation and selectable fields. Clients (controllers, the kubelet, the
 * UI's kubectl) read these as client-go reads its scheme; the API server's registry
 * (src/cluster/apiserver/registry/<group>/<resource>) adds the behaviour: strategy, hooks, printer.
 *
 * Each group declares its resources in `<group>/register.ts`, as Kubernetes' `register.go` does;
 * `resources.ts` gathers the groups into the scheme.
 */
import type { z } from 'zod';
import type { FieldError } from './field-error.ts';
import type { SelectableFields } from './fields.ts';
import type { KubeObject } from './meta.ts';
import { validateObjectMetaUpdate } from './validation.ts';

/** A kind the API reads from request bodies: its schema, defaults and validation. */
export interface KindType<T> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: z.ZodType<T>;
  /** Fill in defaults in place, as decoding does in Kubernetes. */
  defaults(obj: T): void;
  /** Validate a new object, or (with `old`) an update of `old`. */
  validate(obj: T, old?: T): FieldError[];
}

/** The names of the subresources the API serves; each has a handler in the resource's registry module. */
export type SubresourceName =
  | 'status'
  | 'scale'
  | 'binding'
  | 'eviction'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  | 'finalize'
  | 'token';

/** A subresource as discovery lists it; its kind may live in another group (pods/eviction is policy/v1). */
export interface Subresource {
  readonly name: SubresourceName;
  readonly kind: string;
  readonly group?: string;
  readonly version?: string;
  readonly verbs: readonly string[];
}

export interface ResourceType<T extends KubeObject = KubeObject> extends KindType<T> {
  readonly listKind: string;
  /** The resource name in URLs: "pods". */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** "all" puts the resource in `kubectl get all`. */
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /**
   * Where objects live under /registry, as `etcdctl get --prefix` shows them (Kubernetes'
   * historical names: nodes are "minions"); undefined for a resource that is never stored.
   */
  readonly storagePrefix: string | undefined;
  readonly fields: SelectableFields<T>;
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `<resource>/status`: how controllers and kubelets write what they observed. */
export const statusSubresource = (kind: string): Subresource => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});

/** `<workload>/scale`, an autoscaling/v1 Scale whatever the workload's kind. */
export const scaleSubresource: Subresource = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};

export const noDefaults = () => {};

type Definition<T extends KubeObject> = Omit<
  ResourceType<T>,
  'listKind' | 'singular' | 'verbs' | 'categories' | 'subresources' | 'shortNames' | 'defaults'
> &
  Partial<Pick<ResourceType<T>, 'verbs' | 'categories' | 'subresources' | 'shortNames' | 'defaults'>>;

/** defineResource fills in what nearly every resource shares: list kind, singular name, all verbs, no extras. */
export function defineResource<T extends KubeObject>(d: Definition<T>): ResourceType<T> {
  return {
    listKind: `${d.kind}List`,
    singular: d.kind.toLowerCase(),
    verbs: allVerbs,
    categories: [],
    subresources: [],
    shortNames: [],
    defaults: noDefaults,
    ...d,
  };
}

/** updateOf combines a create validator with the metadata rules of an update, for kinds with nothing more. */
export function updateOf<T extends KubeObject>(
  validate: (obj: T) => FieldError[],
): (obj: T, old?: T) => FieldError[] {
  return (obj, old) =>
    old ? [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj)] : validate(obj);
}

/** createOrUpdate picks the create or the update validator of a kind. */
export function createOrUpdate<T>(
  create: (obj: T) => FieldError[],
  update: (obj: T, old: T) => FieldError[],
) {
  return (obj: T, old?: T) => (old ? update(obj, old) : create(obj));
}
