import type { ServerResponse } from 'node:http';
import type { Status } from './status.ts';
import type { StorageEvent, StoredObject } from './storage/object-store.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions<T extends StoredObject> {
  /** Close the stream after this long (the watch's timeoutSeconds). */
  readonly timeoutMs: number;
  /** Send BOOKMARK events this often, when the client allowed them (allowWatchBookmarks). */
  readonly bookmarkIntervalMs?: number;
  /** What a BOOKMARK's object looks like apart from its resourceVersion: kind and apiVersion. */
  readonly bookmarkObject: (resourceVersion: string) => unknown;
  /** Turns an object into what this client asked for (the object, or a one-row Table). */
  readonly encode: (obj: T) => unknown;
}

/**
 * WatchStream writes a Kubernetes watch response: one JSON object per line,
 * `{"type":"ADDED","object":{...}}`, over a chunked HTTP response that stays open. It reports
 * backpressure so the storage watch can park this watcher instead of buffering without bound.
 */
export class WatchStream<T extends StoredObject> {
  private lastResourceVersion = '0';
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly options: WatchOptions<T>,
  ) {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    this.timers.push(setTimeout(() => this.close(), options.timeoutMs));
    if (options.bookmarkIntervalMs) {
      this.timers.push(setInterval(() => this.bookmark(), options.bookmarkIntervalMs));
    }
    res.on('close', () => this.close());
  }

  /**
   * Notes that the watch has seen everything up to `revision`, sent or filtered out, so a
   * BOOKMARK can tell the client it may resume from there.
   */
  observe(revision: number): void {
    if (revision > Number(this.lastResourceVersion)) this.lastResourceVersion = String(revision);
  }

  /** Writes one change; false when the client is not keeping up. */
  send(event: StorageEvent<T>): boolean {
    if (this.closed) return true;
    this.observe(event.revision);
    return this.write({ type: event.type, object: this.options.encode(event.object) });
  }

  /** Ends the watch with an ERROR event, as Kubernetes does for 410 Expired. */
  fail(status: Status): void {
    if (this.closed) return;
    this.write({ type: 'ERROR', object: status });
    this.close();
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  onDrain(handler: () => void): void {
    this.res.on('drain', handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const handler of this.closeHandlers) handler();
    this.res.end();
  }

  private bookmark(): void {
    this.write({ type: 'BOOKMARK', object: this.options.bookmarkObject(this.lastResourceVersion) });
  }

  private write(event: { type: WatchEventType; object: unknown }): boolean {
    return this.res.write(`${JSON.stringify(event)}\n`);
  }
}
