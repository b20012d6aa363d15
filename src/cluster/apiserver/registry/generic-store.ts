import { randomUUID } from 'node:crypto';
import type { FieldValidation } from '../../api/decode.ts';
import { statusCauses } from '../../api/field-error.ts';
import { formatTime, type KubeObject } from '../../api/meta.ts';
import { randomNameSuffix } from '../../api/names.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { isKnownKind } from '../../api/resources.ts';
import type { Clock } from '../../clock/clock.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  type GroupResource,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  type StatusCause,
  type StatusError,
  tooLargeResourceVersion,
} from '../status.ts';
import { isStorageError } from '../storage/errors.ts';
import type { ListResult, ObjectStore, StorageEvent } from '../storage/object-store.ts';
import { decodeKind } from './decode-kind.ts';
import type { Strategy } from './strategy.ts';

export interface RequestScope {
  /** The namespace in the URL, "" for cluster-scoped requests and lists across namespaces. */
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly fieldValidation: FieldValidation;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
}

/** A body decoded for a resource: the typed, defaulted object and any warnings for the client. */
export interface Decoded<T extends KubeObject> {
  readonly obj: T;
  readonly warnings: string[];
}

/** A write's outcome: the object and the warnings to send as `Warning:` headers. */
export interface WriteResult<T extends KubeObject> {
  readonly obj: T;
  readonly warnings: string[];
  /** True when a create happened (201 rather than 200). */
  readonly created?: boolean;
}

/** Ends what a begin hook started: keep it when the write succeeded, undo it when it did not. */
export type FinishFunc = (success: boolean) => Promise<void>;

/**
 * Hooks the generic store calls around writes of one resource: admission, graceful deletion, what
 * the object holds outside itself. A resource's registry module supplies them, typed for its kind.
 */
export interface StoreHooks<T extends KubeObject> {
  /** Admission before a create is stored (namespace lifecycle, defaults from other objects). */
  admitCreate?(obj: T, scope: RequestScope): Promise<void>;
  /** Seconds a deletion waits (a pod on a node waits for its kubelet); undefined deletes at once. */
  gracePeriod?(obj: T, options: DeleteOptions): number | undefined;
  /**
   * Reserves what the object takes outside itself (a service's cluster IP and node ports) once it
   * is valid, as kube-apiserver's BeginCreate; the store finishes it with the write's outcome.
   */
  beginCreate?(obj: T, scope: RequestScope): Promise<FinishFunc | undefined>;
  /** The same for an update (BeginUpdate), before the update is validated; may fill in kept values. */
  beginUpdate?(obj: T, old: T, scope: RequestScope): Promise<FinishFunc | undefined>;
  /** After the object is gone from the store: release what it held. */
  afterDelete?(obj: T): Promise<void>;
  /**
   * Finalizers a resource keeps outside metadata.finalizers (a namespace's spec.finalizers): while
   * this says some remain, a delete only marks the object, and removing them completes it.
   */
  finalizersPending?(obj: T): boolean;
  /** What else changes when the object is marked for deletion (a namespace turns Terminating). */
  markDeleting?(obj: T): void;
}

/**
 * GenericStore is the registry every resource shares, after k8s.io/apiserver's registry.Store:
 * it turns API verbs into storage operations, setting what the server owns (uid, timestamps,
 * generation, resourceVersion) and enforcing optimistic concurrency, finalizers and graceful
 * deletion. What differs per resource comes from the API (schema, defaults, validation, fields),
 * its Strategy and its hooks, all typed for the resource's kind `T`.
 */
export class GenericStore<T extends KubeObject> {
  readonly groupResource: GroupResource;
  /** Where objects live under /registry: "pods", and Kubernetes' historical "minions" for nodes. */
  private readonly storagePrefix: string;

  constructor(
    readonly resource: ResourceType<T>,
    readonly strategy: Strategy<T>,
    private readonly storage: ObjectStore,
    private readonly clock: Clock,
    private readonly hooks: StoreHooks<T> = {},
  ) {
    this.groupResource = { group: resource.group, resource: resource.plural };
    this.storagePrefix = resource.storagePrefix ?? resource.plural;
  }

  /** /registry/<prefix>/<namespace>/<name>, or /registry/<prefix>/<name> when cluster-scoped. */
  key(namespace: string, name: string): string {
    return this.resource.namespaced
      ? `/registry/${this.storagePrefix}/${namespace}/${name}`
      : `/registry/${this.storagePrefix}/${name}`;
  }

  /** The prefix a list or watch reads: one namespace, or all of them. */
  prefix(namespace: string): string {
    return this.resource.namespaced && namespace
      ? `/registry/${this.storagePrefix}/${namespace}/`
      : `/registry/${this.storagePrefix}/`;
  }

  async get(namespace: string, name: string): Promise<T> {
    const obj = await this.storage.get<T>(this.key(namespace, name));
    if (!obj) throw notFound(this.groupResource, name);
    return this.withTypeMeta(obj);
  }

  async list(
    namespace: string,
    options: { limit?: number; continue?: string; revision?: number; predicate?: (obj: T) => boolean },
  ): Promise<ListResult<T>> {
    try {
      const result = await this.storage.list<T>(this.prefix(namespace), {
        limit: options.limit,
        continue: options.continue,
        revision: options.revision,
        predicate: options.predicate,
      });
      return { ...result, items: result.items.map((obj) => this.withTypeMeta(obj)) };
    } catch (err) {
      throw this.storageError(err, '');
    }
  }

  async create(raw: unknown, scope: RequestScope): Promise<WriteResult<T>> {
    const { obj, warnings } = this.decode(raw, scope);
    this.setNamespace(obj, scope);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomNameSuffix();
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    this.strategy.prepareForCreate(obj);
    this.assertValid(obj, statusCauses(this.resource.validate(obj)));
    warnings.push(...(this.strategy.warnings?.(obj) ?? []));
    await this.hooks.admitCreate?.(obj, scope);
    const finish = await this.hooks.beginCreate?.(obj, scope);
    if (scope.dryRun) {
      await finish?.(false);
      return { obj, warnings, created: true };
    }
    try {
      const created = await this.storage.create(this.key(meta.namespace ?? '', meta.name!), obj);
      await finish?.(true);
      return { obj: this.withTypeMeta(created), warnings, created: true };
    } catch (err) {
      await finish?.(false);
      throw this.storageError(err, meta.name!);
    }
  }

  /** PUT: replaces the object (or, with subresource "status", only its status). */
  async update(name: string, raw: unknown, scope: RequestScope, subresource = ''): Promise<WriteResult<T>> {
    const { obj, warnings } = this.decode(raw, scope);
    this.setNamespace(obj, scope);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    try {
      const stored = await this.guaranteedUpdate(scope, name, () => obj, subresource);
      if (!subresource) warnings.push(...(this.strategy.warnings?.(stored) ?? []));
      return { obj: stored, warnings };
    } catch (err) {
      if (isStorageError(err, 'KeyNotFound') && this.strategy.allowCreateOnUpdate && !subresource) {
        return this.create(raw, scope);
      }
      throw this.storageError(err, name);
    }
  }

  /**
   * Applies `mutate` to the current object and stores the result, retrying on races. A
   * resourceVersion in the result must match the stored one (the client's precondition).
   */
  async guaranteedUpdate(
    scope: RequestScope,
    name: string,
    mutate: (current: T) => T,
    subresource = '',
  ): Promise<T> {
    let result: T | undefined;
    const key = this.key(scope.namespace, name);
    // What a begin hook reserved for an attempt that lost a race or failed is given back.
    let finish: FinishFunc | undefined;
    const settle = async (success: boolean) => {
      const pending = finish;
      finish = undefined;
      await pending?.(success);
    };
    let stored: T;
    try {
      stored = await this.storage.update<T>(key, async (current) => {
        await settle(false);
        const desired = mutate(structuredClone(current));
        const wanted = desired.metadata.resourceVersion;
        if (wanted && wanted !== current.metadata.resourceVersion) {
          throw conflict(this.groupResource, name, OBJECT_MODIFIED);
        }
        const next = this.keepServerFields(desired, current);
        // Other subresources (namespaces/finalize) change only what their handler's mutate sets.
        if (subresource === 'status') this.strategy.prepareForStatusUpdate?.(next, current);
        else if (!subresource) {
          this.strategy.prepareForUpdate(next, current);
          finish = await this.hooks.beginUpdate?.(next, current, scope);
        }
        this.assertValid(next, statusCauses(this.resource.validate(next, current)));
        result = next;
        return scope.dryRun ? current : next;
      });
    } catch (err) {
      await settle(false);
      throw err;
    }
    await settle(!scope.dryRun);
    if (scope.dryRun) return this.withTypeMeta(result ?? stored);
    // The last finalizer removed from an object being deleted completes the deletion.
    if (this.deletionComplete(stored)) {
      const deleted = await this.storage.delete<T>(key).catch(() => undefined);
      if (!deleted) return this.withTypeMeta(stored);
      await this.hooks.afterDelete?.(deleted);
      return this.withTypeMeta(deleted);
    }
    return this.withTypeMeta(stored);
  }

  /**
   * A create the server makes on its own account (the `kubernetes` Endpoints at the API server's
   * loopback address), which the client-facing validation would refuse.
   */
  async systemCreate(raw: unknown, namespace: string): Promise<T> {
    const scope: RequestScope = { namespace, dryRun: false, fieldValidation: 'Strict' };
    const { obj } = this.decode(raw, scope);
    this.setNamespace(obj, scope);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = this.now();
    this.strategy.prepareForCreate(obj);
    const created = await this.storage
      .create(this.key(obj.metadata.namespace ?? '', obj.metadata.name ?? ''), obj)
      .catch((err) => Promise.reject(this.storageError(err, obj.metadata.name ?? '')));
    return this.withTypeMeta(created);
  }

  /**
   * A write the server makes on its own account (pods/binding setting spec.nodeName), which the
   * client-facing update rules (immutable pod spec, status kept) must not refuse or undo.
   */
  async systemUpdate(namespace: string, name: string, mutate: (current: T) => T): Promise<T> {
    const updated = await this.storage
      .update<T>(this.key(namespace, name), (current) => mutate(structuredClone(current)))
      .catch((err) => Promise.reject(this.storageError(err, name)));
    return this.withTypeMeta(updated);
  }

  /**
   * DELETE: at once, or by marking the object (deletionTimestamp) when finalizers, a foreground
   * or orphan policy, or a grace period (a pod on a node) must have their say first.
   */
  async delete(name: string, scope: RequestScope, options: DeleteOptions = {}): Promise<T> {
    const key = this.key(scope.namespace, name);
    const current = await this.storage.get<T>(key);
    if (!current) throw notFound(this.groupResource, name);
    this.checkPreconditions(current, options, name);
    const policyFinalizer =
      options.propagationPolicy === 'Foreground'
        ? 'foregroundDeletion'
        : options.propagationPolicy === 'Orphan'
          ? 'orphan'
          : undefined;
    const grace = this.hooks.gracePeriod?.(current, options);
    // A propagation policy replaces whichever garbage-collector finalizer an earlier delete set
    // (orphan and foregroundDeletion exclude each other); Background removes both.
    const keep = (finalizer: string) =>
      !options.propagationPolicy || (finalizer !== 'orphan' && finalizer !== 'foregroundDeletion');
    const finalizers = new Set((current.metadata.finalizers ?? []).filter(keep));
    if (policyFinalizer) finalizers.add(policyFinalizer);
    if (finalizers.size === 0 && !grace && !this.hooks.finalizersPending?.(current)) {
      if (scope.dryRun) return this.withTypeMeta(current);
      try {
        const deleted = await this.storage.delete<T>(key, (cur) =>
          this.checkPreconditions(cur, options, name),
        );
        await this.hooks.afterDelete?.(deleted);
        return this.withTypeMeta(deleted);
      } catch (err) {
        throw this.storageError(err, name);
      }
    }
    if (scope.dryRun) return this.withTypeMeta(current);
    // Marking an object for deletion writes only server-owned metadata, so no strategy runs.
    const marked = await this.storage
      .update<T>(key, (cur) => {
        this.checkPreconditions(cur, options, name);
        const meta = { ...cur.metadata };
        meta.deletionTimestamp ??= this.now();
        // A second delete may shorten the grace period, never lengthen it.
        const wanted = grace ?? 0;
        if (meta.deletionGracePeriodSeconds === undefined || wanted < meta.deletionGracePeriodSeconds) {
          meta.deletionGracePeriodSeconds = wanted;
        }
        if (options.propagationPolicy && meta.finalizers) {
          meta.finalizers = meta.finalizers.filter(keep);
          if (meta.finalizers.length === 0) delete meta.finalizers;
        }
        if (policyFinalizer && !meta.finalizers?.includes(policyFinalizer)) {
          meta.finalizers = [...(meta.finalizers ?? []), policyFinalizer];
        }
        const next = { ...cur, metadata: meta };
        this.hooks.markDeleting?.(next);
        return next;
      })
      .catch((err) => Promise.reject(this.storageError(err, name)));
    return this.withTypeMeta(marked);
  }

  private deletionComplete(obj: T): boolean {
    return (
      Boolean(obj.metadata.deletionTimestamp) &&
      !obj.metadata.finalizers?.length &&
      !this.hooks.finalizersPending?.(obj)
    );
  }

  /** Watches one namespace (or all) from a resourceVersion; see ObjectStore.watch. */
  watch(
    namespace: string,
    name: string,
    revision: number,
    onEvent: (event: StorageEvent<T>) => boolean,
    onExpired: (err: StatusError) => void,
  ) {
    const key = name ? this.key(namespace, name) : this.prefix(namespace);
    return this.storage.watch<T>(
      key,
      {
        revision,
        recursive: !name,
        onExpired: (err) =>
          onExpired(expired(err.revisions?.requested ?? revision, err.revisions?.oldest ?? 0)),
      },
      (event) => onEvent({ ...event, object: this.withTypeMeta(event.object) }),
    );
  }

  /** Stamps apiVersion and kind, which storage keeps but a stored object may lack. */
  withTypeMeta(obj: T): T {
    const { apiVersion, kind } = this.typeMeta();
    // The resource's own words win over whatever spelling of them was stored ("/v1", "").
    return { ...{ apiVersion, kind }, ...obj, apiVersion, kind };
  }

  private typeMeta(): { apiVersion: string; kind: string } {
    const { group, version, kind } = this.resource;
    return { apiVersion: group ? `${group}/${version}` : version, kind };
  }

  /**
   * Writes apiVersion and kind as the resource names them, where the client set them: a body
   * may spell them differently ("/v1") or leave them empty and still be this resource's, and
   * Kubernetes stores and answers with its own spelling, never the client's.
   */
  private canonicalTypeMeta(obj: T): T {
    const canonical = this.typeMeta();
    if ('apiVersion' in obj) obj.apiVersion = canonical.apiVersion;
    if ('kind' in obj) obj.kind = canonical.kind;
    return obj;
  }

  storageError(err: unknown, name: string): unknown {
    if (!isStorageError(err)) return err;
    switch (err.code) {
      case 'KeyNotFound':
        return notFound(this.groupResource, name);
      case 'KeyExists':
        return alreadyExists(this.groupResource, name);
      case 'Conflict':
        return conflict(this.groupResource, name, OBJECT_MODIFIED);
      case 'Expired':
        return expired(err.revisions?.requested ?? 0, err.revisions?.oldest ?? 0);
      case 'InvalidContinue':
        return badRequest('continue key is not valid');
      case 'TooLargeResourceVersion':
        return tooLargeResourceVersion(err.revisions?.requested ?? 0, err.revisions?.current ?? 0);
    }
  }

  private decode(raw: unknown, scope: RequestScope): Decoded<T> {
    // JSON null decodes as Go decodes it into a struct: as an empty object.
    const body = raw ?? {};
    this.checkTypeMeta(body);
    const decoded = this.decodeBody(body, scope.fieldValidation);
    this.canonicalTypeMeta(decoded.obj);
    return decoded;
  }

  /** decodeBody parses a body as this resource's kind (see decodeKind), naming the object it describes. */
  decodeBody(raw: unknown, fieldValidation: FieldValidation): Decoded<T> {
    return decodeKind(this.resource, raw, fieldValidation, nameOf(raw));
  }

  /**
   * Refuses an object of another kind or version than this resource's, as kube-apiserver's decoder
   * does before it reads anything else: a missing apiVersion or kind means this resource's; a kind
   * the server does not know in that version is "not registered"; a known kind of another type
   * cannot be converted; this kind in another version of the group has the wrong API version.
   *
   *   Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to
   *   (core.ConfigMap): unknown conversion
   */
  checkTypeMeta(raw: unknown): void {
    const { group, version, kind } = this.resource;
    const data = typeMetaOf(raw);
    let [dataGroup, dataVersion] = data.apiVersion.includes('/')
      ? (data.apiVersion.split('/') as [string, string])
      : ['', data.apiVersion];
    const dataKind = data.kind || kind;
    // gvkWithDefaults: what the body leaves out comes from the URL's group, version and kind.
    if (!dataVersion && !dataGroup) [dataGroup, dataVersion] = [group, version];
    if (!dataVersion && dataGroup === group) dataVersion = version;
    if (dataGroup === group && dataVersion === version && dataKind === kind) return;
    const expected = group ? `${group}/${version}` : version;
    const dataGroupVersion = dataGroup ? `${dataGroup}/${dataVersion}` : dataVersion;
    const cannot = (why: string) =>
      badRequest(
        `${dataKind} in version ${JSON.stringify(dataVersion)} cannot be handled as a ${kind}: ${why}`,
      );
    if (!dataVersion) throw cannot(`Object 'apiVersion' is missing in '${JSON.stringify(raw)}'`);
    if (!isKnownKind(dataGroup, dataVersion, dataKind)) {
      throw cannot(
        `no kind ${JSON.stringify(dataKind)} is registered for version ${JSON.stringify(dataGroupVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`,
      );
    }
    if (dataKind === kind && dataGroup === group) {
      throw badRequest(
        `the API version in the data (${dataGroupVersion}) does not match the expected API version (${expected})`,
      );
    }
    // Go names the types by package: the versioned v1.Secret, the internal core.ConfigMap.
    const internalPackage = group.split('.')[0] || 'core';
    throw cannot(
      `converting (${dataVersion}.${dataKind}) to (${internalPackage}.${kind}): unknown conversion`,
    );
  }

  private setNamespace(obj: T, scope: RequestScope): void {
    if (!this.resource.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && scope.namespace && obj.metadata.namespace !== scope.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = scope.namespace || obj.metadata.namespace;
  }

  /** Keeps the metadata the server owns, whatever the client sent. */
  private keepServerFields(desired: T, current: T): T {
    this.canonicalTypeMeta(desired);
    const meta = { ...desired.metadata };
    const owned = current.metadata;
    meta.uid = owned.uid;
    meta.creationTimestamp = owned.creationTimestamp;
    meta.namespace = owned.namespace;
    meta.name = owned.name;
    meta.resourceVersion = owned.resourceVersion;
    meta.generation = owned.generation;
    meta.deletionTimestamp = owned.deletionTimestamp;
    meta.deletionGracePeriodSeconds = owned.deletionGracePeriodSeconds;
    for (const [field, value] of Object.entries(meta)) {
      if (value === undefined) delete meta[field as keyof typeof meta];
    }
    return { ...desired, metadata: meta };
  }

  private checkPreconditions(current: KubeObject, options: DeleteOptions, name: string): void {
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        this.groupResource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        this.groupResource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
  }

  private assertValid(obj: T, causes: StatusCause[]): void {
    if (causes.length > 0)
      throw invalid(this.resource.group, this.resource.kind, obj.metadata.name ?? '', causes);
  }

  private now(): string {
    // Kubernetes timestamps are RFC 3339 to the second.
    return formatTime(this.clock.now());
  }
}

function nameOf(raw: unknown): string {
  const name = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/**
 * apiVersion and kind as Go's json.Unmarshal reads them into TypeMeta: keys match whatever their
 * case, a later key wins, and anything but a string counts as absent (decodeBody refused those).
 */
function typeMetaOf(raw: unknown): { apiVersion: string; kind: string } {
  const found = { apiVersion: '', kind: '' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return found;
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') continue;
    const lower = key.toLowerCase();
    if (lower === 'apiversion') found.apiVersion = value;
    else if (lower === 'kind') found.kind = value;
  }
  return found;
}
