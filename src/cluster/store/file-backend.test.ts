import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WalRecord } from './backend.ts';
import { NoSpaceError } from './errors.ts';
import { FileBackend, type FileBackendOptions } from './file-backend.ts';
import { type FileSystem, nodeFileSystem, segmentFileName } from './wal.ts';
import { frameSize, WalCorruptError } from './wal-codec.ts';

const put = (i: number): WalRecord => ({
  type: 'txn',
  revision: i + 2,
  changes: [{ op: 'put', key: Buffer.from(`/registry/k${i}`), value: Buffer.from(`value ${i}`), lease: 0n }],
});

const mixed: WalRecord[] = [
  { type: 'leaseGrant', id: 0x694d9a5b1c2e3f40n, ttl: 30 },
  {
    type: 'txn',
    revision: 2,
    changes: [
      { op: 'put', key: Buffer.from([0, 1, 2]), value: Buffer.from('v'), lease: 0x694d9a5b1c2e3f40n },
      { op: 'delete', key: Buffer.from('old') },
    ],
  },
  { type: 'compact', revision: 2 },
  { type: 'leaseRevoke', id: 0x694d9a5b1c2e3f40n },
  {
    type: 'base',
    revision: 3,
    compactRevision: 2,
    kvs: [
      {
        key: Buffer.from('a'),
        createRevision: 2,
        modRevision: 3,
        version: 2,
        value: Buffer.from('b'),
        lease: -1n,
      },
    ],
  },
];

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

/** turn waits for the event loop to turn, which ends the refusal that follows a failed batch. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** until polls `done` across event-loop turns, since real file operations take several. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i === 1000) throw new Error('until: gave up');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('FileBackend', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orch-lab-backend-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files = async () => (await readdir(dir)).sort();
  const segment = (seq: number) => join(dir, segmentFileName(seq));

  /**
   * open loads a backend over `dir` whose snapshot source returns everything appended to `log`.
   * Like the store, it undoes a record whose append failed.
   */
  async function open(options: Partial<FileBackendOptions> = {}, log: WalRecord[] = []) {
    const backend = new FileBackend({ dir, ...options });
    const loaded = await backend.load();
    log.push(...loaded);
    backend.setSnapshotSource(() => [...log]);
    const append = (record: WalRecord) => {
      log.push(record);
      return backend.append(record).catch((err: unknown) => {
        log.splice(log.indexOf(record), 1);
        throw err;
      });
    };
    return { backend, loaded, append, log };
  }

  async function reload(options: Partial<FileBackendOptions> = {}) {
    const backend = new FileBackend({ dir, ...options });
    const loaded = await backend.load();
    await backend.close();
    return loaded;
  }

  it('recovers every record after a restart, and appends after what it recovered', async () => {
    const first = await open();
    expect(first.loaded).toEqual([]);
    await Promise.all(mixed.map(first.append));
    await first.append(put(10));
    await first.backend.close();

    const second = await open();
    expect(second.loaded).toEqual([...mixed, put(10)]);
    await second.append(put(11));
    await second.backend.close();

    expect(await reload()).toEqual([...mixed, put(10), put(11)]);
    expect(await files()).toEqual([segmentFileName(0)]);
  });

  it('reports stats: group-committed syncs, records and bytes on disk', async () => {
    const { backend, append } = await open();
    await Promise.all(Array.from({ length: 100 }, (_, i) => append(put(i))));
    await append(put(100));
    expect(backend.stats()).toEqual({
      syncs: 2,
      records: 101,
      snapshots: 0,
      sizeBytes: (await stat(segment(0))).size,
    });
    await backend.close();
  });

  it('snapshots after snapshotCount records and keeps only the new snapshot and segment', async () => {
    const { backend, append, log } = await open({ snapshotCount: 10 });
    for (let i = 0; i < 25; i++) await append(put(i));
    // Records 0..8 went to wal-0; record 9's batch was covered by snapshot 1 instead, and so on.
    expect(await files()).toEqual(['snap-0000000000000002.snap', segmentFileName(2)]);
    const stats = backend.stats();
    expect(stats).toMatchObject({ records: 25, snapshots: 2 });
    const sizes = await Promise.all((await files()).map(async (f) => (await stat(join(dir, f))).size));
    expect(stats.sizeBytes).toBe(sizes[0]! + sizes[1]!);
    await backend.close();

    expect(await reload({ snapshotCount: 10 })).toEqual(log);
  });

  it('snapshots after snapshotBytes of WAL', async () => {
    const { backend, append, log } = await open({ snapshotBytes: 5 * frameSize(put(0)) });
    for (let i = 0; i < 7; i++) await append(put(i));
    expect(backend.stats().snapshots).toBe(1);
    expect(await files()).toEqual(['snap-0000000000000001.snap', segmentFileName(1)]);
    await backend.close();
    expect(await reload()).toEqual(log);
  });

  it('captures the queued batch in the snapshot and resolves it once the snapshot is durable', async () => {
    const captured: number[] = [];
    const backend = new FileBackend({ dir, snapshotCount: 10 });
    await backend.load();
    const log: WalRecord[] = [];
    backend.setSnapshotSource(() => {
      captured.push(log.length);
      return [...log];
    });
    const appends = Array.from({ length: 25 }, (_, i) => {
      log.push(put(i));
      return backend.append(put(i));
    });
    await Promise.all(appends);
    // All 25 formed the first batch, which passed the threshold: one snapshot, no WAL write at all.
    expect(captured).toEqual([25]);
    expect(backend.stats()).toMatchObject({ syncs: 1, records: 25, snapshots: 1 });
    expect(await files()).toEqual(['snap-0000000000000001.snap']);
    await backend.close();
    expect(await reload()).toEqual(log);
  });

  it('drops a truncated last record and cuts the file back to the last good frame', async () => {
    const { backend, append } = await open();
    for (let i = 0; i < 3; i++) await append(put(i));
    await backend.close();
    const goodEnd = frameSize(put(0)) + frameSize(put(1));
    await truncate(segment(0), goodEnd + 5);

    const again = await open();
    expect(again.loaded).toEqual([put(0), put(1)]);
    expect((await stat(segment(0))).size).toBe(goodEnd);
    await again.append(put(3));
    await again.backend.close();
    expect(await reload()).toEqual([put(0), put(1), put(3)]);
  });

  it('cuts off the zeros preallocated after the last frame when it was not closed (a crash)', async () => {
    const handles: FileHandle[] = [];
    const fs: FileSystem = {
      ...nodeFileSystem,
      open: async (path, flags, options) => {
        const handle = await nodeFileSystem.open(path, flags, options);
        handles.push(handle);
        return handle;
      },
    };
    const { append } = await open({ fs });
    for (let i = 0; i < 3; i++) await append(put(i));
    const end = frameSize(put(0)) + frameSize(put(1)) + frameSize(put(2));
    expect((await stat(segment(0))).size).toBeGreaterThan(end);
    // The process dies: its files close without the backend's say.
    await Promise.all(handles.map((h) => h.close()));

    const again = await open();
    expect(again.loaded).toEqual([put(0), put(1), put(2)]);
    expect((await stat(segment(0))).size).toBe(end);
    await again.append(put(3));
    await again.backend.close();
    expect(await reload()).toEqual([put(0), put(1), put(2), put(3)]);
  });

  it('drops a corrupted last record and cuts the file back to the last good frame', async () => {
    const { backend, append } = await open();
    for (let i = 0; i < 3; i++) await append(put(i));
    await backend.close();
    const data = await readFile(segment(0));
    data[data.length - 2]! ^= 0xff;
    await writeFile(segment(0), data);

    expect(await reload()).toEqual([put(0), put(1)]);
    expect((await stat(segment(0))).size).toBe(frameSize(put(0)) + frameSize(put(1)));
  });

  it('refuses to open when a record before the last is corrupted', async () => {
    const { backend, append } = await open();
    for (let i = 0; i < 3; i++) await append(put(i));
    await backend.close();
    const data = await readFile(segment(0));
    data[frameSize(put(0)) + 10]! ^= 0xff;
    await writeFile(segment(0), data);

    await expect(reload()).rejects.toThrow(WalCorruptError);
    await expect(reload()).rejects.toThrow(`crc mismatch in ${segment(0)} at offset ${frameSize(put(0))}`);
  });

  it('refuses to open when a segment is missing', async () => {
    const { backend, append } = await open();
    await append(put(0));
    await backend.close();
    await rename(segment(0), segment(1));
    await expect(reload()).rejects.toThrow(`missing ${segmentFileName(0)}`);
  });

  it('recovers from the old files after a crash between the snapshot .tmp write and its rename', async () => {
    const handles: FileHandle[] = [];
    let renames = 0;
    const crashingFs: FileSystem = {
      ...nodeFileSystem,
      open: async (path, flags, options) => {
        const handle = await nodeFileSystem.open(path, flags, options);
        handles.push(handle);
        return handle;
      },
      rename: () => {
        renames++;
        return new Promise(() => {}); // the process dies here
      },
    };
    const crashing = await open({ fs: crashingFs, snapshotCount: 5 });
    for (let i = 0; i < 4; i++) await crashing.append(put(i));
    void crashing.append(put(4)); // never acknowledged
    await until(() => renames === 1);
    expect(await files()).toEqual(['snap-0000000000000001.snap.tmp', segmentFileName(0)]);

    const after = await open();
    expect(after.loaded).toEqual([put(0), put(1), put(2), put(3)]);
    expect(await files()).toEqual([segmentFileName(0)]);
    await after.append(put(5));
    await after.backend.close();
    expect(await reload()).toEqual([put(0), put(1), put(2), put(3), put(5)]);
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  });

  it('recovers from the new snapshot after a crash between its rename and the next segment', async () => {
    let crashed = false;
    const crashingFs: FileSystem = {
      ...nodeFileSystem,
      rename: async (from, to) => {
        await nodeFileSystem.rename(from, to);
        crashed = true;
      },
      fsyncDir: (path) => (crashed ? new Promise(() => {}) : nodeFileSystem.fsyncDir(path)),
    };
    const crashing = await open({ fs: crashingFs, snapshotCount: 5 });
    for (let i = 0; i < 4; i++) await crashing.append(put(i));
    void crashing.append(put(4));
    await until(() => crashed);
    expect(await files()).toEqual(['snap-0000000000000001.snap', segmentFileName(0)]);

    const after = await open();
    expect(after.loaded).toEqual([put(0), put(1), put(2), put(3), put(4)]);
    expect(await files()).toEqual(['snap-0000000000000001.snap']);
    await after.append(put(5));
    await after.backend.close();
    expect(await files()).toEqual(['snap-0000000000000001.snap', segmentFileName(1)]);
    expect(await reload()).toEqual([put(0), put(1), put(2), put(3), put(4), put(5)]);
  });

  it('rejects a batch with NoSpaceError on ENOSPC and stays usable', async () => {
    let failNext = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: async (file, data, position) => {
        if (!failNext) return nodeFileSystem.write(file, data, position);
        failNext = false;
        throw enospc();
      },
    };
    const { backend, append } = await open({ fs });
    await append(put(0));
    failNext = true;
    const failed = await Promise.allSettled([append(put(1)), append(put(2))]);
    expect(failed.map((r) => r.status === 'rejected' && r.reason instanceof NoSpaceError)).toEqual([
      true,
      true,
    ]);
    await turn();
    await append(put(3));
    await backend.close();
    expect(await reload()).toEqual([put(0), put(3)]);
  });

  it('rejects only its batch when a snapshot fails with ENOSPC, keeping the old files', async () => {
    let failSnapshot = true;
    const snapshotFiles = new Set<FileHandle>();
    const fs: FileSystem = {
      ...nodeFileSystem,
      open: async (path, flags, options) => {
        const file = await nodeFileSystem.open(path, flags, options);
        if (path.endsWith('.snap.tmp')) snapshotFiles.add(file);
        return file;
      },
      write: (file, data, position) =>
        failSnapshot && snapshotFiles.has(file)
          ? Promise.reject(enospc())
          : nodeFileSystem.write(file, data, position),
    };
    const { backend, append } = await open({ fs, snapshotCount: 3 });
    await append(put(0));
    await append(put(1));
    const err = await append(put(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoSpaceError);
    expect((err as Error).cause).toMatchObject({ code: 'ENOSPC' });
    expect(await files()).toEqual([segmentFileName(0)]);

    failSnapshot = false;
    await turn();
    await append(put(3));
    expect(await files()).toEqual(['snap-0000000000000001.snap']);
    await backend.close();
    expect(await reload()).toEqual([put(0), put(1), put(3)]);
  });

  it('stops for good when the directory sync after a snapshot rename fails', async () => {
    let renamed = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      rename: async (from, to) => {
        await nodeFileSystem.rename(from, to);
        renamed = true;
      },
      fsyncDir: (path) =>
        renamed
          ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' }))
          : nodeFileSystem.fsyncDir(path),
    };
    const { backend, append } = await open({ fs, snapshotCount: 2 });
    await append(put(0));
    await expect(append(put(1))).rejects.toBeInstanceOf(NoSpaceError);
    await turn();
    await expect(append(put(2))).rejects.toBeInstanceOf(NoSpaceError);
    await backend.close();
  });
});
