import type { KubeObject } from '../api/meta.ts';
import type { ResourceType } from '../api/resources.ts';
import { type Clock, systemClock, type Timer } from '../clock/clock.ts';
import { type ListerWatcher, Reflector, type ReflectorOptions, type ReflectorStore } from './reflector.ts';
import type { RestClient } from './rest-client.ts';
import {
  type Indexers,
  metaNamespaceIndexFunc,
  metaNamespaceKeyFunc,
  NAMESPACE_INDEX,
  ThreadSafeStore,
} from './thread-safe-store.ts';

/**
 * What a component wants to hear about, after client-go's ResourceEventHandler. Controllers'
 * handlers only find the key to reconcile and add it to a work queue; they must not block.
 */
export interface ResourceEventHandler<T> {
  /** A new object; `isInInitialList` while the informer (or this handler) is catching up on what exists. */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** A changed object, or on resync the same object twice. */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * A deleted object: its final state from a watch event, or, when a relist found it gone, the
   * last state this informer saw (client-go wraps that one in DeletedFinalStateUnknown).
   */
  onDelete?(obj: T): void;
}

/** Returned by addEventHandler. */
export interface EventHandlerRegistration {
  /** Stops delivering events to the handler. */
  remove(): void;
}

/** The knobs of the informer's reflector that a component may turn. */
export type ReflectorTuning = Pick<
  ReflectorOptions<KubeObject>,
  'pageSize' | 'minWatchTimeoutSeconds' | 'backoff' | 'trace'
>;

/** What an informer watches and how it treats its handlers. */
export interface SharedInformerOptions<T extends KubeObject> {
  /** What to list and watch: `client.resource(pods, namespace)` */
  readonly listerWatcher: ListerWatcher<T>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Every this many milliseconds, handlers get onUpdate(obj, obj) for every cached object; 0 never. */
  readonly resyncPeriodMs?: number;
  /** Indexes besides "namespace", which every informer has. */
  readonly indexers?: Indexers<T>;
  readonly reflector?: ReflectorTuning;
  readonly clock?: Clock;
  /** A handler that throws is reported here and the others still run; console.error unless given. */
  readonly onHandlerError?: (err: unknown) => void;
}

/**
 * SharedInformer is a reflector, a cache and event handlers, after client-go's
 * sharedIndexInformer: one list-and-watch of a resource serves every handler that components
 * register, and `store` is the cache they read instead of asking the API server.
 *
 * client-go puts a DeltaFIFO between the reflector and the cache because they run on different
 * goroutines. Here both run on one event loop, so the informer applies each change to the cache
 * and then tells the handlers, in the order the server reported the changes; a handler reading
 * the cache already sees the change it is told about.
 *
 * A relist (after a 410) is reconciled with the cache: new objects are adds, objects whose
 * resourceVersion moved are updates, missing ones are deletes, and unchanged ones say nothing
 * (client-go, too, delivers those only to handlers that are due for a resync).
 */
export class SharedInformer<T extends KubeObject> {
  /** The cache: read it, never change the objects in it. Indexed by "namespace" and any `indexers`. */
  readonly store: ThreadSafeStore<T>;
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  private readonly reflector: Reflector<T>;
  private readonly clock: Clock;
  private readonly resyncPeriodMs: number;
  private readonly onHandlerError: (err: unknown) => void;
  private synced = false;
  private readonly syncWaiters = new Set<() => void>();
  private running: Promise<void> | undefined;

  constructor(options: SharedInformerOptions<T>) {
    this.clock = options.clock ?? systemClock;
    this.resyncPeriodMs = options.resyncPeriodMs ?? 0;
    this.onHandlerError =
      options.onHandlerError ?? ((err) => console.error('orch-lab informer: an event handler failed:', err));
    this.store = new ThreadSafeStore<T>({
      indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc, ...options.indexers },
    });
    const sink: ReflectorStore<T> = {
      replace: (items) => this.replace(items),
      add: (obj) => this.upsert(obj),
      update: (obj) => this.upsert(obj),
      delete: (obj) => this.remove(obj),
    };
    this.reflector = new Reflector<T>({
      ...options.reflector,
      listerWatcher: options.listerWatcher,
      store: sink,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      clock: this.clock,
    });
  }

  /**
   * Registers a handler. Objects already cached are handed to it at once, as adds, so a handler
   * added late starts from the same picture as the others.
   */
  addEventHandler(handler: ResourceEventHandler<T>): EventHandlerRegistration {
    this.handlers.add(handler);
    for (const obj of this.store.list()) this.call(() => handler.onAdd?.(obj, true));
    return { remove: () => this.handlers.delete(handler) };
  }

  /** True once the first list is in the cache and every handler has heard about it. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (synced: boolean) => {
        this.syncWaiters.delete(onSynced);
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      const onSynced = () => finish(true);
      const onAbort = () => finish(false);
      this.syncWaiters.add(onSynced);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** Lists, watches and resyncs until `signal` aborts; resolves when stopped. Runs once. */
  run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('informer: run() was already called');
    this.running = this.runUntil(signal);
    return this.running;
  }

  private async runUntil(signal: AbortSignal): Promise<void> {
    let resyncTimer: Timer | undefined;
    const scheduleResync = () => {
      resyncTimer = this.clock.setTimeout(() => {
        if (this.synced) this.resync();
        scheduleResync();
      }, this.resyncPeriodMs);
    };
    if (this.resyncPeriodMs > 0) scheduleResync();
    try {
      await this.reflector.run(signal);
    } finally {
      resyncTimer?.cancel();
    }
  }

  private replace(items: T[]): void {
    const next = new Map(items.map((obj) => [metaNamespaceKeyFunc(obj), obj]));
    const previous = new Map(this.store.listKeys().map((key) => [key, this.store.get(key)!]));
    this.store.replace(next);
    const initial = !this.synced;
    for (const [key, obj] of next) {
      const old = previous.get(key);
      if (old === undefined) this.notify((h) => h.onAdd?.(obj, initial));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.notify((h) => h.onUpdate?.(old, obj));
      }
    }
    for (const [key, old] of previous) if (!next.has(key)) this.notify((h) => h.onDelete?.(old));
    if (initial) {
      this.synced = true;
      for (const waiter of [...this.syncWaiters]) waiter();
    }
  }

  /** ADDED and MODIFIED alike: what matters is whether the cache knew the object. */
  private upsert(obj: T): void {
    const key = metaNamespaceKeyFunc(obj);
    const old = this.store.get(key);
    this.store.update(key, obj);
    if (old === undefined) this.notify((h) => h.onAdd?.(obj, false));
    else this.notify((h) => h.onUpdate?.(old, obj));
  }

  private remove(obj: T): void {
    this.store.delete(metaNamespaceKeyFunc(obj));
    this.notify((h) => h.onDelete?.(obj));
  }

  private resync(): void {
    for (const obj of this.store.list()) this.notify((h) => h.onUpdate?.(obj, obj));
  }

  private notify(deliver: (handler: ResourceEventHandler<T>) => void): void {
    for (const handler of this.handlers) this.call(() => deliver(handler));
  }

  private call(deliver: () => void): void {
    try {
      deliver();
    } catch (err) {
      this.onHandlerError(err);
    }
  }
}

/** What every informer of a factory shares: the client, and optionally a namespace and resync period. */
export interface SharedInformerFactoryOptions {
  readonly client: RestClient;
  /** Only this namespace, for every namespaced resource; all namespaces unless given. */
  readonly namespace?: string;
  /** The resync period of every informer made; 0 (never) unless given. */
  readonly resyncPeriodMs?: number;
  readonly reflector?: ReflectorTuning;
  readonly clock?: Clock;
}

/** Narrows an informer made by a factory: one namespace, label or field selector. */
export interface InformerScope {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * SharedInformerFactory hands out one informer per resource (and scope), after client-go's
 * informers.SharedInformerFactory: the scheduler and three controllers asking for pods share
 * one watch and one cache instead of opening four.
 *
 *   const factory = new SharedInformerFactory({ client });
 *   const pods = factory.forResource(pods);     // same object for every caller
 *   pods.addEventHandler({ onAdd: ... });
 *   factory.start(signal);
 *   await factory.waitForCacheSync(signal);
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: SharedInformerFactoryOptions) {}

  /** The informer for `type` within `scope`, made on first request. */
  forResource<T extends KubeObject>(type: ResourceType<T>, scope: InformerScope = {}): SharedInformer<T> {
    const namespace = type.namespaced ? (scope.namespace ?? this.options.namespace ?? '') : '';
    const { labelSelector = '', fieldSelector = '' } = scope;
    const key = JSON.stringify([
      type.group,
      type.version,
      type.plural,
      namespace,
      labelSelector,
      fieldSelector,
    ]);
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>({
        listerWatcher: this.options.client.resource(type, namespace),
        labelSelector: labelSelector || undefined,
        fieldSelector: fieldSelector || undefined,
        resyncPeriodMs: this.options.resyncPeriodMs,
        reflector: this.options.reflector,
        clock: this.options.clock,
      });
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
    }
    return informer;
  }

  /** Runs every informer made so far that is not running yet; call again after making more. */
  start(signal: AbortSignal): void {
    for (const [key, informer] of this.informers) {
      if (!this.running.has(key)) this.running.set(key, informer.run(signal));
    }
  }

  /** Resolves true once every started informer has synced, false if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const started = [...this.running.keys()].map((key) => this.informers.get(key)!);
    const synced = await Promise.all(started.map((informer) => informer.waitForSync(signal)));
    return synced.every(Boolean);
  }

  /** Resolves when every started informer has stopped (their signal must have aborted). */
  async shutdown(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
