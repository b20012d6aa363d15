/**
 * GarbageCollector deletes objects whose owners are gone, after pkg/controller/garbagecollector.
 * It watches every resource, keeps a graph of owner uid -> dependents, and reconciles objects by
 * uid:
 *
 * - background (the default): once every owner of an object is gone (checked against the API
 *   server, not only the cache), the object is deleted; owners that are gone are dropped from
 *   the references of an object that still has a living owner.
 * - foreground: the owner was deleted with propagationPolicy Foreground, so the API server set
 *   its deletionTimestamp and the foregroundDeletion finalizer. Its dependents are deleted (in
 *   the foreground themselves when they have dependents), and once no dependent with
 *   blockOwnerDeletion is left the finalizer is removed, which completes the owner's deletion.
 * - orphan: the owner carries the orphan finalizer. References to it are removed from its
 *   dependents, then the finalizer, and the dependents live on.
 */
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { findKind, type ResourceType, resources } from '../api/resources.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isConflict, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { runWorkers } from './controller-utils.ts';

const OrphanFinalizer = 'orphan';
const ForegroundFinalizer = 'foregroundDeletion';

/** Resources the collector leaves alone, as kube-controller-manager ignores events. */
const ignored = (type: ResourceType) => type.plural === 'events';

interface GraphNode {
  readonly type: ResourceType;
  obj: KubeObject;
}

export interface GarbageCollectorOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

const hasFinalizer = (obj: KubeObject, f: string) => obj.metadata.finalizers?.includes(f) ?? false;
const deletingDependents = (obj: KubeObject) =>
  Boolean(obj.metadata.deletionTimestamp) && hasFinalizer(obj, ForegroundFinalizer);

export class GarbageCollector {
  /** uids to look at: an object whose owners may be gone, or an owner being deleted. */
  readonly queue: RateLimitingQueue<string>;
  private readonly informers: { type: ResourceType; informer: SharedInformer<KubeObject> }[] = [];
  private readonly nodes = new Map<string, GraphNode>();
  /** owner uid -> uids of the objects that name it in their ownerReferences. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly onError: (err: unknown) => void;

  constructor(
    factory: SharedInformerFactory,
    private readonly client: RestClient,
    options: GarbageCollectorOptions = {},
  ) {
    this.onError = options.onError ?? ((err) => console.error('garbage collector:', err));
    this.queue = new RateLimitingQueue<string>({ clock: options.clock ?? systemClock });
    for (const type of resources) {
      if (!type.storagePrefix || !type.verbs.includes('watch') || ignored(type)) continue;
      const informer = factory.forResource(type as ResourceType<KubeObject>);
      informer.addEventHandler({
        onAdd: (obj) => this.upsert(type, obj, undefined),
        onUpdate: (old, obj) => this.upsert(type, obj, old),
        onDelete: (obj) => this.remove(obj),
      });
      this.informers.push({ type, informer });
    }
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(this.informers.map(({ informer }) => informer.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, (uid) => this.attemptToDeleteItem(uid), signal, this.onError);
  }

  /** The graph builder's processGraphChanges, for an added or updated object. */
  private upsert(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const uid = obj.metadata.uid ?? '';
    this.nodes.set(uid, { type, obj });
    const owners = new Set((obj.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const ref of old?.metadata.ownerReferences ?? []) {
      if (!owners.has(ref.uid)) this.dependents.get(ref.uid)?.delete(uid);
    }
    for (const owner of owners) {
      const set = this.dependents.get(owner) ?? new Set<string>();
      this.dependents.set(owner, set);
      set.add(uid);
    }
    const changed =
      !old ||
      JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(obj.metadata.ownerReferences) ||
      old.metadata.deletionTimestamp !== obj.metadata.deletionTimestamp ||
      JSON.stringify(old.metadata.finalizers) !== JSON.stringify(obj.metadata.finalizers);
    if (!changed) return;
    if (owners.size > 0 || obj.metadata.deletionTimestamp) this.queue.add(uid);
    // An owner waiting for its dependents hears about each one's progress.
    if (obj.metadata.deletionTimestamp) this.enqueueWaitingOwners(obj);
  }

  private remove(obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    this.nodes.delete(uid);
    for (const ref of obj.metadata.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(uid);
    for (const dependent of this.dependents.get(uid) ?? []) this.queue.add(dependent);
    this.enqueueWaitingOwners(obj);
  }

  private enqueueWaitingOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const owner = this.nodes.get(ref.uid);
      if (owner?.obj.metadata.deletionTimestamp) this.queue.add(ref.uid);
    }
  }

  private async attemptToDeleteItem(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const { obj } = node;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, OrphanFinalizer)) return this.orphanDependents(node);
      if (hasFinalizer(obj, ForegroundFinalizer)) return this.processDeletingDependents(node);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.lookUpOwner(ref, obj.metadata.namespace ?? '');
      if (owner === 'unknown') return;
      if (!owner) dangling.push(ref);
      else if (deletingDependents(owner)) waiting.push(ref);
      else solid.push(ref);
    }
    const ownerClient = this.clientFor(node);
    if (solid.length > 0) {
      // A living owner keeps the object; references to owners that are gone or going are dropped.
      const drop = [...dangling, ...waiting];
      if (drop.length === 0) return;
      await this.ignoringGone(() =>
        ownerClient.patch(obj.metadata.name ?? '', 'strategic', {
          metadata: { uid, ownerReferences: drop.map((r) => ({ $patch: 'delete', uid: r.uid })) },
        }),
      );
      return;
    }
    // Every owner is gone or going: so is the object. Under an owner deleted in the foreground, an
    // object with dependents of its own is deleted in the foreground too, so the wait propagates.
    const hasDependents = (this.dependents.get(uid)?.size ?? 0) > 0;
    const propagationPolicy = waiting.length > 0 && hasDependents ? 'Foreground' : 'Background';
    await this.ignoringGone(() =>
      ownerClient.delete(obj.metadata.name ?? '', { propagationPolicy, preconditions: { uid } }),
    );
  }

  /**
   * The owner as the API server has it: the cache answers if it has an object of that name, and
   * only a miss is confirmed with a GET (the cache may be behind). undefined means gone (or
   * replaced by a new object with another uid); 'unknown' an owner kind this server does not serve.
   */
  private async lookUpOwner(
    ref: OwnerReference,
    namespace: string,
  ): Promise<KubeObject | undefined | 'unknown'> {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0]! : '';
    const type = findKind(group, ref.kind);
    if (!type) return 'unknown';
    const cached = this.nodes.get(ref.uid);
    if (cached) return cached.obj;
    try {
      const live = await this.client.resource(type, type.namespaced ? namespace : '').get(ref.name);
      return live.metadata.uid === ref.uid ? live : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    const uid = owner.obj.metadata.uid ?? '';
    for (const dependentUid of [...(this.dependents.get(uid) ?? [])]) {
      const dependent = this.nodes.get(dependentUid);
      if (!dependent) continue;
      await this.ignoringGone(() =>
        this.clientFor(dependent).patch(dependent.obj.metadata.name ?? '', 'strategic', {
          metadata: { uid: dependentUid, ownerReferences: [{ $patch: 'delete', uid }] },
        }),
      );
    }
    await this.removeFinalizer(owner, OrphanFinalizer);
  }

  private async processDeletingDependents(owner: GraphNode): Promise<void> {
    const uid = owner.obj.metadata.uid ?? '';
    const dependents = [...(this.dependents.get(uid) ?? [])]
      .map((d) => this.nodes.get(d))
      .filter((d): d is GraphNode => d !== undefined);
    const blocking = dependents.filter((d) =>
      d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion),
    );
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, ForegroundFinalizer);
      return;
    }
    for (const d of dependents)
      if (!d.obj.metadata.deletionTimestamp) this.queue.add(d.obj.metadata.uid ?? '');
  }

  /** Removes one finalizer with the object's resourceVersion as precondition, rereading on conflict. */
  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const objClient = this.clientFor(node);
    const name = node.obj.metadata.name ?? '';
    let current = node.obj;
    for (let attempt = 0; ; attempt++) {
      if (!hasFinalizer(current, finalizer)) return;
      try {
        await objClient.patch(name, 'merge', {
          metadata: {
            resourceVersion: current.metadata.resourceVersion,
            finalizers: (current.metadata.finalizers ?? []).filter((f) => f !== finalizer),
          },
        });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 3) throw err;
        current = await objClient.get(name);
      }
    }
  }

  private clientFor(node: GraphNode) {
    return this.client.resource(node.type as ResourceType<KubeObject>, node.obj.metadata.namespace ?? '');
  }

  private async ignoringGone(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
