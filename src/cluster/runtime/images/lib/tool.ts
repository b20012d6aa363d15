import type { Readable, Writable } from 'node:stream';
import type { LabContext } from './context.ts';
import type { ContainerFs } from './fs.ts';
import type { PodNetwork } from './net.ts';

/** The container a program runs in: its context, filesystem view, network and the image's commands. */
export interface Lab {
  readonly context: LabContext;
  readonly fs: ContainerFs;
  readonly net: PodNetwork;
  /** The image's program for a command name or path (see commands.ts lookPath). */
  lookup(argv0: string): Tool | undefined;
}

/**
 * What one program invocation gets, as a process gets argv, fds, environment and cwd. The shell runs
 * programs in its own process (pipes are PassThrough streams), so a program never touches `process`.
 */
export interface ToolIO {
  /** argv[0] is the name it was called by. */
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: ReadonlyMap<string, string>;
  /** The working directory as the container sees it. */
  readonly cwd: string;
  readonly lab: Lab;
  /** Aborts on an interrupt (Ctrl-C at the interactive shell): a long-running program should stop. */
  readonly signal: AbortSignal;
}

/** A program of an image; resolves with its exit code. */
export type Tool = (io: ToolIO) => Promise<number>;

/** Writes and waits until the stream took it, so output order survives pipes. */
export function write(stream: Writable, text: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.write(text, () => resolve());
  });
}
