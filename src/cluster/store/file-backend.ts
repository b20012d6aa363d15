import { join } from 'node:path';
import type { Backend, BackendStats, WalRecord } from './backend.ts';
import { NoSpaceError } from './errors.ts';
import { type FileSystem, nodeFileSystem, parseSegmentFileName, segmentFileName, Wal } from './wal.ts';
import { decodeFrames, WalCorruptError, writeFrames } from './wal-codec.ts';

export interface FileBackendOptions {
  /** Data directory, created if missing. It holds `snap-*.snap` snapshots and `wal-*.wal` segments. */
  readonly dir: string;
  readonly fs?: FileSystem;
  /** Records in the WAL after which the next batch is covered by a snapshot (etcd's --snapshot-count). */
  readonly snapshotCount?: number;
  /** WAL bytes after which the next batch is covered by a snapshot (etcd's WAL segment size). */
  readonly snapshotBytes?: number;
}

/**
 * etcd's default --snapshot-count. A snapshot holds every key and holds the WAL back while it is
 * written, so it should come seldom: at 10,000 records one landed every few seconds of a burst.
 */
const DEFAULT_SNAPSHOT_COUNT = 100_000;
const DEFAULT_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/**
 * snapFileName names the snapshot that holds everything before WAL segment `seq`. Naming snapshots by
 * log position, as etcd names them by raft index, is what tells load which segments follow one:
 * the store revision would not, since lease records carry none.
 */
function snapFileName(seq: number): string {
  return `snap-${seq.toString(16).padStart(16, '0')}.snap`;
}

function parseSnapFileName(name: string): number | undefined {
  const match = /^snap-([0-9a-f]{16})\.snap$/.exec(name);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

const SNAP_TMP_FILE_NAME = /^snap-[0-9a-f]{16}\.snap\.tmp$/;

/**
 * FileBackend keeps the store durable in a data directory, the way etcd keeps its member dir:
 *
 *   snap-0000000000000003.snap   every record before segment 3, as returned by the snapshot source
 *   wal-0000000000000003.wal     the records appended since that snapshot
 *
 * Records go to the Wal with group commit. When the WAL passes `snapshotCount` records or
 * `snapshotBytes` bytes, the next batch boundary takes a snapshot instead of writing the batch:
 *
 *   1. capture() runs synchronously, so it holds every record appended so far, the queued batch too
 *   2. the snapshot goes to snap-<n>.snap.tmp a slice at a time (the event loop keeps serving reads
 *      and watches between slices), is fdatasync'ed, renamed to snap-<n>.snap, and the directory is
 *      fsync'ed; now the queued batch is durable
 *   3. the WAL cuts to segment n, created by the next batch
 *   4. older snapshots and segments are removed, and the queued batch resolves
 *
 * A crash at any step leaves a directory that load reads correctly: before the rename, the old
 * snapshot and segments are intact and the .tmp file is removed; after it, the new snapshot is
 * the base and whatever older files remain are removed.
 */
export class FileBackend implements Backend {
  readonly #dir: string;
  readonly #fs: FileSystem;
  readonly #snapshotCount: number;
  readonly #snapshotBytes: number;
  #wal: Wal | undefined;
  #capture: (() => WalRecord[]) | undefined;
  #snapshotSize = 0;
  /** Bytes of segments after the snapshot other than the one being written (normally none). */
  #olderSegmentsSize = 0;
  #snapshots = 0;
  #snapshotSyncs = 0;

  constructor(options: FileBackendOptions) {
    this.#dir = options.dir;
    this.#fs = options.fs ?? nodeFileSystem;
    this.#snapshotCount = options.snapshotCount ?? DEFAULT_SNAPSHOT_COUNT;
    this.#snapshotBytes = options.snapshotBytes ?? DEFAULT_SNAPSHOT_BYTES;
  }

  /**
   * load returns the newest snapshot's records, then those of every segment after it. A torn last
   * frame in the last segment (a crash mid-write, never acknowledged) is dropped and cut off the
   * file, so the store opens without manual repair; damage anywhere else throws WalCorruptError.
   */
  async load(): Promise<WalRecord[]> {
    if (this.#wal) throw new Error('FileBackend: load() may be called only once');
    await this.#fs.mkdir(this.#dir);
    const names = await this.#fs.readdir(this.#dir);
    const records: WalRecord[] = [];

    const snapSeqs = names.map(parseSnapFileName).filter((seq) => seq !== undefined);
    const base = snapSeqs.length > 0 ? Math.max(...snapSeqs) : 0;
    if (snapSeqs.length > 0) {
      const path = join(this.#dir, snapFileName(base));
      const data = await this.#fs.readFile(path);
      const snap = decodeFrames(data, path);
      // A snapshot is renamed into place only after its sync, so it cannot be torn: it is damaged.
      // Older snapshots are gone by then, so there is nothing to fall back to.
      if (snap.torn) throw new WalCorruptError(path, 'damaged frame', snap.end);
      pushAll(records, snap.records);
      this.#snapshotSize = data.length;
    }

    const segSeqs = names
      .map(parseSegmentFileName)
      .filter((seq) => seq !== undefined)
      .filter((seq) => seq >= base)
      .sort((a, b) => a - b);
    let tail = { seq: base, size: 0, records: 0 };
    for (const [i, seq] of segSeqs.entries()) {
      if (seq !== base + i) throw new WalCorruptError(this.#dir, `missing ${segmentFileName(base + i)}`);
      const path = join(this.#dir, segmentFileName(seq));
      const data = await this.#fs.readFile(path);
      const segment = decodeFrames(data, path);
      pushAll(records, segment.records);
      if (i < segSeqs.length - 1) {
        if (segment.torn)
          throw new WalCorruptError(path, 'damaged frame, not in the last segment', segment.end);
        this.#olderSegmentsSize += data.length;
      } else {
        if (segment.torn) await this.#truncate(path, segment.end);
        tail = { seq, size: segment.end, records: segment.records.length };
      }
    }

    await this.#removeStale(base);
    this.#wal = new Wal({
      dir: this.#dir,
      fs: this.#fs,
      ...tail,
      coverBatch: (records, bytes) => this.#coverBatch(records, bytes),
    });
    return records;
  }

  append(record: WalRecord): Promise<void> {
    if (!this.#wal) return Promise.reject(new Error('FileBackend: append() before load()'));
    return this.#wal.append(record);
  }

  setSnapshotSource(capture: () => WalRecord[]): void {
    this.#capture = capture;
  }

  stats(): BackendStats {
    return {
      syncs: this.#snapshotSyncs + (this.#wal?.syncs ?? 0),
      records: this.#wal?.records ?? 0,
      snapshots: this.#snapshots,
      sizeBytes: this.#snapshotSize + this.#olderSegmentsSize + (this.#wal?.fileSize ?? 0),
    };
  }

  async close(): Promise<void> {
    await this.#wal?.close();
  }

  /** Runs at each batch boundary of the Wal, where no write is in flight. */
  #coverBatch(records: number, bytes: number): Promise<void> | undefined {
    const wal = this.#wal!;
    if (!this.#capture) return undefined;
    if (wal.segmentRecords + records < this.#snapshotCount && wal.size + bytes < this.#snapshotBytes) {
      return undefined;
    }
    return this.#saveSnapshot(this.#capture());
  }

  async #saveSnapshot(records: readonly WalRecord[]): Promise<void> {
    const wal = this.#wal!;
    const seq = wal.seq + 1;
    const path = join(this.#dir, snapFileName(seq));
    const tmp = `${path}.tmp`;
    let size: number;
    try {
      const file = await this.#fs.open(tmp, 'w');
      try {
        size = await writeFrames(records, (data, position) => this.#fs.write(file, data, position));
        this.#snapshotSyncs++;
        await this.#fs.fdatasync(file);
      } finally {
        await this.#fs.close(file);
      }
      await this.#fs.rename(tmp, path);
    } catch (err) {
      // Nothing changed: the old snapshot and segment still hold every acknowledged record.
      await this.#fs.unlink(tmp).catch(() => undefined);
      throw new NoSpaceError(err);
    }
    try {
      await this.#fs.fsyncDir(this.#dir);
    } catch (err) {
      // Whether the rename survives a crash is unknown, so neither the current segment (ignored if
      // it does) nor the next one (after a snapshot holding records the store now undoes) is a safe
      // place for the next record. Stop; a restart finds one consistent state or the other.
      throw wal.fail(new NoSpaceError(err));
    }
    // The snapshot is durable, and so is the batch it covers, whatever happens next.
    this.#snapshots++;
    this.#snapshotSize = size;
    this.#olderSegmentsSize = 0;
    await wal.cut();
    await this.#removeStale(seq);
  }

  async #truncate(path: string, length: number): Promise<void> {
    const file = await this.#fs.open(path, 'r+');
    try {
      await this.#fs.ftruncate(file, length);
      await this.#fs.fdatasync(file);
    } finally {
      await this.#fs.close(file);
    }
  }

  /**
   * #removeStale deletes snapshots and segments older than `base` and leftover snapshot .tmp files.
   * It is best effort: load ignores such files, and the next snapshot retries.
   */
  async #removeStale(base: number): Promise<void> {
    const names = await this.#fs.readdir(this.#dir).catch(() => []);
    const stale = names.filter(
      (name) =>
        SNAP_TMP_FILE_NAME.test(name) ||
        (parseSnapFileName(name) ?? base) < base ||
        (parseSegmentFileName(name) ?? base) < base,
    );
    await Promise.all(stale.map((name) => this.#fs.unlink(join(this.#dir, name)).catch(() => undefined)));
  }
}

/** pushAll appends without spreading, which would overflow the stack for large files. */
function pushAll<T>(to: T[], from: readonly T[]): void {
  for (const item of from) to.push(item);
}
