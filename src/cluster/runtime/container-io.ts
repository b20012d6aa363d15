import { Readable, Writable } from 'node:stream';
import type { AttachSession } from './cri.ts';

/** The most early output kept for a stdinOnce container's first session. */
const EARLY_OUTPUT_LIMIT = 64 * 1024;

/** Which streams an attach session asks for. */
export interface AttachStreams {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

interface Attached {
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  /** Ends the session's output and resolves its `ended`. */
  end(): void;
}

/**
 * ContainerIO joins a running container's own streams to its attach sessions, as containerd's
 * ContainerIO does: every session gets a copy of the output written from its attach on, and each
 * session's input goes to the stdin the container was started with, which stays open here between
 * sessions. With stdinOnce that stdin closes once the first session attached to it is over, so a
 * program reading it sees end of file (`kubectl run -i` relies on this to finish).
 *
 *   stdin: true, stdinOnce: true, tty: false   (kubectl run -i)
 *     session A attaches with stdin   -> A's input reaches the process
 *     A's stdin ends (end of input)   -> the process's stdin is closed; A still sees the output
 *     the container exits             -> A's output ends
 */
export class ContainerIO {
  private readonly sessions = new Set<Attached>();
  /**
   * With stdinOnce (`kubectl run -i|-it`), what the container writes before its first session,
   * handed to that session. kubectl attaches once it sees the pod Running, and the lab's kubelet says
   * Running within milliseconds of the start, so a quick `echo hi` would otherwise be gone by then.
   * Bounded; undefined once the first session has come.
   */
  private early: { stream: 'stdout' | 'stderr'; chunk: Buffer }[] | undefined;
  private earlyBytes = 0;

  /** `stdin` is the process's input pipe when the container was created with stdin, else undefined. */
  constructor(
    private stdin: Writable | undefined,
    private readonly config: { readonly stdinOnce: boolean; readonly tty: boolean },
  ) {
    if (config.stdinOnce) this.early = [];
  }

  /** Hands output the container wrote on `stream` to the sessions; a tty has the one stream. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const to = this.config.tty ? 'stdout' : stream;
    if (this.early && this.earlyBytes + chunk.length <= EARLY_OUTPUT_LIMIT) {
      this.early.push({ stream: to, chunk });
      this.earlyBytes += chunk.length;
    }
    for (const session of this.sessions) session[to]?.push(chunk);
  }

  /** The container has exited: every session is over. */
  close(): void {
    this.closeStdin();
    for (const session of [...this.sessions]) session.end();
  }

  attach(streams: AttachStreams): AttachSession {
    let resolveEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      resolveEnded = resolve;
    });
    const attached: Attached = {
      ...(streams.stdout ? { stdout: new Readable({ read() {} }) } : {}),
      ...(streams.stderr && !this.config.tty ? { stderr: new Readable({ read() {} }) } : {}),
      end: () => {
        if (!this.sessions.delete(attached)) return;
        attached.stdout?.push(null);
        attached.stderr?.push(null);
        // stdinOnce: the first session that had the container's stdin takes it with it.
        if (streams.stdin && this.config.stdinOnce) this.closeStdin();
        resolveEnded();
      },
    };
    const stdin = streams.stdin
      ? new Writable({
          write: (chunk: Buffer, _encoding, callback) => {
            if (this.stdin && this.sessions.has(attached)) this.stdin.write(chunk, () => callback());
            else callback();
          },
          final: (callback) => {
            if (this.config.stdinOnce && !this.config.tty) this.closeStdin();
            else attached.end();
            callback();
          },
        })
      : undefined;
    this.sessions.add(attached);
    for (const { stream, chunk } of this.early ?? []) attached[stream]?.push(chunk);
    this.early = undefined;
    const { stdout, stderr } = attached;
    return {
      ...(stdin ? { stdin } : {}),
      ...(stdout ? { stdout } : {}),
      ...(stderr ? { stderr } : {}),
      // No pty to size: the lab's programs take the terminal size from nowhere (as with exec).
      resize: () => {},
      ended,
      detach: attached.end,
    };
  }

  private closeStdin(): void {
    this.stdin?.end();
    this.stdin = undefined;
  }
}
