import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatLogLine, type LogStream } from './cri-log-format.ts';

/** A partial line is written as P after this long without its newline, so prompts show up in logs. */
const partialFlushMs = 100;
/** Longer lines are split into P pieces, as containerd does at its buffer size. */
const maxLineBytes = 16 * 1024;

/**
 * ContainerLogWriter is the runtime side of a container's log (containerd's shim does this job):
 * it reads the process's stdout and stderr pipes and appends CRI-format lines to the log file.
 */
export class ContainerLogWriter {
  private readonly file: WriteStream;
  private open = 0;
  private readonly finished: Promise<void>;
  private finish!: () => void;

  constructor(
    path: string,
    private readonly now: () => bigint,
  ) {
    // A log directory removed under a running container must not take the node agent down.
    this.file = createWriteStream(path, { flags: 'a' }).on('error', () => this.finish());
    this.finished = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** Copies `source` into the log as `stream`; `observe` also sees the raw output (for attach). */
  follow(source: Readable, stream: LogStream, observe?: (chunk: Buffer) => void): void {
    this.open++;
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    const emit = (text: string, partial: boolean) =>
      this.file.write(formatLogLine({ timestamp: this.now(), stream, partial, text }));
    const flushPartial = () => {
      if (pending) emit(pending, true);
      pending = '';
    };
    source.on('data', (chunk: Buffer) => {
      observe?.(chunk);
      clearTimeout(timer);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) emit(line, false);
      while (pending.length > maxLineBytes) {
        emit(pending.slice(0, maxLineBytes), true);
        pending = pending.slice(maxLineBytes);
      }
      if (pending) timer = setTimeout(flushPartial, partialFlushMs);
    });
    source.once('close', () => {
      clearTimeout(timer);
      // The last line of a stream ends the entry even without a newline.
      if (pending) emit(pending, false);
      if (--this.open === 0) this.file.end(() => this.finish());
    });
  }

  /** Resolves once every followed stream has closed and the file is flushed. */
  closed(): Promise<void> {
    return this.finished;
  }
}
