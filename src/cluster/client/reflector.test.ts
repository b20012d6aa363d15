import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../api/core/config.ts';
import type { Status } from '../api/meta.ts';
import { type ListerWatcher, Reflector, type ReflectorStore, type ReflectorTrace } from './reflector.ts';
import type { ListOptions, ObjectList, WatchEvent, Watcher, WatchOptions } from './rest-client.ts';
import { ApiError } from './rest-client.ts';

const cm = (name: string, resourceVersion: string) =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', resourceVersion },
  }) as ConfigMap;

const bookmark = (resourceVersion: string): WatchEvent<ConfigMap> => ({
  type: 'BOOKMARK',
  object: { metadata: { resourceVersion } } as ConfigMap,
});

const expired: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, code: 410, reason: 'Expired' };

/** One scripted watch: events to deliver, then how it ends: closed by the server at once, broken, or held open. */
interface WatchScript {
  readonly events?: WatchEvent<ConfigMap>[];
  readonly end?: 'close' | 'break' | 'hold';
  /** The watch request itself fails with this. */
  readonly refuse?: Error;
}

/**
 * A ListerWatcher that answers from scripts and records what it was asked. Watches past the end
 * of the script stay open until the reflector stops.
 */
class ScriptedListerWatcher implements ListerWatcher<ConfigMap> {
  readonly lists: ListOptions[] = [];
  readonly watches: WatchOptions[] = [];

  constructor(
    private readonly pages: ObjectList<ConfigMap>[][],
    private readonly scripts: WatchScript[],
  ) {}

  async list(options: ListOptions = {}): Promise<ObjectList<ConfigMap>> {
    this.lists.push(options);
    const listing = this.pages[Math.min(this.listings(), this.pages.length - 1)]!;
    return listing[options.continue ? Number(options.continue) : 0]!;
  }

  async watch(options: WatchOptions = {}): Promise<Watcher<ConfigMap>> {
    this.watches.push(options);
    const script = this.scripts[this.watches.length - 1] ?? { end: 'hold' };
    if (script.refuse) throw script.refuse;
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
      options.signal?.addEventListener('abort', () => resolve());
    });
    return {
      stop,
      async *[Symbol.asyncIterator]() {
        for (const event of script.events ?? []) yield event;
        if (script.end === 'break') throw new Error('read ECONNRESET');
        if (script.end !== 'close') await stopped;
      },
    };
  }

  private listings(): number {
    return this.lists.filter((options) => !options.continue).length - 1;
  }
}

const listOf = (resourceVersion: string, items: ConfigMap[], next?: string): ObjectList<ConfigMap> => ({
  apiVersion: 'v1',
  kind: 'ConfigMapList',
  metadata: { resourceVersion, ...(next ? { continue: next } : {}) },
  items,
});

/** Records what reaches the store. */
class RecordingStore implements ReflectorStore<ConfigMap> {
  readonly calls: string[] = [];
  replace(items: ConfigMap[], rv: string) {
    this.calls.push(`replace ${items.map((i) => i.metadata.name).join(',')} @${rv}`);
  }
  add(obj: ConfigMap) {
    this.calls.push(`add ${obj.metadata.name}`);
  }
  update(obj: ConfigMap) {
    this.calls.push(`update ${obj.metadata.name}`);
  }
  delete(obj: ConfigMap) {
    this.calls.push(`delete ${obj.metadata.name}`);
  }
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function start(lw: ScriptedListerWatcher, store: RecordingStore, traces: ReflectorTrace[] = []) {
  const reflector = new Reflector<ConfigMap>({
    listerWatcher: lw,
    store,
    pageSize: 2,
    labelSelector: 'app=web',
    backoff: { initialMs: 1, maxMs: 4 },
    trace: (t) => traces.push(t),
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  const stop = () => {
    controller.abort();
    return done;
  };
  return { reflector, stop };
}

describe('Reflector', () => {
  it('lists in pages, then watches from the list version with bookmarks, moving the version on', async () => {
    const lw = new ScriptedListerWatcher(
      [[listOf('10', [cm('a', '5'), cm('b', '6')], '1'), listOf('10', [cm('c', '7')])]],
      [
        {
          events: [
            { type: 'ADDED', object: cm('d', '11') },
            { type: 'MODIFIED', object: cm('a', '12') },
            { type: 'DELETED', object: cm('b', '13') },
            bookmark('15'),
          ],
          end: 'close',
        },
      ],
    );
    const store = new RecordingStore();
    const { reflector, stop } = start(lw, store);
    await until(() => lw.watches.length === 2);
    expect(store.calls).toEqual(['replace a,b,c @10', 'add d', 'update a', 'delete b']);
    expect(lw.lists.map((l) => [l.limit, l.continue, l.labelSelector])).toEqual([
      [2, undefined, 'app=web'],
      [2, '1', 'app=web'],
    ]);
    expect(lw.watches[0]).toMatchObject({
      resourceVersion: '10',
      allowWatchBookmarks: true,
      labelSelector: 'app=web',
    });
    expect(lw.watches[0]!.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(lw.watches[0]!.timeoutSeconds).toBeLessThan(600);
    expect(lw.watches[1]!.resourceVersion).toBe('15');
    expect(reflector.lastSyncResourceVersion()).toBe('15');
    await stop();
  });

  it('relists at once when the watch reports 410 Expired', async () => {
    const lw = new ScriptedListerWatcher(
      [[listOf('10', [cm('a', '5')])], [listOf('30', [cm('a', '25')])]],
      [{ events: [{ type: 'ERROR', object: expired }] }],
    );
    const store = new RecordingStore();
    const traces: ReflectorTrace[] = [];
    const { stop } = start(lw, store, traces);
    await until(() => lw.watches.length === 2);
    expect(store.calls).toEqual(['replace a @10', 'replace a @30']);
    expect(lw.watches.map((w) => w.resourceVersion)).toEqual(['10', '30']);
    expect(traces.map((t) => t.type)).toEqual(['listed', 'watching', 'expired', 'listed', 'watching']);
    await stop();
  });

  it('treats a refused watch with code 410 the same way', async () => {
    const lw = new ScriptedListerWatcher(
      [[listOf('10', [])], [listOf('30', [])]],
      [{ refuse: new ApiError({ ...expired, reason: 'Gone' }) }],
    );
    const { stop } = start(lw, new RecordingStore());
    await until(() => lw.lists.length === 2 && lw.watches.length === 2);
    expect(lw.watches[1]!.resourceVersion).toBe('30');
    await stop();
  });

  it('backs off after other failures and watches again from where it was, without relisting', async () => {
    const lw = new ScriptedListerWatcher(
      [[listOf('10', [])]],
      [
        { events: [{ type: 'ADDED', object: cm('a', '11') }], end: 'break' },
        { refuse: new Error('connect ECONNREFUSED 127.0.0.1:6443') },
      ],
    );
    const traces: ReflectorTrace[] = [];
    const { stop } = start(lw, new RecordingStore(), traces);
    await until(() => lw.watches.length === 3);
    expect(lw.lists).toHaveLength(1);
    expect(lw.watches.map((w) => w.resourceVersion)).toEqual(['10', '11', '11']);
    const failures = traces.filter((t) => t.type === 'failed');
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.retryInMs).toBeLessThanOrEqual(4);
    await stop();
  });

  it('counts a watch that the server ends at once without a single event as a failure', async () => {
    const lw = new ScriptedListerWatcher([[listOf('10', [])]], [{ end: 'close' }]);
    const traces: ReflectorTrace[] = [];
    const { stop } = start(lw, new RecordingStore(), traces);
    await until(() => lw.watches.length === 2);
    expect(traces.map((t) => t.type)).toEqual(['listed', 'watching', 'failed', 'watching']);
    expect(lw.lists).toHaveLength(1);
    await stop();
  });

  it('ignores a bookmark that carries resourceVersion "0"', async () => {
    const lw = new ScriptedListerWatcher([[listOf('10', [])]], [{ events: [bookmark('0')], end: 'close' }]);
    const { reflector, stop } = start(lw, new RecordingStore());
    await until(() => lw.watches.length === 2);
    expect(lw.watches[1]!.resourceVersion).toBe('10');
    expect(reflector.lastSyncResourceVersion()).toBe('10');
    await stop();
  });

  it('retries a failed list after a backoff, and stops when aborted', async () => {
    let calls = 0;
    const lw = new ScriptedListerWatcher([[listOf('10', [])]], []);
    const list = lw.list.bind(lw);
    lw.list = async (options) => {
      if (calls++ === 0) throw new Error('connect ECONNREFUSED');
      return list(options);
    };
    const store = new RecordingStore();
    const { stop } = start(lw, store);
    await until(() => lw.watches.length === 1);
    expect(store.calls).toEqual(['replace  @10']);
    await stop();
  });
});
