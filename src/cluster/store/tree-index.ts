import { createRequire } from 'node:module';
import type sortedBtree from 'sorted-btree';
import { KeyIndex } from './key-index.ts';
import type { KeyRange, KeyString } from './key-range.ts';

// sorted-btree is CommonJS with its class on `exports.default`, which ESM loaders unwrap in
// different ways; requiring it gives the same class under node, tsx and vitest.
const BTree: (typeof sortedBtree)['default'] = createRequire(import.meta.url)('sorted-btree').default;

/** TreeIndex maps every key to its KeyIndex, in byte order, so ranges walk keys in order. */
export class TreeIndex {
  private readonly tree = new BTree<KeyString, KeyIndex>();

  get(key: KeyString): KeyIndex | undefined {
    return this.tree.get(key);
  }

  getOrCreate(key: KeyString): KeyIndex {
    let index = this.tree.get(key);
    if (!index) {
      index = new KeyIndex();
      this.tree.set(key, index);
    }
    return index;
  }

  delete(key: KeyString): void {
    this.tree.delete(key);
  }

  /** Calls `visit` for each key in the range in ascending order; `visit` returns false to stop. */
  forEach(range: KeyRange, visit: (key: KeyString, index: KeyIndex) => unknown): void {
    if (range.single) {
      const index = this.tree.get(range.start);
      if (index) visit(range.start, index);
      return;
    }
    if (range.end !== undefined && range.end <= range.start) return;
    for (const [key, index] of this.tree.entries(range.start)) {
      if (range.end !== undefined && key >= range.end) return;
      if (visit(key, index) === false) return;
    }
  }

  get size(): number {
    return this.tree.size;
  }

  *all(): IterableIterator<[KeyString, KeyIndex]> {
    yield* this.tree.entries();
  }
}
