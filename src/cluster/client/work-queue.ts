/**
 * WorkQueue is client-go's workqueue.Type: the queue of keys between an informer's event handlers
 * and a controller's workers. It promises what level-triggered reconcilers rely on:
 *
 * - A key waits at most once, however often it is added before a worker takes it (handlers may
 *   add the same key for ten events; the worker reconciles once, from the current state).
 * - A key is never handed to two workers at once.
 * - A key added while a worker holds it is handled again after that worker calls done(key), so
 *   a change that arrived mid-reconcile is never lost.
 *
 * Two sets carry this: `dirty` (needs processing) and `processing` (held by a worker). A worked
 * example with two workers:
 *
 *   add(a)        queue [a]   dirty {a}   processing {}
 *   get() -> a    queue []    dirty {}    processing {a}
 *   add(a)        queue []    dirty {a}   processing {a}    (not queued: a worker holds it)
 *   get()         ...waits: the only dirty key is being processed
 *   done(a)       queue [a]   dirty {a}   processing {}     -> the waiting get() receives a
 *
 * Keys are compared as Set members: strings ("namespace/name") in practice.
 */
export class WorkQueue<T extends NonNullable<unknown> = string> {
  /** Keys in the order workers will get them; each is also in `dirty`, and none in `processing`. */
  private readonly queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  /** get() calls waiting for a key, oldest first. */
  private readonly getters: ((item: T | undefined) => void)[] = [];
  private shuttingDown = false;

  /** Marks `item` as needing processing; ignored after shutDown(). */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.queue.push(item);
    this.handOut();
  }

  /**
   * The next key to process, which the caller must pass to done() when finished. Waits while the
   * queue is empty. After shutDown() the keys still queued are handed out, then it returns
   * undefined: the worker's signal to exit.
   */
  get(): Promise<T | undefined> {
    return new Promise((resolve) => {
      this.getters.push(resolve);
      this.handOut();
    });
  }

  /** Ends the processing of `item`; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.handOut();
    }
  }

  /** How many keys wait for a worker (not counting those being processed). */
  len(): number {
    return this.queue.length;
  }

  /** Stops accepting keys and releases idle workers; queued keys are still handed out. */
  shutDown(): void {
    this.shuttingDown = true;
    this.handOut();
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Pairs waiting getters with queued keys. The key moves to `processing` here, synchronously,
   * not when the getter's promise resumes, so no later add() or get() can see it as free.
   */
  private handOut(): void {
    while (this.getters.length > 0) {
      const item = this.queue.shift();
      if (item === undefined) {
        if (this.shuttingDown) for (const getter of this.getters.splice(0)) getter(undefined);
        return;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      this.getters.shift()!(item);
    }
  }
}
