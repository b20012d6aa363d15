import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta.ts';
import {
  metaNamespaceIndexFunc,
  metaNamespaceKeyFunc,
  NAMESPACE_INDEX,
  splitMetaNamespaceKey,
  ThreadSafeStore,
} from './thread-safe-store.ts';

interface Labelled extends KubeObject {
  node?: string;
}

const obj = (namespace: string, name: string, node?: string): Labelled => ({
  metadata: { namespace: namespace || undefined, name },
  node,
});

const byNode = (o: Labelled) => (o.node ? [o.node] : []);

function storeOf(...objects: Labelled[]): ThreadSafeStore<Labelled> {
  const store = new ThreadSafeStore<Labelled>({
    indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc, node: byNode },
  });
  for (const o of objects) store.add(metaNamespaceKeyFunc(o), o);
  return store;
}

const names = (objects: Labelled[]) => objects.map((o) => o.metadata.name).sort();

describe('keys', () => {
  it('are namespace/name, or the name alone for cluster-scoped objects, and split back', () => {
    expect(metaNamespaceKeyFunc(obj('web', 'a'))).toBe('web/a');
    expect(metaNamespaceKeyFunc(obj('', 'node-1'))).toBe('node-1');
    expect(splitMetaNamespaceKey('web/a')).toEqual({ namespace: 'web', name: 'a' });
    expect(splitMetaNamespaceKey('node-1')).toEqual({ namespace: '', name: 'node-1' });
  });
});

describe('ThreadSafeStore', () => {
  it('finds objects by key and by index', () => {
    const store = storeOf(obj('web', 'a', 'n1'), obj('web', 'b', 'n2'), obj('db', 'c', 'n1'), obj('', 'x'));
    expect(store.get('web/a')?.node).toBe('n1');
    expect(names(store.byIndex(NAMESPACE_INDEX, 'web'))).toEqual(['a', 'b']);
    expect(names(store.byIndex(NAMESPACE_INDEX, ''))).toEqual(['x']);
    expect(names(store.byIndex('node', 'n1'))).toEqual(['a', 'c']);
    expect(store.indexKeys('node', 'n2')).toEqual(['web/b']);
    expect(store.byIndex('node', 'n9')).toEqual([]);
    expect(() => store.byIndex('zone', 'a')).toThrow('index "zone" does not exist');
  });

  it('moves an updated object between index values and forgets a deleted one', () => {
    const store = storeOf(obj('web', 'a', 'n1'));
    store.update('web/a', obj('web', 'a', 'n2'));
    expect(store.byIndex('node', 'n1')).toEqual([]);
    expect(names(store.byIndex('node', 'n2'))).toEqual(['a']);
    store.delete('web/a');
    store.delete('web/a');
    expect(store.list()).toEqual([]);
    expect(store.byIndex('node', 'n2')).toEqual([]);
  });

  it('replaces everything at once, indexes included', () => {
    const store = storeOf(obj('web', 'a', 'n1'), obj('web', 'b', 'n1'));
    store.replace(new Map([['db/c', obj('db', 'c', 'n1')]]));
    expect(store.listKeys()).toEqual(['db/c']);
    expect(names(store.byIndex('node', 'n1'))).toEqual(['c']);
    expect(store.byIndex(NAMESPACE_INDEX, 'web')).toEqual([]);
  });

  it('indexes what it already holds when an index is added later', () => {
    const store = new ThreadSafeStore<Labelled>();
    store.add('web/a', obj('web', 'a', 'n1'));
    store.addIndexers({ node: byNode });
    expect(names(store.byIndex('node', 'n1'))).toEqual(['a']);
    expect(() => store.addIndexers({ node: byNode })).toThrow('index "node" already exists');
  });
});
