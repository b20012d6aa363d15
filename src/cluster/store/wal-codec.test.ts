import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { WalRecord } from './backend.ts';
import { decodeFrames, encodeFrames, frameSize, WalCorruptError, writeFrames } from './wal-codec.ts';

const b = (s: string) => Buffer.from(s);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const records: WalRecord[] = [
  {
    type: 'txn',
    revision: 2,
    changes: [
      { op: 'put', key: b('/registry/pods/default/web'), value: b('{"kind":"Pod"}'), lease: 0n },
      { op: 'put', key: Buffer.from([0, 255, 10, 13, 0]), value: Buffer.alloc(0), lease: INT64_MAX },
      { op: 'delete', key: b('gone') },
      { op: 'put', key: b('big'), value: Buffer.alloc(300, 7), lease: -1n },
    ],
  },
  { type: 'txn', revision: 2 ** 53 - 1, changes: [] },
  {
    type: 'base',
    revision: 300,
    compactRevision: 128,
    kvs: [
      { key: b('a'), createRevision: 1, modRevision: 200, version: 9, value: b('x'), lease: INT64_MIN },
      {
        key: Buffer.from([0xff, 0]),
        createRevision: 129,
        modRevision: 129,
        version: 1,
        value: b(''),
        lease: 0n,
      },
    ],
  },
  { type: 'base', revision: 0, compactRevision: 0, kvs: [] },
  { type: 'leaseGrant', id: 7587862213553040000n, ttl: 60 },
  { type: 'leaseGrant', id: INT64_MIN, ttl: -5 },
  { type: 'leaseGrant', id: -42n, ttl: 9_000_000_000 },
  { type: 'leaseRevoke', id: INT64_MAX },
  { type: 'leaseRevoke', id: -1n },
  { type: 'compact', revision: 127 },
  { type: 'compact', revision: 2 ** 40 },
];

describe('wal codec', () => {
  it('round-trips every record type, binary keys and int64 extremes', () => {
    const data = encodeFrames(records);
    expect(data.length).toBe(records.reduce((sum, r) => sum + frameSize(r), 0));
    expect(decodeFrames(data, 'test')).toEqual({ records, end: data.length, torn: false });
  });

  it('encodes the worked example of the format comment', () => {
    const put: WalRecord = {
      type: 'txn',
      revision: 5,
      changes: [{ op: 'put', key: b('foo'), value: b('bar'), lease: 0n }],
    };
    const frame = encodeFrames([put]);
    expect(frame.length).toBe(28);
    expect(frame.subarray(8).toString('hex')).toBe('0105010103666f6f03626172'.padEnd(40, '0'));
  });

  it('writes in slices exactly what it encodes in one piece, a large base record spread over several', async () => {
    const kvs = Array.from({ length: 50 }, (_, i) => ({
      key: b(`/registry/k${i}`),
      createRevision: 2 + i,
      modRevision: 100 + i,
      version: 1,
      value: Buffer.alloc(i * 7, i),
      lease: 0n,
    }));
    const big: WalRecord = { type: 'base', revision: 200, compactRevision: 150, kvs };
    const mixed = [records[4]!, big, records[0]!, { ...big, kvs: kvs.slice(0, 3) }, records[9]!];
    const expected = encodeFrames(mixed);
    for (const sliceBytes of [64, 100, 333, 4096, 1 << 20]) {
      const file = Buffer.alloc(expected.length + 10, 0xee);
      const writes: number[] = [];
      const size = await writeFrames(
        mixed,
        async (data, position) => {
          writes.push(data.length);
          data.copy(file, position);
        },
        sliceBytes,
      );
      expect(size).toBe(expected.length);
      expect(file.subarray(0, size).equals(expected)).toBe(true);
      if (sliceBytes < expected.length) expect(writes.length).toBeGreaterThan(1);
    }
  });

  it('copies keys and values out of the data it decodes', () => {
    const data = encodeFrames([records[0]!]);
    const [decoded] = decodeFrames(data, 'test').records;
    data.fill(0);
    expect(decoded).toEqual(records[0]);
  });

  it('refuses numbers the format cannot hold', () => {
    expect(() => frameSize({ type: 'leaseRevoke', id: INT64_MAX + 1n })).toThrow(RangeError);
    expect(() => frameSize({ type: 'leaseRevoke', id: INT64_MIN - 1n })).toThrow(RangeError);
    expect(() => frameSize({ type: 'compact', revision: -1 })).toThrow(RangeError);
    expect(() => frameSize({ type: 'compact', revision: 1.5 })).toThrow(RangeError);
    expect(() => frameSize({ type: 'compact', revision: 2 ** 53 })).toThrow(RangeError);
    expect(() => frameSize({ type: 'leaseGrant', id: 1n, ttl: 0.5 })).toThrow(RangeError);
  });

  it('reports a torn tail at every cut through the last frame', () => {
    const data = encodeFrames(records.slice(0, 3));
    const lastStart = data.length - frameSize(records[2]!);
    for (const cut of [lastStart + 1, lastStart + 7, lastStart + 8, lastStart + 9, data.length - 1]) {
      expect(decodeFrames(data.subarray(0, cut), 'test')).toEqual({
        records: records.slice(0, 2),
        end: lastStart,
        torn: true,
      });
    }
  });

  it('reports a corrupted last frame as torn', () => {
    const data = encodeFrames(records.slice(0, 3));
    data[data.length - 3]! ^= 0x01;
    const lastStart = data.length - frameSize(records[2]!);
    expect(decodeFrames(data, 'test')).toEqual({ records: records.slice(0, 2), end: lastStart, torn: true });
  });

  it('reports a damaged frame followed only by zeros as torn', () => {
    const good = encodeFrames(records.slice(0, 2));
    const data = Buffer.concat([good, Buffer.alloc(4096)]);
    expect(decodeFrames(data, 'test')).toEqual({
      records: records.slice(0, 2),
      end: good.length,
      torn: true,
    });
  });

  it('throws on corruption followed by more frames', () => {
    const data = encodeFrames(records.slice(0, 3));
    data[12]! ^= 0x80;
    expect(() => decodeFrames(data, 'wal-x')).toThrow(WalCorruptError);
    expect(() => decodeFrames(data, 'wal-x')).toThrow('wal: crc mismatch in wal-x at offset 0');
  });

  it('throws on a frame whose CRC matches but whose record is malformed', () => {
    const data = encodeFrames([{ type: 'compact', revision: 1 }]);
    data[8] = 99; // unknown type
    data.writeUInt32LE(crc32(data.subarray(8)), 4);
    expect(() => decodeFrames(data, 'test')).toThrow('unknown record type 99');
  });
});
