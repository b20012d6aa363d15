import type { KeyValue } from './types.ts';

/** One change of one key: a version (kv) or a deletion (kv null, the tombstone). */
interface KeyChange {
  readonly main: number;
  readonly sub: number;
  readonly kv: KeyValue | null;
}

/**
 * KeyIndex is the history of one key, oldest first, down to what compaction left.
 *
 * Worked example: put@2, put@3, delete@4, put@5 gives [2, 3, 4(tombstone), 5].
 * - at(3) is the version written at 3; at(4) is null (deleted); at(1) is null (not yet created).
 * - compact(3) keeps 3, still the live version at revision 3, and drops 2: [3, 4t, 5].
 * - compact(4) finds a tombstone as the newest change at or below 4; the key did not exist at 4,
 *   so that generation goes whole: [5].
 * - compact(6) keeps 5 (the live version at 6): [5]. Deleting and compacting past the delete leaves
 *   [], and the tree index drops the key.
 */
export class KeyIndex {
  private readonly changes: KeyChange[] = [];

  /** The version live at `revision`, or null when the key did not exist then. */
  at(revision: number): KeyValue | null {
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const change = this.changes[i]!;
      if (change.main <= revision) return change.kv;
    }
    return null;
  }

  latest(): KeyValue | null {
    return this.changes.at(-1)?.kv ?? null;
  }

  put(main: number, sub: number, kv: KeyValue): void {
    this.append({ main, sub, kv });
  }

  tombstone(main: number, sub: number): void {
    if (this.latest() === null) throw new Error('key-index: tombstone on a key that is not live');
    this.append({ main, sub, kv: null });
  }

  /** Removes every change made at revision `main` (a rolled-back write). */
  dropRevision(main: number): void {
    while (this.changes.at(-1)?.main === main) this.changes.pop();
  }

  /** Keeps what a read at `revision` or later can still see. Returns true when nothing is left. */
  compact(revision: number): boolean {
    let keepFrom = -1;
    for (let i = this.changes.length - 1; i >= 0; i--) {
      if (this.changes[i]!.main <= revision) {
        keepFrom = this.changes[i]!.kv === null ? i + 1 : i;
        break;
      }
    }
    if (keepFrom > 0) this.changes.splice(0, keepFrom);
    return this.changes.length === 0;
  }

  isEmpty(): boolean {
    return this.changes.length === 0;
  }

  private append(change: KeyChange): void {
    const last = this.changes.at(-1);
    if (last && (last.main > change.main || (last.main === change.main && last.sub >= change.sub))) {
      throw new Error(
        `key-index: revision ${change.main}.${change.sub} is not after ${last.main}.${last.sub}`,
      );
    }
    this.changes.push(change);
  }
}
