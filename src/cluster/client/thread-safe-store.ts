import type { KubeObject } from '../api/meta.ts';

/** The values an object is indexed under, e.g. its namespace, or the node a pod runs on. */
export type IndexFunc<T> = (obj: T) => string[];

/** Index functions by index name. */
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** The index every informer has: objects by namespace ("" for cluster-scoped ones). */
export const NAMESPACE_INDEX = 'namespace';

/** Indexes an object under its namespace. */
export function metaNamespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata.namespace ?? ''];
}

/** An object's key in caches and work queues: "namespace/name", or "name" when cluster-scoped. */
export function metaNamespaceKeyFunc(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** The namespace and name in a key from metaNamespaceKeyFunc, as a controller's reconcile(key) needs them. */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash === -1
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The indexes a store keeps from the start. */
export interface ThreadSafeStoreOptions<T> {
  readonly indexers?: Indexers<T>;
}

/**
 * ThreadSafeStore is an informer's cache: objects by key, plus indexes that answer "which objects
 * have this value" without a scan. The name is client-go's; Node runs it on one thread, and what
 * the name promises still holds: a reader never sees an object without its index entries, or the
 * other way round, because every change updates both before returning.
 *
 * How an index looks after two pods (index "namespace" by metaNamespaceIndexFunc):
 *
 *   items    { "web/a": podA, "db/b": podB }
 *   indices  { namespace: { web: {"web/a"}, db: {"db/b"} } }
 *
 * Objects handed out are the cached ones, shared with every reader: copy before changing them.
 */
export class ThreadSafeStore<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** Index name -> indexed value -> keys of the objects with that value. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(options: ThreadSafeStoreOptions<T> = {}) {
    this.addIndexers(options.indexers ?? {});
  }

  add(key: string, obj: T): void {
    this.put(key, obj);
  }

  update(key: string, obj: T): void {
    this.put(key, obj);
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** Replaces the whole content, indexes rebuilt: what a reflector's relist does. */
  replace(items: ReadonlyMap<string, T>): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const [key, obj] of items) this.put(key, obj);
  }

  /** The objects whose index `indexName` includes `value`. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key)!);
  }

  /** The keys of those objects. */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Adds indexes (and indexes what is already stored); an index name cannot be reused. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, indexFunc] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`index "${name}" already exists`);
      this.indexers.set(name, indexFunc);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addTo(index, indexFunc(obj), key);
    }
  }

  private put(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, indexFunc] of this.indexers) addTo(this.indices.get(name)!, indexFunc(obj), key);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, indexFunc] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of indexFunc(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        // Empty sets would pile up for every value ever seen (every deleted namespace, every node).
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (keys) keys.add(key);
    else index.set(value, new Set([key]));
  }
}
