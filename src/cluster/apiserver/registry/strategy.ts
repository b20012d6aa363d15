import type { StatusCause } from '../status.ts';
import type { StoredObject } from '../storage/object-store.ts';

/** How a resource is named and served: the facts discovery publishes. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** The resource name in URLs: "pods". */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly categories: readonly string[];
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** An API object as the registry handles it: any JSON object with Kubernetes metadata. */
export interface KubeObject extends StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  finalizers?: string[];
  [field: string]: unknown;
}

/** A body decoded for a resource: the typed, defaulted object and any warnings for the client. */
export interface Decoded {
  readonly obj: KubeObject;
  readonly warnings: string[];
}

/**
 * Strategy is what differs from resource to resource in the generic registry, named after
 * k8s.io/apiserver's RESTCreateStrategy / RESTUpdateStrategy: how a body is decoded and defaulted,
 * what create and update keep or reset, and how it is validated. Everything else (names, uids,
 * resourceVersions, concurrency, deletion, watch) is the same for every resource.
 */
export interface Strategy {
  readonly resource: ApiResource;
  /** Where objects live under /registry: "pods", and Kubernetes' historical "minions" for nodes. */
  readonly storagePrefix: string;
  /** PUT may create the object when it does not exist yet. */
  readonly allowCreateOnUpdate: boolean;
  decode(raw: unknown, fieldValidation: FieldValidation): Decoded;
  /** Resets what a client may not set on create (status, generation). */
  prepareForCreate(obj: KubeObject): void;
  /** Keeps what the main resource may not change (status), and moves the generation on. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** For the status subresource: keeps everything but status. */
  prepareForStatusUpdate(obj: KubeObject, old: KubeObject): void;
  validate(obj: KubeObject): StatusCause[];
  /** Warnings for an accepted create or update of the main resource (WarningsOnCreate/OnUpdate). */
  warnings(obj: KubeObject): string[];
  validateUpdate(obj: KubeObject, old: KubeObject): StatusCause[];
  /**
   * Whether the API server knows `kind` in `group/version` (kube-apiserver's scheme): it decides how
   * a body of another kind or version is refused. Without it, only the resource's own kind is known.
   */
  isKnownKind?(group: string, version: string, kind: string): boolean;
  /** The fields field selectors can use, beyond metadata.name and metadata.namespace. */
  fields(obj: KubeObject): Record<string, string>;
}
