import { useEffect, useState } from 'react';
import type { KeyValue, WatchHandle } from '../cluster/store/types.ts';
import { useLab } from './context.ts';
import { REDRAW_INTERVAL_MS } from './use-objects.ts';

/** A key of the store with its revisions: created at createRevision, last written at modRevision. */
export interface StoreKey {
  readonly key: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

/** One past value of a key. */
export interface KeyRevision {
  readonly modRevision: number;
  readonly value: string;
}

/** How far back the Store tab walks a key's history. */
const HISTORY_DEPTH = 8;
/** How many watch events the Store tab keeps for its live strip. */
const RECENT_EVENTS = 20;
const REGISTRY = { key: Buffer.from('/registry/'), rangeEnd: Buffer.from('/registry0') };

const storeKey = (kv: KeyValue): StoreKey => ({
  key: kv.key.toString('utf8'),
  createRevision: kv.createRevision,
  modRevision: kv.modRevision,
  version: kv.version,
});

/** One change the store's watch reported: what `etcdctl watch --prefix /registry/` prints. */
export interface StoreEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly key: string;
  readonly revision: number;
}

/** The /registry keys in key order, the last changes, and the latest error. */
export interface RegistryState {
  readonly keys: readonly StoreKey[];
  readonly events: readonly StoreEvent[];
  readonly error?: string;
}

/**
 * useRegistryKeys follows every key under /registry/ while `active`: one keys-only range, then a
 * watch from the revision after it through the store's etcd face, as a reflector lists then
 * watches. Changes gather for REDRAW_INTERVAL_MS before they are drawn. A compacted watch (the
 * store dropped the history it needed) lists again.
 */
export function useRegistryKeys(active: boolean): RegistryState {
  const lab = useLab();
  const [state, setState] = useState<RegistryState>({ keys: [], events: [] });
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let handle: WatchHandle | undefined;
    let timer: NodeJS.Timeout | undefined;
    const keys = new Map<string, StoreKey>();
    let events: StoreEvent[] = [];
    const draw = () => {
      timer = undefined;
      if (stopped) return;
      const sorted = [...keys.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      setState({ keys: sorted, events });
    };
    const changed = () => {
      timer ??= setTimeout(draw, REDRAW_INTERVAL_MS);
    };
    const fail = (err: unknown) => {
      if (!stopped) setState((old) => ({ ...old, error: err instanceof Error ? err.message : String(err) }));
    };
    const listAndWatch = async () => {
      const answer = await lab.kv.range({ ...REGISTRY, keysOnly: true });
      if (stopped) return;
      keys.clear();
      for (const kv of answer.kvs) keys.set(kv.key.toString('utf8'), storeKey(kv));
      draw();
      handle = lab.kv.watch({ ...REGISTRY, startRevision: answer.header.revision + 1 }, (batch) => {
        if (batch.compactRevision !== undefined) {
          handle?.cancel();
          void listAndWatch().catch(fail);
          return true;
        }
        for (const event of batch.events) {
          const key = event.kv.key.toString('utf8');
          if (event.type === 'PUT') keys.set(key, storeKey(event.kv));
          else keys.delete(key);
          events = [...events, { type: event.type, key, revision: event.kv.modRevision }].slice(
            -RECENT_EVENTS,
          );
        }
        changed();
        return true;
      });
    };
    void listAndWatch().catch(fail);
    return () => {
      stopped = true;
      handle?.cancel();
      if (timer) clearTimeout(timer);
    };
  }, [lab, active]);
  return state;
}

/**
 * useKeyHistory reads a key's value at each of its last revisions, newest first: the value at
 * modRevision, then the key as it was at modRevision - 1, and so on back to its creation (or to
 * the compacted revision, which ends the walk). Read again when the key's modRevision moves.
 */
export function useKeyHistory(key: StoreKey | undefined): readonly KeyRevision[] {
  const lab = useLab();
  const [history, setHistory] = useState<readonly KeyRevision[]>([]);
  const name = key?.key;
  const created = key?.createRevision ?? 0;
  const modified = key?.modRevision ?? 0;
  useEffect(() => {
    if (name === undefined) {
      setHistory([]);
      return;
    }
    let stopped = false;
    void (async () => {
      const revisions: KeyRevision[] = [];
      let at = modified;
      while (revisions.length < HISTORY_DEPTH && at >= created) {
        const answer = await lab.kv.range({ key: Buffer.from(name), revision: at }).catch(() => undefined);
        const kv = answer?.kvs[0];
        if (!kv) break;
        revisions.push({ modRevision: kv.modRevision, value: kv.value.toString('utf8') });
        at = kv.modRevision - 1;
      }
      if (!stopped) setHistory(revisions);
    })();
    return () => {
      stopped = true;
    };
  }, [lab, name, created, modified]);
  return history;
}
