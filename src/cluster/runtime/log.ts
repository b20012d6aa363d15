import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatRfc3339Nano, parseLogLine } from './cri-log-format.ts';

/**
 * Reading a container's CRI log file the way the kubelet's kuberuntime logs reader does for
 * GET /containerLogs (kubectl logs). Two entry points:
 *
 *   for await (const chunk of containerLogs(status.logPath, { tailLines: 10 })) ...
 *   await readContainerLogs(status.logPath, options, res, signal, { isRunning })
 *
 * The second matches the kubelet server's ContainerLogReader and writes into a response. For the
 * previous run's logs (`--previous`) pass the previous container's logPath (<container>/<attempt>.log
 * of the attempt before); the file format carries no notion of attempts.
 */
export interface ContainerLogOptions {
  /** Keep reading as the container writes, until it stops running (see FollowOptions) or the signal aborts. */
  readonly follow?: boolean;
  /** Prefix each entry with its RFC 3339 time, as `kubectl logs --timestamps`. */
  readonly timestamps?: boolean;
  /** Start this many lines from the end of the file. */
  readonly tailLines?: number;
  /** Stop after this many bytes of output. */
  readonly limitBytes?: number;
  /** Only entries newer than this many seconds. */
  readonly sinceSeconds?: number;
  /** Only entries at or after this time (RFC 3339). */
  readonly sinceTime?: string | Date;
}

export interface FollowOptions {
  /** Aborting ends the read (the client went away). */
  readonly signal?: AbortSignal;
  /**
   * Asked when a follow has read everything: false ends it once the rest of the file is read, as
   * the kubelet stops following a container that exited. Without it a follow runs until aborted.
   */
  readonly isRunning?: () => boolean | Promise<boolean>;
  /** How often a follow looks for new lines. */
  readonly pollMs?: number;
  /** Milliseconds, for sinceSeconds. */
  readonly now?: () => number;
}

/** Thrown when the log file is not there: the container never wrote one or it was removed. */
export class ContainerLogNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`failed to open log file "${path}": no such file or directory`);
    this.name = 'ContainerLogNotFoundError';
  }
}

const chunkSize = 64 * 1024;

/** The decoded log text, chunk by chunk. */
export async function* containerLogs(
  path: string,
  options: ContainerLogOptions = {},
  follow: FollowOptions = {},
): AsyncGenerator<Buffer> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch {
    throw new ContainerLogNotFoundError(path);
  }
  try {
    const now = follow.now ?? Date.now;
    const sinceMs =
      options.sinceTime !== undefined
        ? new Date(options.sinceTime).getTime()
        : options.sinceSeconds !== undefined
          ? now() - options.sinceSeconds * 1000
          : undefined;
    const since = sinceMs === undefined ? undefined : BigInt(sinceMs) * 1_000_000n;
    let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
    let offset = options.tailLines === undefined ? 0 : await tailOffset(file, options.tailLines);
    let rest = '';
    const buffer = Buffer.alloc(chunkSize);
    for (;;) {
      if (follow.signal?.aborted) return;
      const { bytesRead } = await file.read(buffer, 0, chunkSize, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        const lines = (rest + buffer.toString('utf8', 0, bytesRead)).split('\n');
        // A line without its newline yet is being written; it is read with the next chunk.
        rest = lines.pop()!;
        let out = '';
        for (const line of lines) {
          const entry = parseLogLine(line);
          if (!entry || (since !== undefined && entry.timestamp < since)) continue;
          out += `${options.timestamps ? `${formatRfc3339Nano(entry.timestamp)} ` : ''}${entry.text}${entry.partial ? '' : '\n'}`;
        }
        if (out) {
          const bytes = Buffer.from(out);
          if (bytes.length >= budget) {
            yield bytes.subarray(0, budget);
            return;
          }
          budget -= bytes.length;
          yield bytes;
        }
        continue;
      }
      if (!options.follow) return;
      if (follow.isRunning && !(await follow.isRunning())) {
        // One more pass: what the container wrote just before it stopped.
        const { bytesRead: left } = await file.read(buffer, 0, 1, offset);
        if (left === 0) return;
        continue;
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, follow.pollMs ?? 100);
        follow.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve(undefined);
          },
          { once: true },
        );
      });
    }
  } finally {
    await file.close();
  }
}

/** Where the last `lines` lines of the file start, read backwards a chunk at a time. */
async function tailOffset(file: FileHandle, lines: number): Promise<number> {
  const { size } = await file.stat();
  if (lines === 0) return size;
  let end = size;
  let newlines = 0;
  const buffer = Buffer.alloc(chunkSize);
  while (end > 0) {
    const start = Math.max(0, end - chunkSize);
    const { bytesRead } = await file.read(buffer, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      // The file's final newline ends the last line; it does not start one.
      if (buffer[i] === 10 && start + i !== size - 1 && ++newlines === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * Writes the decoded log into `out` (the kubelet's response), respecting backpressure; resolves when
 * the log is read (or, following, the container stopped) or `signal` aborts. `out` is left open.
 */
export async function readContainerLogs(
  logPath: string,
  options: ContainerLogOptions,
  out: Writable,
  signal: AbortSignal,
  follow: Omit<FollowOptions, 'signal'> = {},
): Promise<void> {
  for await (const chunk of containerLogs(logPath, options, { ...follow, signal })) {
    if (signal.aborted || out.destroyed) return;
    if (!out.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done).off('close', done);
          resolve();
        };
        out.on('drain', done).on('close', done);
      });
    }
  }
}
