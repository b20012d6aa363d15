// The API server's object storage suite: the same cases run over ObjectStore on each KV it can be
// given, the embedded store and a real etcd through EtcdKV, so the API server behaves the same on
// both. Each case keeps to its own prefix under /registry/suite/ and never assumes what the revision
// is, only how revisions relate, so cases do not depend on one another.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, type StorageError } from '../../src/cluster/apiserver/storage/errors.ts';
import {
  ObjectStore,
  type StorageEvent,
  type StoredObject,
} from '../../src/cluster/apiserver/storage/object-store.ts';
import type { KV } from '../../src/cluster/etcd/kv.ts';

export interface StorageUnderTest {
  readonly kv: KV;
  /** Compacts history up to `revision`, as etcd's Compact does. */
  compact(revision: number): Promise<void>;
  stop(): Promise<void>;
}

interface Pod extends StoredObject {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { image: string };
}

const pod = (name: string, image = 'nginx'): Pod => ({ metadata: { name }, spec: { image } });
const rv = (obj: StoredObject): number => Number(obj.metadata?.resourceVersion);
const names = (items: readonly Pod[]) => items.map((p) => p.metadata.name);

async function rejection(promise: Promise<unknown>): Promise<StorageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStorageError(err)) throw new Error(`expected a StorageError, got ${String(err)}`);
  return err;
}

/** Collects a watch's events; `refuse` makes the sink say "no more" after the event it names. */
class Recorder {
  readonly events: StorageEvent<Pod>[] = [];
  expired: StorageError | undefined;
  refuse: ((event: StorageEvent<Pod>) => boolean) | undefined;

  readonly onEvent = (event: StorageEvent<Pod>): boolean => {
    this.events.push(event);
    return !this.refuse?.(event);
  };

  readonly onExpired = (err: StorageError): void => {
    this.expired = err;
  };

  /** The events as `TYPE name@rv`, easy to compare. */
  get seen(): string[] {
    return this.events.map((e) => `${e.type} ${e.object.metadata.name}@${e.revision}`);
  }

  async waitFor(count: number): Promise<string[]> {
    await until(() => this.events.length >= count, `${count} events (have ${this.seen.join(', ')})`);
    return this.seen;
  }
}

/** The KV under test, with a way to run a write of the test's own just before the next txn. */
class Interposer implements KV {
  private hook: (() => Promise<unknown>) | undefined;

  constructor(private readonly kv: KV) {}

  beforeNextTxn(hook: () => Promise<unknown>): void {
    this.hook = hook;
  }

  range: KV['range'] = (req) => this.kv.range(req);
  watch: KV['watch'] = (req, sink) => this.kv.watch(req, sink);
  txn: KV['txn'] = async (req) => {
    const hook = this.hook;
    this.hook = undefined;
    await hook?.();
    return this.kv.txn(req);
  };
}

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function runStorageSuite(name: string, start: () => Promise<StorageUnderTest>): void {
  describe(`ObjectStore over ${name}`, () => {
    let target: StorageUnderTest;
    let kv: Interposer;
    let storage: ObjectStore;

    beforeAll(async () => {
      target = await start();
      kv = new Interposer(target.kv);
      storage = new ObjectStore(kv);
    });

    afterAll(async () => {
      await target?.stop();
    });

    it('creates and gets an object, its resourceVersion the revision of the write', async () => {
      const key = '/registry/suite/create/default/web';
      const created = await storage.create(key, pod('web'));
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(await storage.get(key)).toEqual(created);
      // The resourceVersion is never stored: it comes from the key's mod_revision.
      const { kvs } = await target.kv.range({ key: Buffer.from(key) });
      expect(JSON.parse(kvs[0]!.value.toString())).toEqual(pod('web'));
      expect(kvs[0]!.modRevision).toBe(rv(created));

      const again = await rejection(storage.create(key, pod('web', 'httpd')));
      expect(again.code).toBe('KeyExists');
      expect(await storage.get('/registry/suite/create/default/missing')).toBeUndefined();
    });

    it('lists in pages with limit and continue, every page at the first page’s revision', async () => {
      const prefix = '/registry/suite/list/';
      for (const n of ['a', 'b', 'c', 'd', 'e']) await storage.create(`${prefix}${n}`, pod(n));

      const first = await storage.list<Pod>(prefix, { limit: 2 });
      expect(names(first.items)).toEqual(['a', 'b']);
      expect(first.remainingItemCount).toBe(3);
      expect(first.continue).toBeDefined();
      // A write after the first page is not seen by the pages that follow it.
      await storage.create(`${prefix}f`, pod('f'));
      const second = await storage.list<Pod>(prefix, { limit: 2, continue: first.continue });
      expect(names(second.items)).toEqual(['c', 'd']);
      expect(second.revision).toBe(first.revision);
      const third = await storage.list<Pod>(prefix, { limit: 2, continue: second.continue });
      expect(names(third.items)).toEqual(['e']);
      expect(third.continue).toBeUndefined();

      const all = await storage.list<Pod>(prefix);
      expect(names(all.items)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(all.revision).toBe(Math.max(...all.items.map(rv)));

      // A predicate fills the page past the items it rejects.
      const odd = await storage.list<Pod>(prefix, {
        limit: 2,
        predicate: (o) => ['a', 'c', 'e'].includes((o as Pod).metadata.name),
      });
      expect(names(odd.items)).toEqual(['a', 'c']);

      const bad = await rejection(storage.list(prefix, { continue: 'not-a-token' }));
      expect(bad.code).toBe('InvalidContinue');
    });

    it('retries an update whose object changed meanwhile, on the fresh state', async () => {
      const key = '/registry/suite/update/web';
      const created = await storage.create(key, pod('web'));
      const seenVersions: number[] = [];
      const updated = await storage.update<Pod>(key, async (current) => {
        seenVersions.push(rv(current));
        if (seenVersions.length === 1) {
          // Another writer gets in between this read and the write below.
          await storage.update<Pod>(key, (c) => ({
            ...c,
            metadata: { ...c.metadata, labels: { tier: 'web' } },
          }));
        }
        return { ...current, spec: { image: 'nginx:1.27' } };
      });
      expect(seenVersions).toHaveLength(2);
      expect(seenVersions[0]).toBe(rv(created));
      expect(seenVersions[1]).toBeGreaterThan(rv(created));
      // The retry started from the other writer's state, so both changes are kept.
      expect(updated.metadata.labels).toEqual({ tier: 'web' });
      expect(updated.spec).toEqual({ image: 'nginx:1.27' });
      expect(await storage.get(key)).toEqual(updated);

      // An update that changes nothing writes nothing.
      const same = await storage.update<Pod>(key, (current) => current);
      expect(rv(same)).toBe(rv(updated));

      const missing = await rejection(storage.update('/registry/suite/update/none', (c) => c));
      expect(missing.code).toBe('KeyNotFound');
    });

    it('deletes only what the precondition accepts, checking again after a concurrent change', async () => {
      const key = '/registry/suite/delete/web';
      const created = await storage.create(key, pod('web'));
      const checked: string[] = [];
      const requireNginx = (current: Pod) => {
        checked.push(current.spec?.image ?? '');
        if (current.spec?.image !== 'nginx') throw new Error('precondition failed: image is not nginx');
      };
      // Another writer changes the object between the delete's read (and check) and its write.
      kv.beforeNextTxn(() => storage.update<Pod>(key, (c) => ({ ...c, spec: { image: 'httpd' } })));
      await expect(storage.delete(key, requireNginx)).rejects.toThrow('precondition failed');
      expect(checked).toEqual(['nginx', 'httpd']);
      const changed = await storage.get<Pod>(key);
      expect(changed?.spec).toEqual({ image: 'httpd' });

      const deleted = await storage.delete<Pod>(key, (current) => expect(current).toEqual(changed));
      expect(deleted.spec).toEqual({ image: 'httpd' });
      expect(rv(deleted)).toBeGreaterThan(rv(changed!));
      expect(rv(changed!)).toBeGreaterThan(rv(created));
      expect(await storage.get(key)).toBeUndefined();

      const again = await rejection(storage.delete(key));
      expect(again.code).toBe('KeyNotFound');
    });

    it('watches from a revision: every change after it, with the previous state', async () => {
      const prefix = '/registry/suite/watch-rv/';
      const a = await storage.create(`${prefix}a`, pod('a'));
      const a2 = await storage.update<Pod>(`${prefix}a`, (c) => ({ ...c, spec: { image: 'httpd' } }));
      const b = await storage.create(`${prefix}b`, pod('b'));
      const gone = await storage.delete<Pod>(`${prefix}a`);

      const rec = new Recorder();
      const handle = await storage.watch<Pod>(
        prefix,
        { revision: rv(a), recursive: true, onExpired: rec.onExpired },
        rec.onEvent,
      );
      expect(await rec.waitFor(3)).toEqual([
        `MODIFIED a@${rv(a2)}`,
        `ADDED b@${rv(b)}`,
        `DELETED a@${rv(gone)}`,
      ]);
      expect(rec.events[0]!.previous?.spec).toEqual({ image: 'nginx' });
      // A deleted object is reported as it last was, at the revision of its deletion.
      expect(rec.events[2]!.object).toEqual({
        ...a2,
        metadata: { ...a2.metadata, resourceVersion: String(rv(gone)) },
      });

      const c = await storage.create(`${prefix}c`, pod('c'));
      expect((await rec.waitFor(4))[3]).toBe(`ADDED c@${rv(c)}`);
      handle.cancel();
      await storage.create(`${prefix}d`, pod('d'));
      // A key that merely shares the prefix's text outside the prefix is not watched.
      await storage.create('/registry/suite/watch-rv-other', pod('other'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rec.events).toHaveLength(4);
      expect(rec.expired).toBeUndefined();
    });

    it('watches from 0: the current objects as ADDED, then the changes', async () => {
      const prefix = '/registry/suite/watch-0/';
      const a = await storage.create(`${prefix}a`, pod('a'));
      const b = await storage.create(`${prefix}b`, pod('b'));
      const rec = new Recorder();
      const handle = await storage.watch<Pod>(
        prefix,
        { revision: 0, recursive: true, onExpired: rec.onExpired },
        rec.onEvent,
      );
      expect(rec.seen).toEqual([`ADDED a@${rv(a)}`, `ADDED b@${rv(b)}`]);
      const a2 = await storage.update<Pod>(`${prefix}a`, (c) => ({ ...c, spec: { image: 'httpd' } }));
      expect((await rec.waitFor(3))[2]).toBe(`MODIFIED a@${rv(a2)}`);
      handle.cancel();

      // One key, not recursive.
      const one = new Recorder();
      const single = await storage.watch<Pod>(
        `${prefix}b`,
        { revision: 0, recursive: false, onExpired: one.onExpired },
        one.onEvent,
      );
      await storage.update<Pod>(`${prefix}a`, (c) => ({ ...c, spec: { image: 'nginx' } }));
      const b2 = await storage.update<Pod>(`${prefix}b`, (c) => ({ ...c, spec: { image: 'httpd' } }));
      expect(await one.waitFor(2)).toEqual([`ADDED b@${rv(b)}`, `MODIFIED b@${rv(b2)}`]);
      single.cancel();
    });

    it('holds back a watcher that refuses an event until resume(), then catches it up in order', async () => {
      const prefix = '/registry/suite/watch-slow/';
      const first = await storage.create(`${prefix}a`, pod('a'));
      const rec = new Recorder();
      rec.refuse = (event) => event.object.metadata.name === 'a';
      const handle = await storage.watch<Pod>(
        prefix,
        { revision: rv(first) - 1, recursive: true, onExpired: rec.onExpired },
        rec.onEvent,
      );
      await rec.waitFor(1);
      rec.refuse = undefined;
      const later: Pod[] = [];
      for (const n of ['b', 'c', 'd']) later.push(await storage.create(`${prefix}${n}`, pod(n)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rec.seen).toEqual([`ADDED a@${rv(first)}`]);

      handle.resume();
      expect(await rec.waitFor(4)).toEqual([
        `ADDED a@${rv(first)}`,
        ...later.map((p) => `ADDED ${p.metadata.name}@${rv(p)}`),
      ]);
      const e = await storage.create(`${prefix}e`, pod('e'));
      expect((await rec.waitFor(5))[4]).toBe(`ADDED e@${rv(e)}`);
      expect(rec.events).toHaveLength(5);
      handle.cancel();
    });

    it('reports history lost to compaction as Expired, with the oldest revision left', async () => {
      const prefix = '/registry/suite/compact/';
      const a = await storage.create(`${prefix}a`, pod('a'));
      await storage.create(`${prefix}b`, pod('b'));
      const page = await storage.list<Pod>(prefix, { limit: 1 });
      const latest = await storage.update<Pod>(`${prefix}a`, (c) => ({ ...c, spec: { image: 'httpd' } }));
      await target.compact(rv(latest));

      const old = await rejection(storage.list(prefix, { revision: rv(a) }));
      expect(old.code).toBe('Expired');
      expect(old.revisions).toEqual({ requested: rv(a), oldest: rv(latest) });

      const token = await rejection(storage.list(prefix, { limit: 1, continue: page.continue }));
      expect(token.code).toBe('Expired');
      expect(token.revisions).toEqual({ requested: page.revision, oldest: rv(latest) });

      const rec = new Recorder();
      await storage.watch<Pod>(
        prefix,
        { revision: rv(a), recursive: true, onExpired: rec.onExpired },
        rec.onEvent,
      );
      await until(() => rec.expired !== undefined, 'the watch to expire');
      expect(rec.expired?.code).toBe('Expired');
      expect(rec.expired?.revisions).toEqual({ requested: rv(a), oldest: rv(latest) });
      expect(rec.events).toEqual([]);

      // From the compaction on, reads and watches work again.
      const now = await storage.list<Pod>(prefix, { revision: rv(latest) });
      expect(names(now.items)).toEqual(['a', 'b']);
    });
  });
}
