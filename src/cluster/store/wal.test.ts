import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WalRecord } from './backend.ts';
import { NoSpaceError, StoppedError } from './errors.ts';
import { type FileSystem, nodeFileSystem, segmentFileName, Wal } from './wal.ts';
import { decodeFrames, frameSize } from './wal-codec.ts';

const put = (i: number): WalRecord => ({
  type: 'txn',
  revision: i + 2,
  changes: [{ op: 'put', key: Buffer.from(`/registry/k${i}`), value: Buffer.from(`value ${i}`), lease: 0n }],
});

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

/** A deferred the test settles, to hold an fs call back. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** turn waits for the event loop to turn, which ends the refusal that follows a failed batch. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** until polls `done` across event-loop turns, since real file operations take several. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i === 1000) throw new Error('until: gave up');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('Wal', () => {
  let dir: string;
  let segment: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orch-lab-wal-'));
    segment = join(dir, segmentFileName(0));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const onDisk = async () => decodeFrames(await readFile(segment), segment).records;

  it('writes 100 appends made together with one durable write, into space preallocated with zeros', async () => {
    const writes: { position: number; length: number; zeros: boolean }[] = [];
    let syncs = 0;
    const opened: (boolean | undefined)[] = [];
    const fs: FileSystem = {
      ...nodeFileSystem,
      open: (path, flags, options) => {
        opened.push(options?.dsync);
        return nodeFileSystem.open(path, flags, options);
      },
      write: (file, data, position) => {
        writes.push({ position, length: data.length, zeros: data.every((byte) => byte === 0) });
        return nodeFileSystem.write(file, data, position);
      },
      fdatasync: (file) => {
        syncs++;
        return nodeFileSystem.fdatasync(file);
      },
    };
    const wal = new Wal({ dir, fs });
    const records = Array.from({ length: 100 }, (_, i) => put(i));
    await Promise.all(records.map((r) => wal.append(r)));
    // The segment is O_DSYNC, so the write itself is the sync.
    const bytes = records.reduce((sum, r) => sum + frameSize(r), 0);
    expect({ opened, writes, syncs, walSyncs: wal.syncs, records: wal.records }).toEqual({
      opened: [true],
      writes: [
        { position: 0, length: 1024 * 1024, zeros: true },
        { position: 0, length: bytes, zeros: false },
      ],
      syncs: 0,
      walSyncs: 1,
      records: 100,
    });
    expect({ size: wal.size, fileSize: wal.fileSize }).toEqual({ size: bytes, fileSize: 1024 * 1024 });
    await wal.close();
    // A clean close leaves no zeros behind.
    expect((await stat(segment)).size).toBe(bytes);
    expect(await onDisk()).toEqual(records);
  });

  it('writes a batch of a megabyte or more without zeros ahead of it', async () => {
    const zeroWrites: number[] = [];
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: (file, data, position) => {
        if (data.every((byte) => byte === 0)) zeroWrites.push(position);
        return nodeFileSystem.write(file, data, position);
      },
    };
    const wal = new Wal({ dir, fs });
    const big: WalRecord = {
      type: 'txn',
      revision: 2,
      changes: [{ op: 'put', key: Buffer.from('/big'), value: Buffer.alloc(1024 * 1024, 1), lease: 0n }],
    };
    await wal.append(big);
    expect(zeroWrites).toEqual([]);
    expect(wal.fileSize).toBe(frameSize(big));
    // The next small batch preallocates again, from where the big one ended.
    await wal.append(put(1));
    expect(zeroWrites).toEqual([frameSize(big)]);
    await wal.close();
    expect(await onDisk()).toEqual([big, put(1)]);
  });

  it('shares syncs between concurrent clients that each wait for their last write', async () => {
    const wal = new Wal({ dir });
    const clients = 16;
    const perClient = 25;
    const client = async (c: number) => {
      for (let i = 0; i < perClient; i++) await wal.append(put(c * perClient + i));
    };
    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    // Every round of 16 writes shares one sync: 400 records, 25 syncs.
    expect(wal.records).toBe(clients * perClient);
    expect(wal.syncs).toBe(perClient);
    await wal.close();
    expect(await onDisk()).toHaveLength(clients * perClient);
  });

  it('resolves no append before the durable write that covers it has completed', async () => {
    let durable = 0;
    const held: ReturnType<typeof gate>[] = [];
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async (file, data, position) => {
        // Preallocated zeros hold no records.
        if (data.every((byte) => byte === 0)) return nodeFileSystem.write(file, data, position);
        const g = gate();
        held.push(g);
        await g.opened;
        await nodeFileSystem.write(file, data, position);
        durable = position + data.length;
      },
    };
    const wal = new Wal({ dir, fs });
    let end = 0;
    const resolved: number[] = [];
    const violations: number[] = [];
    const append = (i: number) => {
      end += frameSize(put(i));
      const mine = end;
      return wal.append(put(i)).then(() => {
        if (durable < mine) violations.push(i);
        resolved.push(i);
      });
    };

    const first = append(0);
    await until(() => held.length === 1); // the write of batch [0] is held
    const second = [append(1), append(2)];
    await new Promise((r) => setTimeout(r, 20));
    expect(held).toHaveLength(1); // [1, 2] wait for the flush in flight
    expect(resolved).toEqual([]);

    held[0]!.open();
    await first;
    expect(resolved).toEqual([0]);
    await until(() => held.length === 2); // [1, 2] go in one write, held
    expect(resolved).toEqual([0]);

    held[1]!.open();
    await Promise.all(second);
    expect(resolved).toEqual([0, 1, 2]);
    expect(violations).toEqual([]);
    expect(wal.syncs).toBe(2);
    await wal.close();
  });

  it('rejects the whole batch with NoSpaceError on ENOSPC, cuts the partial write, then carries on', async () => {
    let failNext = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async (file, data, position) => {
        if (!failNext) return nodeFileSystem.write(file, data, position);
        failNext = false;
        // Half the batch reaches the file before the disk fills up.
        await nodeFileSystem.write(file, data.subarray(0, data.length >> 1), position);
        throw enospc();
      },
    };
    const wal = new Wal({ dir, fs });
    await wal.append(put(0));
    const goodSize = wal.size;

    failNext = true;
    const results = await Promise.allSettled([wal.append(put(1)), wal.append(put(2)), wal.append(put(3))]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const err = (result as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(NoSpaceError);
      expect(err.cause.code).toBe('ENOSPC');
    }
    expect((await stat(segment)).size).toBe(goodSize);

    await turn();
    await wal.append(put(4));
    await wal.close();
    expect(await onDisk()).toEqual([put(0), put(4)]);
  });

  it('fails the batch queued behind a failed one and appends until the event loop turns', async () => {
    let failNext = false;
    const writing = gate();
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async (file, data, position) => {
        if (!failNext) return nodeFileSystem.write(file, data, position);
        failNext = false;
        await writing.opened;
        throw enospc();
      },
    };
    const wal = new Wal({ dir, fs });
    await wal.append(put(0));
    failNext = true;
    const failing = wal.append(put(1));
    await new Promise((r) => setTimeout(r, 5));
    const queued = wal.append(put(2)); // applied on top of put(1) by its writer
    writing.open();
    await expect(failing).rejects.toBeInstanceOf(NoSpaceError);
    // Same turn: the writer of put(1) may not have undone it yet, so this cannot be kept.
    const sameTurn = wal.append(put(3));
    await expect(queued).rejects.toBeInstanceOf(NoSpaceError);
    await expect(sameTurn).rejects.toBeInstanceOf(NoSpaceError);

    await turn();
    await wal.append(put(4));
    await wal.close();
    expect(await onDisk()).toEqual([put(0), put(4)]);
  });

  it('treats a write whose data could not be synced (EIO) like one that found the disk full', async () => {
    let failNext = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async (file, data, position) => {
        if (!failNext) return nodeFileSystem.write(file, data, position);
        failNext = false;
        // With O_DSYNC the data may reach the file and still fail to sync.
        await nodeFileSystem.write(file, data, position);
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      },
    };
    const wal = new Wal({ dir, fs });
    await wal.append(put(0));
    failNext = true;
    await expect(wal.append(put(1))).rejects.toBeInstanceOf(NoSpaceError);
    await turn();
    await wal.append(put(2));
    await wal.close();
    expect(await onDisk()).toEqual([put(0), put(2)]);
  });

  it('refuses every append once a failed batch could not be cut off', async () => {
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async () => {
        throw enospc();
      },
      ftruncate: async () => {
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
    };
    const wal = new Wal({ dir, fs });
    await expect(wal.append(put(0))).rejects.toBeInstanceOf(NoSpaceError);
    await turn();
    const later = await wal.append(put(1)).catch((err: unknown) => err);
    expect(later).toBeInstanceOf(NoSpaceError);
    expect((later as Error).cause).toMatchObject({ code: 'EIO' });
    await wal.close();
  });

  it('rejects a record the format cannot hold alone, not its batch', async () => {
    const wal = new Wal({ dir });
    const bad = wal.append({ type: 'leaseRevoke', id: 2n ** 64n });
    const good = wal.append(put(0));
    await expect(bad).rejects.toThrow(RangeError);
    await good;
    await wal.close();
    expect(await onDisk()).toEqual([put(0)]);
  });

  it('lets coverBatch take a batch over instead of writing it', async () => {
    const covered: [number, number][] = [];
    const wal = new Wal({
      dir,
      coverBatch: (records, bytes) => {
        covered.push([records, bytes]);
        return covered.length === 1 ? Promise.resolve() : undefined;
      },
    });
    await Promise.all([wal.append(put(0)), wal.append(put(1))]);
    await wal.append(put(2));
    expect(covered).toEqual([
      [2, frameSize(put(0)) + frameSize(put(1))],
      [1, frameSize(put(2))],
    ]);
    expect(wal.records).toBe(3);
    await wal.close();
    expect(await onDisk()).toEqual([put(2)]);
  });

  it('flushes queued appends on close and refuses appends after it', async () => {
    const wal = new Wal({ dir });
    const pending = wal.append(put(0));
    await wal.close();
    await pending;
    await expect(wal.append(put(1))).rejects.toBeInstanceOf(StoppedError);
    expect(await onDisk()).toEqual([put(0)]);
  });
});
