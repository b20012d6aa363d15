import type { KubeObject } from '../api/meta.ts';
import { type Clock, sleep, systemClock } from '../clock/clock.ts';
import { ApiError, isGone, type ResourceClient } from './rest-client.ts';

/** What a reflector lists and watches: a ResourceClient, or a fake of its two calls in a test. */
export type ListerWatcher<T extends KubeObject> = Pick<ResourceClient<T>, 'list' | 'watch'>;

/** Where a reflector puts what it learns: in practice the informer, which caches and notifies. */
export interface ReflectorStore<T> {
  /** The complete set of objects as of `resourceVersion`, from a (re)list. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  /** The object as it was when deleted. */
  delete(obj: T): void;
}

/** What a reflector is doing, for whoever wants to show it (the lab's UI, a test). */
export type ReflectorTrace =
  | { readonly type: 'listed'; readonly resourceVersion: string; readonly items: number }
  | { readonly type: 'watching'; readonly resourceVersion: string }
  | { readonly type: 'expired'; readonly resourceVersion: string; readonly message: string }
  | { readonly type: 'failed'; readonly error: unknown; readonly retryInMs: number };

/** What a reflector lists and watches, where it puts the result, and how it paces itself. */
export interface ReflectorOptions<T extends KubeObject> {
  readonly listerWatcher: ListerWatcher<T>;
  readonly store: ReflectorStore<T>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Items per list page (limit/continue), so a big list is not one huge answer; 500 as client-go. */
  readonly pageSize?: number;
  /**
   * Each watch asks the server to end it after this many seconds times a random 1 to 2, so
   * clients started together do not all reconnect together; 300 as client-go.
   */
  readonly minWatchTimeoutSeconds?: number;
  /** Waits after failures: from initialMs, doubling, jittered up to twice as long, at most maxMs. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly clock?: Clock;
  readonly trace?: (event: ReflectorTrace) => void;
}

/** A watch that ends this soon without a single event is treated as a failure, not a normal close. */
const SHORT_WATCH_MS = 1000;

/**
 * Reflector keeps a store in step with the API server, after client-go's tools/cache Reflector:
 *
 *   list (in pages)  -> store.replace(items), remember the list's resourceVersion
 *   watch from there -> add/update/delete per event; every event (bookmarks too) moves the
 *                       remembered resourceVersion on
 *   watch ends       -> watch again from the remembered resourceVersion: nothing is missed,
 *                       nothing is seen twice
 *   410 Gone/Expired -> the server no longer has history that old (it was compacted): list
 *                       again, and replace() reconciles the store with the fresh list
 *   other failures   -> wait (jittered exponential backoff, capped), then watch again from the
 *                       remembered resourceVersion, or list again if no list has succeeded yet
 *
 * It lists with no resourceVersion, a consistent read of the newest state; client-go's "0"
 * exists to hit kube-apiserver's watch cache, which this API server does not have.
 */
export class Reflector<T extends KubeObject> {
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly minWatchTimeoutSeconds: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private resourceVersion = '';
  /** Failures since the last healthy watch; sets the next backoff. */
  private failures = 0;

  constructor(private readonly options: ReflectorOptions<T>) {
    this.clock = options.clock ?? systemClock;
    this.pageSize = options.pageSize ?? 500;
    this.minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? 300;
    this.initialBackoffMs = options.backoff?.initialMs ?? 800;
    this.maxBackoffMs = options.backoff?.maxMs ?? 30_000;
  }

  /** The resourceVersion the store reflects: that of the last list, event or bookmark. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Lists and watches until `signal` aborts; resolves then, and never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
        }
        await this.watch(signal);
      } catch (err) {
        if (signal.aborted) break;
        // A 410 from the watch means only that our version is too old: a fresh list cures it at
        // once. If the watch right after a list is already too old, something is wrong, and
        // relisting in a hot loop would not help; that case waits like any failure.
        if (!needList && isGone(err)) {
          const message = err instanceof Error ? err.message : String(err);
          this.options.trace?.({ type: 'expired', resourceVersion: this.resourceVersion, message });
          needList = true;
          if (this.failures++ === 0) continue;
        } else {
          this.failures++;
        }
        const retryInMs = this.backoff();
        this.options.trace?.({ type: 'failed', error: err, retryInMs });
        await sleep(this.clock, retryInMs, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const { listerWatcher, labelSelector, fieldSelector } = this.options;
    const items: T[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const page = await listerWatcher.list({
        labelSelector,
        fieldSelector,
        limit: this.pageSize,
        continue: next,
        signal,
      });
      items.push(...page.items);
      // Every page of one list is read at the first page's version, and reports it.
      resourceVersion = page.metadata.resourceVersion ?? '';
      next = page.metadata.continue || undefined;
    } while (next);
    this.options.store.replace(items, resourceVersion);
    this.resourceVersion = resourceVersion;
    this.options.trace?.({ type: 'listed', resourceVersion, items: items.length });
  }

  /** One watch, from the remembered version until the server ends it; throws on failure. */
  private async watch(signal: AbortSignal): Promise<void> {
    const { listerWatcher, labelSelector, fieldSelector, store } = this.options;
    const started = this.clock.now();
    const watcher = await listerWatcher.watch({
      labelSelector,
      fieldSelector,
      resourceVersion: this.resourceVersion,
      timeoutSeconds: Math.floor(this.minWatchTimeoutSeconds * (1 + Math.random())),
      allowWatchBookmarks: true,
      signal,
    });
    this.options.trace?.({ type: 'watching', resourceVersion: this.resourceVersion });
    let events = 0;
    for await (const event of watcher) {
      if (event.type === 'ERROR') throw new ApiError(event.object);
      events++;
      this.failures = 0;
      switch (event.type) {
        case 'ADDED':
          store.add(event.object);
          break;
        case 'MODIFIED':
          store.update(event.object);
          break;
        case 'DELETED':
          store.delete(event.object);
          break;
        case 'BOOKMARK':
          break;
      }
      const version = event.object.metadata.resourceVersion;
      // "0" means "any version" in Kubernetes, never a point in history: watching from it would
      // replay every object as ADDED and miss deletions, so a bookmark carrying it is skipped.
      if (version && version !== '0') this.resourceVersion = version;
    }
    if (signal.aborted) return;
    if (events === 0 && this.clock.now() - started < SHORT_WATCH_MS) {
      throw new Error('very short watch: the server closed it within a second without sending an event');
    }
    this.failures = 0;
  }

  /** client-go's reflector backoff: 800 ms doubling to 30 s, each wait jittered up to twice as long. */
  private backoff(): number {
    const base = this.initialBackoffMs * 2 ** Math.max(0, this.failures - 1);
    return Math.min(this.maxBackoffMs, base * (1 + Math.random()));
  }
}
