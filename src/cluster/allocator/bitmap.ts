/**
 * The bitmap of a range allocation, as kube's allocator.AllocationBitmap keeps it: offset i of a
 * range is taken when bit i is set. Stored as the bytes of Go's big.Int with those bits set, so
 * `etcdctl get /registry/ranges/serviceips` shows what kube-apiserver would store.
 */
export function firstFree(taken: Set<number>, size: number, start: number): number {
  for (let i = 0; i < size; i++) {
    const offset = (start + i) % size;
    if (!taken.has(offset)) return offset;
  }
  return -1;
}

/** Offsets as the bytes of Go's big.Int with those bits set: big-endian, no leading zero bytes. */
export function encodeBitmap(taken: Set<number>): string {
  if (taken.size === 0) return '';
  const top = Math.max(...taken);
  const bytes = new Uint8Array(Math.floor(top / 8) + 1);
  for (const offset of taken) bytes[bytes.length - 1 - Math.floor(offset / 8)]! |= 1 << (offset % 8);
  return Buffer.from(bytes).toString('base64');
}

export function decodeBitmap(data: string): Set<number> {
  const bytes = Buffer.from(data, 'base64');
  const taken = new Set<number>();
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[bytes.length - 1 - i]!;
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) taken.add(i * 8 + bit);
  }
  return taken;
}
