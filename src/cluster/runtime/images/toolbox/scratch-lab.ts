import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { lookPath } from '../commands.ts';
import { ContainerFs } from '../lib/fs.ts';
import { PodNetwork } from '../lib/net.ts';
import type { Lab } from '../lib/tool.ts';
import { toolbox } from './index.ts';

/** What a toolbox command did: its exit code and output. */
export interface Run {
  readonly code: number;
  readonly out: Buffer;
  readonly err: string;
}

/**
 * A container for the toolbox's tests: a scratch root filesystem and a lab view of it, in which
 * commands run in the test's own process, as the shell runs them in a container's.
 */
export class ScratchLab {
  private constructor(
    /** The host directory that is the container's /. */
    readonly rootfs: string,
    readonly lab: Lab,
  ) {}

  static async create(): Promise<ScratchLab> {
    const rootfs = await mkdtemp(join(tmpdir(), 'orch-lab-toolbox-'));
    const fs = new ContainerFs(rootfs, []);
    const names = new Set(Object.keys(toolbox));
    return new ScratchLab(rootfs, {
      context: {
        podIP: '127.0.0.1',
        hostname: 'box',
        rootfs,
        mounts: [],
        containerId: 'c',
        workingDir: '/',
        tty: false,
        pid1: false,
      },
      fs,
      net: new PodNetwork('127.0.0.1', 'box', fs),
      lookup: (argv0) => {
        const name = lookPath(argv0, names);
        return name === undefined ? undefined : toolbox[name];
      },
    });
  }

  /** Runs the toolbox command argv[0] with `stdin`, in the container's / . */
  async run(argv: readonly string[], stdin: Buffer | string = ''): Promise<Run> {
    const tool = this.lab.lookup(argv[0]!);
    if (!tool) throw new Error(`no toolbox command ${argv[0]}`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    let err = '';
    stdout.on('data', (c: Buffer) => out.push(c));
    stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await tool({
      argv,
      stdin: Readable.from([Buffer.from(stdin)]),
      stdout,
      stderr,
      env: new Map([
        ['HOME', '/root'],
        ['NAME', 'world'],
      ]),
      cwd: '/',
      lab: this.lab,
      signal: new AbortController().signal,
    });
    return { code, out: Buffer.concat(out), err };
  }

  /** The host path of a path in the container. */
  path(containerPath: string): string {
    return this.lab.fs.hostPath(containerPath);
  }

  remove(): Promise<void> {
    return rm(this.rootfs, { recursive: true, force: true });
  }
}
