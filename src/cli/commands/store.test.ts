// `orch-lab store` as a learner runs it: the real CLI in a child process, poked with real etcdctl.

import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/etcd-client.ts';

const BIN = fileURLToPath(new URL('../../../bin/orch-lab.js', import.meta.url));

const etcdctl = async (endpoint: string, ...args: string[]) =>
  (
    await promisify(execFile)('etcdctl', [`--endpoints=${endpoint}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    })
  ).stdout;

/** The CLI running in a child process, its output collected as it comes. */
class Cli {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [BIN, ...args], { env });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  /** The address the CLI serves on, once it has printed both of its start-up lines. */
  address(): Promise<string> {
    return waitUntil(
      () => /try: etcdctl --endpoints=(\S+) put hello world\n/.exec(this.output)?.[1],
      'the start-up lines',
      15_000,
      () => `; output: ${this.output}`,
    );
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

describe('orch-lab store', () => {
  let dir: string;
  const running: Cli[] = [];
  const start = (args: readonly string[], env?: NodeJS.ProcessEnv) => {
    const cli = new Cli(args, env);
    running.push(cli);
    return cli;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orch-lab-cli-'));
  });

  afterEach(async () => {
    for (const cli of running.splice(0)) {
      cli.kill('SIGKILL');
      await cli.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('serves etcdctl, stops cleanly on SIGTERM and SIGINT, and keeps its data across restarts', async () => {
    const dataDir = join(dir, 'data');
    const first = start(['store', '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
    const address = await first.address();
    expect(first.output).toBe(
      `orch-lab store: serving the etcd v3 API on ${address}, data in ${dataDir}\n` +
        `try: etcdctl --endpoints=${address} put hello world\n`,
    );
    expect(await etcdctl(address, 'put', 'hello', 'world')).toBe('OK\n');
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output).toMatch(/orch-lab store: SIGTERM, shutting down\n$/);

    const second = start(['store', '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
    expect(await etcdctl(await second.address(), 'get', 'hello')).toBe('hello\nworld\n');
    second.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('keeps its data in $ORCH_LAB_HOME/store by default', async () => {
    const cli = start(['store', '--listen', '127.0.0.1:0'], { ...process.env, ORCH_LAB_HOME: dir });
    await cli.address();
    expect(cli.output).toContain(`data in ${join(dir, 'store')}\n`);
    expect(existsSync(join(dir, 'store'))).toBe(true);
  });

  it('reports an address it cannot listen on and exits with status 1', async () => {
    const first = start(['store', '--data-dir', join(dir, 'a'), '--listen', '127.0.0.1:0']);
    const taken = await first.address();
    const second = start(['store', '--data-dir', join(dir, 'b'), '--listen', taken]);
    expect(await second.exited).toBe(1);
    expect(second.output).toContain(`orch-lab: cannot listen on ${taken}: `);
    expect(second.output).toContain('EADDRINUSE');
  });
});
