import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import type { WalRecord } from './backend.ts';
import { NoSpaceError, StoppedError } from './errors.ts';
import { encodeFrames, frameSize } from './wal-codec.ts';

/**
 * FileSystem is every file operation the WAL and the snapshots need. It is injected so that tests
 * can count syncs, hold a sync back, or fail a write with ENOSPC; nodeFileSystem is the real one.
 */
export interface FileSystem {
  /**
   * Opens a file to write. With `dsync` it is opened O_DSYNC: each write returns only once its data
   * is on stable storage, as a write followed by fdatasync would, but in one system call.
   */
  open(path: string, flags: 'r+' | 'w', options?: OpenOptions): Promise<FileHandle>;
  /** Writes all of `data` at `position`; on a `dsync` file, durably. */
  write(file: FileHandle, data: Buffer, position: number): Promise<void>;
  fdatasync(file: FileHandle): Promise<void>;
  ftruncate(file: FileHandle, length: number): Promise<void>;
  close(file: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  /** Creates the directory and its parents if missing. */
  mkdir(path: string): Promise<void>;
  /** fsync of a directory: makes the files created, renamed or removed in it durable. */
  fsyncDir(path: string): Promise<void>;
}

export interface OpenOptions {
  readonly dsync?: boolean;
}

const OPEN_FLAGS = {
  'r+': constants.O_RDWR,
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
} as const;

export const nodeFileSystem: FileSystem = {
  open: (path, flags, options) =>
    fsp.open(path, options?.dsync ? OPEN_FLAGS[flags] | constants.O_DSYNC : flags),
  async write(file, data, position) {
    // A write may take only part of the buffer; the rest goes in later writes.
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
      done += bytesWritten;
    }
  },
  fdatasync: (file) => file.datasync(),
  ftruncate: (file, length) => file.truncate(length),
  close: (file) => file.close(),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readFile: (path) => fsp.readFile(path),
  readdir: (path) => fsp.readdir(path),
  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  async fsyncDir(path) {
    const dir = await fsp.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Segments grow by this much at a time, written with zeros ahead of the records: see Wal#preallocate. */
const PREALLOCATE_BYTES = 1024 * 1024;

/** segmentFileName names WAL segment `seq`: `wal-<16 hex digits>.wal`, so names sort in log order. */
export function segmentFileName(seq: number): string {
  return `wal-${seq.toString(16).padStart(16, '0')}.wal`;
}

/** parseSegmentFileName returns the sequence number of a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^wal-([0-9a-f]{16})\.wal$/.exec(name);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

export interface WalOptions {
  /** Directory holding the segments. */
  readonly dir: string;
  readonly fs?: FileSystem;
  /** Segment to append to. Default 0. */
  readonly seq?: number;
  /** Bytes of good frames already in that segment; appends go after them. 0 (default) creates the segment. */
  readonly size?: number;
  /** Records in those bytes. */
  readonly records?: number;
  /**
   * coverBatch is called at every batch boundary before the batch is written. Returning a promise
   * takes the batch over: nothing is written, and the batch's appends settle as that promise does.
   * FileBackend uses it to write a snapshot instead, since a snapshot taken at the boundary already
   * holds the queued batch.
   */
  readonly coverBatch?: (records: number, bytes: number) => Promise<void> | undefined;
}

/**
 * Batch is the records of one group commit. They share one durable write and one promise, so a
 * batch costs the same few syscalls and allocations however many records it holds.
 */
class Batch {
  readonly records: WalRecord[] = [];
  bytes = 0;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Wal is the write-ahead log: an append-only segment file written with group commit, as etcd
 * batches raft entries. `append` only queues; a single flush loop takes the whole queue as one
 * batch, writes it durably, then resolves it. Appends that arrive while a flush is in flight form
 * the next batch, so concurrent writers share syncs, and a record is never acknowledged before the
 * write that covers it is on stable storage.
 *
 * Segments are opened O_DSYNC, so a batch costs one write system call (one trip to libuv's thread
 * pool) rather than a write and an fdatasync, and they grow a megabyte of zeros at a time ahead of
 * the records (#preallocate), so that write need not commit a new file size. Only one write is ever
 * in flight: were the next batch written while the previous one was still going to disk, a crash
 * could keep the later batch and tear the earlier one, and a torn frame before good ones reads as
 * corruption, not as a torn tail.
 *
 * Segments: `cut` closes the current segment and starts the next, as etcd's wal.cut does; the
 * FileBackend cuts after each snapshot, so each segment holds the records after one snapshot.
 *
 * Failures: a record is durable only together with every record before it (Backend.append), and
 * the store applies each record on top of the ones before. So when a batch fails, the store undoes
 * it and every change applied after it, and the WAL must not keep those either: the batch queued
 * behind a failed one fails too, and so does every append until the event loop turns. The store
 * reacts to the failure in microtasks, so by then it has undone its changes, and appends after
 * that build on the undone state. For example, with batch [r5] writing and [r6, r7] queued:
 *
 *   write of [r5] fails (ENOSPC)  -> [r5] rejects; [r6, r7] reject too, unwritten
 *   store undoes r7, r6, r5       -> its revision is 4 again
 *   append r5' in the same turn   -> rejects (it might have been applied on top of r5)
 *   append r5' in a later turn    -> written: the WAL is usable again
 */
export class Wal {
  readonly #dir: string;
  readonly #fs: FileSystem;
  readonly #coverBatch: WalOptions['coverBatch'];
  #seq: number;
  #size: number;
  #segmentRecords: number;
  /** Bytes of the segment file written, frames and preallocated zeros: see #preallocate. */
  #allocated: number;
  /** Open lazily by the flush loop: undefined until the first write to the segment. */
  #file: FileHandle | undefined;
  #pending: Batch | undefined;
  /** The running flush loop. At most one exists, which is what orders writes and syncs. */
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** Set by `fail`: the files are in a state only a restart may sort out, so every append fails. */
  #failure: Error | undefined;
  /** Set from a failed batch until the event loop turns (see the class comment). */
  #refusal: unknown;
  #syncs = 0;
  #records = 0;

  constructor(options: WalOptions) {
    this.#dir = options.dir;
    this.#fs = options.fs ?? nodeFileSystem;
    this.#coverBatch = options.coverBatch;
    this.#seq = options.seq ?? 0;
    this.#size = options.size ?? 0;
    this.#allocated = this.#size;
    this.#segmentRecords = options.records ?? 0;
  }

  /** Sequence number of the segment being written. */
  get seq(): number {
    return this.#seq;
  }

  /** Bytes of durable frames in the current segment. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the current segment file takes: its frames and the zeros preallocated after them. */
  get fileSize(): number {
    return this.#allocated;
  }

  /** Durable records in the current segment. */
  get segmentRecords(): number {
    return this.#segmentRecords;
  }

  /**
   * Durable writes of records (each a write to the O_DSYNC segment) and fdatasyncs made since
   * construction; the zeros of #preallocate are not counted.
   */
  get syncs(): number {
    return this.#syncs;
  }

  /** Records made durable since construction, whether written here or covered by coverBatch. */
  get records(): number {
    return this.#records;
  }

  /**
   * append queues `record` for the next batch. The promise resolves once the record is durable and
   * rejects with NoSpaceError when its batch could not be written; a record the format cannot hold
   * rejects alone, without touching the batch.
   */
  append(record: WalRecord): Promise<void> {
    const refusal = this.#failure ?? this.#refusal;
    if (refusal) return Promise.reject(refusal);
    if (this.#closed) return Promise.reject(new StoppedError());
    let size: number;
    try {
      size = frameSize(record);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#pending ??= new Batch();
    this.#pending.records.push(record);
    this.#pending.bytes += size;
    this.#flushing ??= this.#flushLoop();
    return this.#pending.done;
  }

  /**
   * cut closes the current segment; the next batch creates segment seq + 1. Call it only from
   * coverBatch, where no write is in flight.
   */
  async cut(): Promise<void> {
    const file = this.#file;
    this.#seq++;
    this.#size = 0;
    this.#allocated = 0;
    this.#segmentRecords = 0;
    this.#file = undefined;
    // The segment's records were all synced, so a failed close cannot lose any of them.
    if (file) await this.#fs.close(file).catch(() => undefined);
  }

  /**
   * fail stops the log for good and returns `err`: every later append rejects with it. For failures
   * after which no segment is a safe place for the next record.
   */
  fail(err: Error): Error {
    this.#failure = err;
    return err;
  }

  /** close writes what is queued, then closes the segment; later appends reject with StoppedError. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    const file = this.#file;
    this.#file = undefined;
    if (!file) return;
    // Leave only frames behind, so a clean restart has no tail to cut. Should the cut not happen,
    // the zeros are harmless: load cuts them off.
    if (this.#allocated > this.#size) await this.#fs.ftruncate(file, this.#size).catch(() => undefined);
    await this.#fs.close(file);
  }

  async #flushLoop(): Promise<void> {
    // Yield once, so that every append made in the same synchronous run joins the first batch.
    await Promise.resolve();
    for (let batch = this.#pending; batch; batch = this.#pending) {
      this.#pending = undefined;
      try {
        await (this.#coverBatch?.(batch.records.length, batch.bytes) ?? this.#write(batch));
        this.#records += batch.records.length;
        batch.resolve();
      } catch (err) {
        batch.reject(err);
        this.#refuseUntilNextTurn(err);
      }
    }
    // No await since the loop found nothing pending, so no append can slip in unseen here.
    this.#flushing = undefined;
  }

  #refuseUntilNextTurn(err: unknown): void {
    this.#pending?.reject(err);
    this.#pending = undefined;
    this.#refusal = err;
    setImmediate(() => {
      this.#refusal = undefined;
    });
  }

  async #write(batch: Batch): Promise<void> {
    // No await when the segment is open: the write is then issued before the writers of the batch
    // just resolved wake up, and the disk works while they (and the watchers they notify) run.
    const file = this.#file ?? (await this.#openSegment());
    const data = encodeFrames(batch.records, batch.bytes);
    try {
      if (this.#size + data.length > this.#allocated && data.length < PREALLOCATE_BYTES) {
        await this.#preallocate(file, this.#size + data.length);
      }
      this.#syncs++;
      await this.#fs.write(file, data, this.#size);
    } catch (err) {
      await this.#truncate(file);
      throw new NoSpaceError(err);
    }
    this.#size += batch.bytes;
    this.#allocated = Math.max(this.#allocated, this.#size);
    this.#segmentRecords += batch.records.length;
  }

  /**
   * #preallocate writes zeros from the end of the allocated space to the next multiple of
   * PREALLOCATE_BYTES at or past `end`, as etcd preallocates its segments. A write into blocks the
   * file already has changes neither its size nor its extents, so with O_DSYNC it costs the data
   * alone, with no journal commit: a third less time per batch on an idle ext4 disk, and much less
   * when other writers keep the journal busy. The zeros go through the O_DSYNC file too, so the
   * space is durable before any record lands in it; after a crash they read as a torn tail, which
   * load cuts off. A batch of a megabyte or more goes without: next to its data the new file size
   * costs little, and zeros under it would double the bytes written.
   */
  async #preallocate(file: FileHandle, end: number): Promise<void> {
    const to = Math.ceil(end / PREALLOCATE_BYTES) * PREALLOCATE_BYTES;
    await this.#fs.write(file, Buffer.alloc(to - this.#allocated), this.#allocated);
    this.#allocated = to;
  }

  /**
   * #truncate cuts off whatever part of a failed batch reached the file, and the zeros after it, so
   * the next batch is written right after the last good frame. The cut is synced before the batch is rejected: the
   * store undoes a rejected record, so it must not come back after a crash and a restart. If the cut
   * fails, the file's tail is unknown, and the log stops.
   */
  async #truncate(file: FileHandle): Promise<void> {
    this.#allocated = this.#size;
    try {
      await this.#fs.ftruncate(file, this.#size);
      this.#syncs++;
      await this.#fs.fdatasync(file);
    } catch (err) {
      throw this.fail(new NoSpaceError(err));
    }
  }

  async #openSegment(): Promise<FileHandle> {
    if (this.#file) return this.#file;
    const path = join(this.#dir, segmentFileName(this.#seq));
    try {
      if (this.#size > 0) {
        this.#file = await this.#fs.open(path, 'r+', { dsync: true });
      } else {
        // 'w' also empties a file left by an earlier attempt whose directory sync failed.
        const file = await this.#fs.open(path, 'w', { dsync: true });
        // The new name must be durable before any record in the file is acknowledged.
        await this.#fs.fsyncDir(this.#dir).catch(async (err: unknown) => {
          await this.#fs.close(file);
          throw err;
        });
        this.#file = file;
      }
    } catch (err) {
      throw new NoSpaceError(err);
    }
    return this.#file;
  }
}
