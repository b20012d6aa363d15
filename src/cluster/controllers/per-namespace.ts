/**
 * PerNamespaceController keeps one object of a given name in every active namespace, the shape
 * two kube-controller-manager controllers share: the serviceaccounts controller (the `default`
 * ServiceAccount) and the root-ca-cert-publisher (the kube-root-ca.crt ConfigMap).
 *
 *   namespace events, and events of objects of that name ──> queue of namespaces ──> sync(namespace)
 *     namespace gone or terminating: nothing to do
 *     object missing: create it; object different from what it should hold: update it
 */
import type { Namespace } from '../api/core/namespace.ts';
import { semanticEqual } from '../api/equality.ts';
import type { KubeObject } from '../api/meta.ts';
import { namespaces, type ResourceType } from '../api/resources.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { isNamespaceTerminating, runWorkers } from './controller-utils.ts';

export interface PerNamespaceObject<T extends KubeObject> {
  readonly type: ResourceType<T>;
  readonly name: string;
  /** The object as it should be in `namespace`. */
  desired(namespace: string): T;
  /** The fields compared with what is stored; an existing object is left alone when they match. */
  content(obj: T): unknown;
}

export interface PerNamespaceOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class PerNamespaceController<T extends KubeObject> {
  readonly queue: RateLimitingQueue<string>;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly objects: SharedInformer<T>;
  private readonly onError: (err: unknown) => void;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    private readonly kind: PerNamespaceObject<T>,
    options: PerNamespaceOptions = {},
  ) {
    this.onError = options.onError ?? ((err) => console.error(`${kind.name} publisher:`, err));
    this.queue = new RateLimitingQueue<string>({ clock: options.clock ?? systemClock });
    this.namespaces = informers.forResource(namespaces);
    this.objects = informers.forResource(kind.type);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata.name ?? ''),
      onUpdate: (_old, ns) => this.queue.add(ns.metadata.name ?? ''),
    });
    const ours = (obj: T) => {
      if (obj.metadata.name === kind.name) this.queue.add(obj.metadata.namespace ?? '');
    };
    this.objects.addEventHandler({ onUpdate: (_old, obj) => ours(obj), onDelete: ours });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.namespaces, this.objects].map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, (ns) => this.sync(ns), signal, this.onError);
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.store.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const desired = this.kind.desired(namespace);
    const current = this.objects.store.get(`${namespace}/${this.kind.name}`);
    const client = this.client.resource(this.kind.type, namespace);
    if (current) {
      if (semanticEqual(this.kind.content(current), this.kind.content(desired))) return;
      await client.update({ ...current, ...desired, metadata: { ...current.metadata, ...desired.metadata } });
      return;
    }
    await client.create(desired).catch((err) => {
      // Already there (our cache is behind), or the namespace started terminating meanwhile.
      if (!isAlreadyExists(err) && !isNamespaceTerminating(err) && !isNotFound(err)) throw err;
    });
  }
}
