// Keys are byte strings ordered bytewise. Inside the store a key is held as a latin1 string: one
// UTF-16 code unit per byte, so JavaScript's string order is exactly etcd's byte order and the
// string can key a Map.

export type KeyString = string;

export const toKeyString = (key: Buffer): KeyString => key.toString('latin1');
export const toKeyBuffer = (key: KeyString): Buffer => Buffer.from(key, 'latin1');

/**
 * KeyRange is etcd's (key, range_end) pair decoded: an empty range_end names the single key;
 * range_end "\0" means every key from `start` on (`end` undefined); otherwise [start, end).
 * A range_end at or below the key is an empty range, as in etcd.
 */
export interface KeyRange {
  readonly start: KeyString;
  readonly end?: KeyString;
  readonly single: boolean;
}

export function keyRange(key: Buffer, rangeEnd?: Buffer): KeyRange {
  const start = toKeyString(key);
  if (!rangeEnd || rangeEnd.length === 0) return { start, single: true };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { start, single: false };
  return { start, end: toKeyString(rangeEnd), single: false };
}

export function rangeContains(range: KeyRange, key: KeyString): boolean {
  if (range.single) return key === range.start;
  return key >= range.start && (range.end === undefined || key < range.end);
}

/** True when the two ranges share at least one key. */
export function rangesOverlap(a: KeyRange, b: KeyRange): boolean {
  if (a.single) return rangeContains(b, a.start);
  if (b.single) return rangeContains(a, b.start);
  const aBeforeB = a.end !== undefined && a.end <= b.start;
  const bBeforeA = b.end !== undefined && b.end <= a.start;
  return !aBeforeB && !bBeforeA;
}
