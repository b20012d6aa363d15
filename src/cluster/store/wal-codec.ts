// The binary format of WAL segments and snapshots. A file is a run of frames:
//
//   u32 LE payload length | u32 LE CRC32 of the payload | payload
//
// and a payload is one WalRecord: a type byte, then its fields in order. Counts, revisions and
// versions are unsigned LEB128 varints, a ttl is a zigzag varint (it is signed), lease IDs are
// int64 LE, and byte strings are a varint length followed by the bytes.
//
//   txn          1 | revision | count | count × change
//     put          1 | key | value | lease
//     delete       2 | key
//   base         2 | revision | compactRevision | count | count × kv
//     kv           key | createRevision | modRevision | version | value | lease
//   leaseGrant   3 | id | ttl
//   leaseRevoke  4 | id
//   compact      5 | revision
//
// Worked example: `put foo=bar` at revision 5 with no lease is the 20-byte payload
//   01 05 01  01 03 66 6f 6f 03 62 61 72 00 00 00 00 00 00 00 00
// (txn, revision 5, one change; put, "foo", "bar", lease 0), so its frame takes 28 bytes.

import { crc32 } from 'node:zlib';
import type { Change, WalRecord } from './backend.ts';
import type { KeyValue } from './types.ts';

const HEADER_BYTES = 8;

const TXN = 1;
const BASE = 2;
const LEASE_GRANT = 3;
const LEASE_REVOKE = 4;
const COMPACT = 5;

const PUT = 1;
const DELETE = 2;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * WalCorruptError means stored data is damaged somewhere other than the tail of the last segment,
 * so records after the damage cannot be trusted. Like etcd, the store then refuses to open rather
 * than silently dropping acknowledged writes.
 */
export class WalCorruptError extends Error {
  constructor(
    readonly source: string,
    reason: string,
    readonly offset?: number,
  ) {
    super(`wal: ${reason} in ${source}${offset === undefined ? '' : ` at offset ${offset}`}`);
    this.name = 'WalCorruptError';
  }
}

/**
 * frameSize returns how many bytes the frame of `record` takes. It also checks every number the
 * format has to hold, so callers that size a record when it arrives learn about a bad record then,
 * not later when it shares a write with others.
 */
export function frameSize(record: WalRecord): number {
  return HEADER_BYTES + payloadSize(record);
}

/**
 * encodeFrames writes `records` as consecutive frames into one new buffer. `size`, the sum of their
 * frameSize, may be passed by callers that already computed it.
 */
export function encodeFrames(
  records: readonly WalRecord[],
  size = records.reduce((sum, record) => sum + frameSize(record), 0),
): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const record of records) pos = writeFrame(buf, pos, record);
  // Sizing and writing walk the same fields; if they ever disagree, fail before anything is stored.
  if (pos !== size) throw new Error(`wal: encoded ${pos} bytes but sized ${size}`);
  return buf;
}

/**
 * writeFrames writes `records` through `write` exactly as encodeFrames would encode them, a slice of
 * about `sliceBytes` at a time, awaiting each write. So the event loop turns between slices: a
 * snapshot of 100,000 keys is some 30 MB, which encodeFrames would build in one stretch of about
 * 40 ms. A `base` record larger than a slice is spread over several; its frame header, which holds
 * the CRC of the whole payload, is written once the payload is. Returns the bytes written.
 */
export async function writeFrames(
  records: readonly WalRecord[],
  write: (data: Buffer, position: number) => Promise<void>,
  sliceBytes = 1 << 20,
): Promise<number> {
  let slice = Buffer.allocUnsafe(sliceBytes);
  /** Bytes of `slice` filled, and where in the file slice[0] goes. */
  let used = 0;
  let position = 0;
  /** Writes the slice and starts a new one with room for at least `room` bytes. */
  const flush = async (room: number) => {
    if (used > 0) await write(slice.subarray(0, used), position);
    position += used;
    used = 0;
    slice = Buffer.allocUnsafe(Math.max(sliceBytes, room));
  };

  for (const record of records) {
    const size = frameSize(record);
    if (record.type !== 'base' || size <= sliceBytes) {
      if (used + size > slice.length) await flush(size);
      used = writeFrame(slice, used, record);
      continue;
    }
    // Header and the fields before the kvs (three varints of at most 8 bytes) go in one slice.
    if (used + HEADER_BYTES + 1 + 3 * 8 > slice.length) await flush(0);
    const headerAt = position + used;
    used += HEADER_BYTES;
    let crcFrom = used;
    let crc = 0;
    used = writeBasePrefix(slice, used, record);
    for (const kv of record.kvs) {
      const kvSize = keyValueSize(kv);
      if (used + kvSize > slice.length) {
        crc = crc32(slice.subarray(crcFrom, used), crc);
        await flush(kvSize);
        crcFrom = 0;
      }
      used = writeKeyValue(slice, used, kv);
    }
    crc = crc32(slice.subarray(crcFrom, used), crc);
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(size - HEADER_BYTES, 0);
    header.writeUInt32LE(crc, 4);
    // Still in the slice being filled when the whole frame fit after all; written on its own if not.
    if (headerAt >= position) header.copy(slice, headerAt - position);
    else await write(header, headerAt);
    if (position + used - headerAt !== size) {
      throw new Error(`wal: encoded ${position + used - headerAt} bytes but sized ${size}`);
    }
  }
  if (used > 0) await write(slice.subarray(0, used), position);
  return position + used;
}

/** writeFrame encodes the frame of `record` at `pos` and returns where it ends. */
function writeFrame(buf: Buffer, pos: number, record: WalRecord): number {
  const start = pos + HEADER_BYTES;
  const end = writePayload(buf, start, record);
  buf.writeUInt32LE(end - start, pos);
  buf.writeUInt32LE(crc32(buf.subarray(start, end)), pos + 4);
  return end;
}

export interface DecodedFrames {
  readonly records: WalRecord[];
  /** Offset just past the last good frame: where a torn tail is cut off and appends continue. */
  readonly end: number;
  /** True when bytes after `end` are the remains of an interrupted write, safe to drop. */
  readonly torn: boolean;
}

/**
 * decodeFrames reads every frame of `data`. A damaged frame that is the last one in the data is a
 * torn write: a crash stopped the write before its sync, so no caller was told it was durable.
 * So is a damaged frame followed only by zero bytes, which is what a file system shows when it
 * grew the file but crashed before the data blocks reached the disk. Damage anywhere else throws
 * WalCorruptError. `source` names the data in error messages.
 */
export function decodeFrames(data: Buffer, source: string): DecodedFrames {
  const records: WalRecord[] = [];
  let pos = 0;
  while (pos < data.length) {
    const damage = frameDamage(data, pos);
    if (damage !== undefined) {
      if (isTornTail(data, pos)) return { records, end: pos, torn: true };
      throw new WalCorruptError(source, damage, pos);
    }
    const end = pos + HEADER_BYTES + data.readUInt32LE(pos);
    try {
      records.push(readRecord(new PayloadReader(data.subarray(pos + HEADER_BYTES, end))));
    } catch (err) {
      // The CRC matched, so this is not a torn write: the bytes were stored wrong from the start.
      throw new WalCorruptError(source, `bad record (${(err as Error).message})`, pos);
    }
    pos = end;
  }
  return { records, end: pos, torn: false };
}

/** frameDamage says what is wrong with the frame at `pos`, or undefined when it is whole. */
function frameDamage(data: Buffer, pos: number): string | undefined {
  if (data.length - pos < HEADER_BYTES) return 'incomplete frame header';
  const length = data.readUInt32LE(pos);
  // Every payload has a type byte; a zero length is what a zero-filled header reads as.
  if (length === 0) return 'empty frame';
  const start = pos + HEADER_BYTES;
  if (start + length > data.length) return 'incomplete frame';
  if (crc32(data.subarray(start, start + length)) !== data.readUInt32LE(pos + 4)) return 'crc mismatch';
  return undefined;
}

function isTornTail(data: Buffer, pos: number): boolean {
  if (data.length - pos < HEADER_BYTES) return true;
  if (pos + HEADER_BYTES + data.readUInt32LE(pos) >= data.length) return true;
  for (let i = pos; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

function payloadSize(record: WalRecord): number {
  switch (record.type) {
    case 'txn': {
      let size = 1 + uvarintSize(record.revision) + uvarintSize(record.changes.length);
      for (const change of record.changes) size += changeSize(change);
      return size;
    }
    case 'base': {
      let size =
        1 +
        uvarintSize(record.revision) +
        uvarintSize(record.compactRevision) +
        uvarintSize(record.kvs.length);
      for (const kv of record.kvs) size += keyValueSize(kv);
      return size;
    }
    case 'leaseGrant':
      return 1 + int64Size(record.id) + uvarintSize(zigzag(record.ttl));
    case 'leaseRevoke':
      return 1 + int64Size(record.id);
    case 'compact':
      return 1 + uvarintSize(record.revision);
  }
}

function changeSize(change: Change): number {
  if (change.op === 'delete') return 1 + bytesSize(change.key);
  return 1 + bytesSize(change.key) + bytesSize(change.value) + int64Size(change.lease);
}

function keyValueSize(kv: KeyValue): number {
  return (
    bytesSize(kv.key) +
    uvarintSize(kv.createRevision) +
    uvarintSize(kv.modRevision) +
    uvarintSize(kv.version) +
    bytesSize(kv.value) +
    int64Size(kv.lease)
  );
}

function writePayload(buf: Buffer, pos: number, record: WalRecord): number {
  switch (record.type) {
    case 'txn':
      buf[pos] = TXN;
      pos = writeUvarint(buf, pos + 1, record.revision);
      pos = writeUvarint(buf, pos, record.changes.length);
      for (const change of record.changes) pos = writeChange(buf, pos, change);
      return pos;
    case 'base':
      pos = writeBasePrefix(buf, pos, record);
      for (const kv of record.kvs) pos = writeKeyValue(buf, pos, kv);
      return pos;
    case 'leaseGrant':
      buf[pos] = LEASE_GRANT;
      pos = buf.writeBigInt64LE(record.id, pos + 1);
      return writeUvarint(buf, pos, zigzag(record.ttl));
    case 'leaseRevoke':
      buf[pos] = LEASE_REVOKE;
      return buf.writeBigInt64LE(record.id, pos + 1);
    case 'compact':
      buf[pos] = COMPACT;
      return writeUvarint(buf, pos + 1, record.revision);
  }
}

/** The fields of a base record before its kvs. */
function writeBasePrefix(buf: Buffer, pos: number, record: WalRecord & { type: 'base' }): number {
  buf[pos] = BASE;
  pos = writeUvarint(buf, pos + 1, record.revision);
  pos = writeUvarint(buf, pos, record.compactRevision);
  return writeUvarint(buf, pos, record.kvs.length);
}

function writeChange(buf: Buffer, pos: number, change: Change): number {
  if (change.op === 'delete') {
    buf[pos] = DELETE;
    return writeBytes(buf, pos + 1, change.key);
  }
  buf[pos] = PUT;
  pos = writeBytes(buf, pos + 1, change.key);
  pos = writeBytes(buf, pos, change.value);
  return buf.writeBigInt64LE(change.lease, pos);
}

function writeKeyValue(buf: Buffer, pos: number, kv: KeyValue): number {
  pos = writeBytes(buf, pos, kv.key);
  pos = writeUvarint(buf, pos, kv.createRevision);
  pos = writeUvarint(buf, pos, kv.modRevision);
  pos = writeUvarint(buf, pos, kv.version);
  pos = writeBytes(buf, pos, kv.value);
  return buf.writeBigInt64LE(kv.lease, pos);
}

function readRecord(r: PayloadReader): WalRecord {
  const type = r.byte();
  let record: WalRecord;
  switch (type) {
    case TXN: {
      const revision = r.uvarint();
      const changes: Change[] = new Array(r.count());
      for (let i = 0; i < changes.length; i++) changes[i] = readChange(r);
      record = { type: 'txn', revision, changes };
      break;
    }
    case BASE: {
      const revision = r.uvarint();
      const compactRevision = r.uvarint();
      const kvs: KeyValue[] = new Array(r.count());
      for (let i = 0; i < kvs.length; i++) kvs[i] = readKeyValue(r);
      record = { type: 'base', revision, compactRevision, kvs };
      break;
    }
    case LEASE_GRANT:
      record = { type: 'leaseGrant', id: r.int64(), ttl: unzigzag(r.uvarint()) };
      break;
    case LEASE_REVOKE:
      record = { type: 'leaseRevoke', id: r.int64() };
      break;
    case COMPACT:
      record = { type: 'compact', revision: r.uvarint() };
      break;
    default:
      throw new RangeError(`unknown record type ${type}`);
  }
  r.finish();
  return record;
}

function readChange(r: PayloadReader): Change {
  const op = r.byte();
  if (op === DELETE) return { op: 'delete', key: r.bytes() };
  if (op !== PUT) throw new RangeError(`unknown change op ${op}`);
  return { op: 'put', key: r.bytes(), value: r.bytes(), lease: r.int64() };
}

function readKeyValue(r: PayloadReader): KeyValue {
  return {
    key: r.bytes(),
    createRevision: r.uvarint(),
    modRevision: r.uvarint(),
    version: r.uvarint(),
    value: r.bytes(),
    lease: r.int64(),
  };
}

/** PayloadReader walks one payload; running past its end throws, since the CRC vouched for it. */
class PayloadReader {
  private pos = 0;

  constructor(private readonly data: Buffer) {}

  byte(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }

  uvarint(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) break;
    }
    if (!Number.isSafeInteger(value)) throw new RangeError('varint exceeds 2^53');
    return value;
  }

  /** A count of items that each take at least one byte, so it cannot exceed the bytes left. */
  count(): number {
    const n = this.uvarint();
    if (n > this.data.length - this.pos) throw new RangeError(`count ${n} exceeds the payload`);
    return n;
  }

  int64(): bigint {
    this.need(8);
    const value = this.data.readBigInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A copy, so that a loaded key or value does not keep the whole file's buffer alive. */
  bytes(): Buffer {
    const length = this.uvarint();
    this.need(length);
    const copy = Buffer.from(this.data.subarray(this.pos, this.pos + length));
    this.pos += length;
    return copy;
  }

  finish(): void {
    if (this.pos !== this.data.length) throw new RangeError(`${this.data.length - this.pos} trailing bytes`);
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new RangeError('payload ends early');
  }
}

function uvarintSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`wal: ${n} is not a non-negative safe integer`);
  let size = 1;
  for (; n >= 0x80; size++) n = Math.floor(n / 0x80);
  return size;
}

function writeUvarint(buf: Buffer, pos: number, n: number): number {
  // Arithmetic rather than bit operators, which would cut the number to 32 bits.
  while (n >= 0x80) {
    buf[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos] = n;
  return pos + 1;
}

function bytesSize(data: Buffer): number {
  return uvarintSize(data.length) + data.length;
}

function writeBytes(buf: Buffer, pos: number, data: Buffer): number {
  pos = writeUvarint(buf, pos, data.length);
  buf.set(data, pos);
  return pos + data.length;
}

function int64Size(n: bigint): number {
  if (n < INT64_MIN || n > INT64_MAX) throw new RangeError(`wal: lease ${n} is outside int64`);
  return 8;
}

/** zigzag maps signed to unsigned so that small negative numbers stay short: 0, -1, 1, -2 -> 0, 1, 2, 3. */
function zigzag(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`wal: ttl ${n} is not a safe integer`);
  return n < 0 ? -2 * n - 1 : 2 * n;
}

function unzigzag(n: number): number {
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}
