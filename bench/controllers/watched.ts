// The benchmark's clock: a watch keeping the latest copy of every object it sees, as an informer's
// cache does, that answers when a condition over those objects first held. The moment is the arrival
// of the event that made it hold, so no polling interval is added to a figure.

import type { KubeObject } from '../../src/cluster/api/meta.ts';
import type { ResourceClient, Watcher } from '../../src/cluster/client/rest-client.ts';

type Condition<T> = (objects: ReadonlyMap<string, T>) => boolean;

interface Waiter<T> {
  readonly condition: Condition<T>;
  readonly resolve: (at: number) => void;
}

export class Watched<T extends KubeObject> {
  /** namespace/name -> the object as last seen. */
  readonly objects = new Map<string, T>();
  private readonly waiters = new Set<Waiter<T>>();
  private readonly listeners = new Set<(objects: ReadonlyMap<string, T>) => void>();
  private ended = false;

  private constructor(private readonly watcher: Watcher<T>) {}

  /** Watches from now on; the server first sends every existing object as ADDED. */
  static async start<T extends KubeObject>(
    resource: ResourceClient<T>,
    labelSelector?: string,
  ): Promise<Watched<T>> {
    const watched = new Watched(await resource.watch({ labelSelector }));
    void watched.consume();
    return watched;
  }

  /**
   * performance.now() when `condition` first held: at once if it holds already, else on the event
   * that made it hold; NaN if it did not within `timeoutMs` or the watch ended first.
   */
  until(condition: Condition<T>, timeoutMs: number): Promise<number> {
    if (condition(this.objects)) return Promise.resolve(performance.now());
    if (this.ended) return Promise.resolve(Number.NaN);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(Number.NaN);
      }, timeoutMs);
      const waiter: Waiter<T> = {
        condition,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Calls `listener` after every event until the returned function is called. */
  onChange(listener: (objects: ReadonlyMap<string, T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.watcher.stop();
  }

  private async consume(): Promise<void> {
    try {
      for await (const event of this.watcher) {
        const at = performance.now();
        if (event.type === 'BOOKMARK') continue;
        if (event.type === 'ERROR') throw new Error(`watch failed: ${event.object.message}`);
        const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
        if (event.type === 'DELETED') this.objects.delete(key);
        else this.objects.set(key, event.object);
        for (const listener of this.listeners) listener(this.objects);
        for (const waiter of this.waiters) {
          if (!waiter.condition(this.objects)) continue;
          this.waiters.delete(waiter);
          waiter.resolve(at);
        }
      }
    } catch (err) {
      console.error((err as Error).message);
    } finally {
      this.ended = true;
      for (const waiter of this.waiters) waiter.resolve(Number.NaN);
      this.waiters.clear();
    }
  }
}
