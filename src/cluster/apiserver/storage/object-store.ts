import type { KV } from '../../etcd/kv.ts';
import { CompactedError, FutureRevisionError } from '../../store/errors.ts';
import type { KeyValue, Event as KVEvent, WatchHandle } from '../../store/types.ts';
import { StorageError } from './errors.ts';

/** Any API object: storage only needs its metadata. */
export interface StoredObject {
  metadata?: { resourceVersion?: string | undefined };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent<T extends StoredObject = StoredObject> {
  readonly type: WatchEventType;
  readonly object: T;
  /** The object before this change (MODIFIED and DELETED), so filters can see an object leave. */
  readonly previous?: T;
  readonly revision: number;
}

export interface ListOptions<T extends StoredObject = StoredObject> {
  /** At most this many items; 0 = all. */
  readonly limit?: number;
  /** The opaque token of the previous page. */
  readonly continue?: string;
  /** Read at exactly this revision (resourceVersionMatch=Exact); 0 = the newest. */
  readonly revision?: number;
  /** Keep only items it accepts; pages are filled past rejected items, as Kubernetes does. */
  readonly predicate?: (obj: T) => boolean;
}

export interface ListResult<T extends StoredObject = StoredObject> {
  readonly items: T[];
  readonly revision: number;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface WatchOptions {
  /** Events after this revision; 0 = start with the current state as ADDED events. */
  readonly revision: number;
  readonly recursive: boolean;
  /** Called when history before `revision` is gone; the watch is over. */
  readonly onExpired: (err: StorageError) => void;
}

/**
 * ObjectStore keeps API objects as JSON under their keys, in the manner of kube-apiserver's etcd3
 * storage: the resourceVersion is never stored but comes from the key's mod_revision; writes are
 * conditional transactions on that revision, so concurrent writers never overwrite each other.
 * JSON (where Kubernetes stores protobuf) keeps `etcdctl get /registry/... ` readable for learners.
 */
export class ObjectStore {
  private readonly cache = new DecodedCache();

  constructor(private readonly kv: KV) {}

  async create<T extends StoredObject>(key: string, obj: T): Promise<T> {
    const value = encode(obj);
    const k = Buffer.from(key);
    const resp = await this.kv.txn({
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: 0 }],
      success: [{ requestPut: { key: k, value } }],
      failure: [],
    });
    if (!resp.succeeded) throw new StorageError('KeyExists', key, `key exists: ${key}`);
    return withVersion(obj, resp.header.revision);
  }

  async get<T extends StoredObject>(key: string): Promise<T | undefined> {
    const { kvs } = await this.kv.range({ key: Buffer.from(key) });
    return kvs[0] ? this.cache.decode<T>(kvs[0]) : undefined;
  }

  async list<T extends StoredObject>(prefix: string, options: ListOptions<T> = {}): Promise<ListResult<T>> {
    const end = prefixEnd(Buffer.from(prefix));
    let start = Buffer.from(prefix);
    let revision = options.revision ?? 0;
    if (options.continue) {
      const token = decodeContinue(options.continue, prefix);
      start = Buffer.from(token.start);
      revision = token.rv;
    }
    const limit = options.limit ?? 0;
    const items: T[] = [];
    for (;;) {
      let resp: Awaited<ReturnType<KV['range']>>;
      try {
        resp = await this.kv.range({ key: start, rangeEnd: end, limit, revision });
      } catch (err) {
        if (err instanceof CompactedError) {
          const why = options.continue ? 'continue token expired' : 'revision compacted';
          throw new StorageError('Expired', prefix, why, {
            requested: revision,
            oldest: err.compactRevision,
          });
        }
        // An exact resourceVersion (or a continue token) from beyond the newest revision.
        if (err instanceof FutureRevisionError) {
          const current = (await this.kv.range({ key: start, rangeEnd: end, limit: 1 })).header.revision;
          throw new StorageError('TooLargeResourceVersion', prefix, 'revision in the future', {
            requested: revision,
            current,
          });
        }
        throw err;
      }
      if (revision === 0) revision = resp.header.revision;
      for (const [i, kv] of resp.kvs.entries()) {
        const obj = this.cache.decode<T>(kv);
        if (options.predicate && !options.predicate(obj)) continue;
        items.push(obj);
        // A full page ends here; the next one starts after this key, if anything is left.
        if (limit > 0 && items.length === limit && (i < resp.kvs.length - 1 || resp.more)) {
          return {
            items,
            revision,
            continue: encodeContinue(revision, Buffer.concat([kv.key, Buffer.from([0])]).toString('latin1')),
            ...(options.predicate ? {} : { remainingItemCount: resp.count - (i + 1) }),
          };
        }
      }
      const last = resp.kvs.at(-1);
      if (!resp.more || !last) return { items, revision };
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /**
   * Reads the object, lets `tryUpdate` derive the next state, and writes it only if nobody wrote in
   * between; otherwise it reads again and retries. `tryUpdate` may throw to refuse (a Conflict when
   * the caller's resourceVersion is stale). An update that changes nothing writes nothing.
   */
  async update<T extends StoredObject>(key: string, tryUpdate: (current: T) => T | Promise<T>): Promise<T> {
    const k = Buffer.from(key);
    let current = await this.readRaw(k);
    for (;;) {
      if (!current) throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
      const obj = decode<T>(current);
      const next = await tryUpdate(obj);
      const value = encode(next);
      if (value.equals(current.value)) return obj;
      const resp = await this.kv.txn({
        compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: current.modRevision }],
        success: [{ requestPut: { key: k, value } }],
        failure: [{ requestRange: { key: k } }],
      });
      if (resp.succeeded) return withVersion(next, resp.header.revision);
      const reread = resp.responses[0];
      current = reread && 'responseRange' in reread ? reread.responseRange.kvs[0] : undefined;
    }
  }

  /** Deletes the object if `check` accepts its current state; returns that state. */
  async delete<T extends StoredObject>(key: string, check?: (current: T) => void): Promise<T> {
    const k = Buffer.from(key);
    for (;;) {
      const current = await this.readRaw(k);
      if (!current) throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
      const obj = decode<T>(current);
      check?.(obj);
      const resp = await this.kv.txn({
        compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: current.modRevision }],
        success: [{ requestDeleteRange: { key: k } }],
        failure: [],
      });
      if (resp.succeeded) {
        this.cache.forget(k);
        return withVersion(obj, resp.header.revision);
      }
    }
  }

  /**
   * Watches a key or a prefix. From revision 0 it first reports every existing object as ADDED (what
   * Kubernetes does for a watch without a resourceVersion), then the changes after that state.
   */
  async watch<T extends StoredObject>(
    key: string,
    options: WatchOptions,
    onEvent: (event: StorageEvent<T>) => boolean,
  ): Promise<WatchHandle & { readonly startRevision: number }> {
    const k = Buffer.from(key);
    const rangeEnd = options.recursive ? prefixEnd(k) : undefined;
    let startRevision = options.revision + 1;
    if (options.revision === 0) {
      const resp = await this.kv.range({ key: k, rangeEnd });
      for (const kv of resp.kvs) {
        onEvent({ type: 'ADDED', object: this.cache.decode<T>(kv), revision: kv.modRevision });
      }
      startRevision = resp.header.revision + 1;
    }
    const handle = this.kv.watch({ key: k, rangeEnd, startRevision, prevKv: true }, (batch) => {
      if (batch.compactRevision !== undefined) {
        options.onExpired(
          new StorageError('Expired', key, 'revision compacted', {
            requested: options.revision,
            oldest: batch.compactRevision,
          }),
        );
        return true;
      }
      let more = true;
      for (const event of batch.events)
        more = onEvent(toStorageEvent<T>(event, (kv) => this.cache.decode<T>(kv))) && more;
      return more;
    });
    return { resume: () => handle.resume(), cancel: () => handle.cancel(), startRevision };
  }

  private async readRaw(key: Buffer): Promise<KeyValue | undefined> {
    const { kvs } = await this.kv.range({ key });
    return kvs[0];
  }
}

/** Every watcher of a key decodes through the cache, so a change is parsed once, not once per watcher. */
function toStorageEvent<T extends StoredObject>(
  event: KVEvent,
  decode: (kv: KeyValue) => T,
): StorageEvent<T> {
  const revision = event.kv.modRevision;
  const previous = event.prevKv ? decode(event.prevKv) : undefined;
  if (event.type === 'DELETE') {
    // A deleted object is reported as it last was, at the revision of its deletion.
    return { type: 'DELETED', object: withVersion(previous ?? ({} as T), revision), previous, revision };
  }
  const type = event.kv.createRevision === event.kv.modRevision ? 'ADDED' : 'MODIFIED';
  return { type, object: decode(event.kv), previous, revision };
}

function encode(obj: StoredObject): Buffer {
  if (!obj.metadata?.resourceVersion) return Buffer.from(JSON.stringify(obj));
  const { resourceVersion: _, ...metadata } = obj.metadata;
  return Buffer.from(JSON.stringify({ ...obj, metadata }));
}

function decode<T extends StoredObject>(kv: KeyValue): T {
  const obj = JSON.parse(kv.value.toString()) as T;
  return withVersion(obj, kv.modRevision);
}

/** More entries than this and the cache starts over, which bounds what deleted keys leave behind. */
const DECODED_CACHE_LIMIT = 100_000;

/**
 * DecodedCache keeps each key's newest decoded object by mod revision, as kube-apiserver's watch
 * cache keeps objects decoded: a list of 10,000 pods then parses only what changed since the
 * last one. Objects are frozen, so a caller that changes what it was handed fails loudly instead
 * of corrupting the next reader's copy; code that derives a new state clones first.
 */
class DecodedCache {
  private readonly entries = new Map<string, { readonly revision: number; readonly obj: StoredObject }>();

  decode<T extends StoredObject>(kv: KeyValue): T {
    const key = kv.key.toString('latin1');
    const hit = this.entries.get(key);
    if (hit?.revision === kv.modRevision) return hit.obj as T;
    const obj = deepFreeze(decode<T>(kv));
    // An older revision (a watch's previous state) never replaces a newer one.
    if (!hit || hit.revision < kv.modRevision) {
      if (this.entries.size >= DECODED_CACHE_LIMIT) this.entries.clear();
      this.entries.set(key, { revision: kv.modRevision, obj });
    }
    return obj;
  }

  forget(key: Buffer): void {
    this.entries.delete(key.toString('latin1'));
  }
}

function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) stack.push(child);
  }
  return value;
}

function withVersion<T extends StoredObject>(obj: T, revision: number): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** The smallest key after every key with this prefix, as etcd's clientv3.GetPrefixRangeEnd. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

interface ContinueToken {
  readonly v: 'meta.k8s.io/v1';
  readonly rv: number;
  readonly start: string;
}

function encodeContinue(rv: number, start: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(token: string, prefix: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
    if (parsed.v === 'meta.k8s.io/v1' && typeof parsed.rv === 'number' && parsed.start.startsWith(prefix)) {
      return parsed;
    }
  } catch {
    // fall through to the refusal below
  }
  throw new StorageError('InvalidContinue', prefix, 'continue key is not valid');
}
