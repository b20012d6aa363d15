// Starts the two servers under test as child processes, so neither shares the benchmark client's
// CPU or event loop: real etcd (its own binary, default fsync) and ours (`orch-lab store` with its
// durable file backend). Both get a free loopback port and a data directory the caller owns, so the
// restart figure can stop a server and start it again on the same data.
//
// test/support/etcd-process.ts starts etcd for tests, but it removes the data dir on stop and hides
// the pid; a benchmark needs both, so only its `freePort` and binary path are reused.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ETCD_BINARY, freePort } from '../../test/support/etcd-process.ts';
import { readCpuSeconds, readRss } from '../proc.ts';
import { connect } from './client.ts';

export type TargetName = 'etcd' | 'ours';
export const TARGETS: readonly TargetName[] = ['etcd', 'ours'];

export interface ServerProcess {
  readonly target: TargetName;
  readonly endpoint: string;
  readonly pid: number;
  readonly dataDir: string;
  /** Resident memory now, from /proc/<pid>/status (VmRSS), in bytes. */
  rss(): Promise<number>;
  /** CPU time used so far (user + system, every thread), from /proc/<pid>/stat, in seconds. */
  cpuSeconds(): Promise<number>;
  /** SIGTERM, then SIGKILL after 10 s; the data dir stays. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly target: TargetName;
  readonly dataDir: string;
  readonly readyTimeoutMs?: number;
}

export interface Started {
  readonly server: ServerProcess;
  /** From spawn to the first range answered with `probeKey`'s value (or any answer without one). */
  readonly readyMs: number;
}

/** Children still running, killed if the benchmark exits early (an error, Ctrl-C) so none linger. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Our server's CLI; BENCH_ORCH_LAB_BIN points at another checkout's bin/orch-lab.js to compare builds. */
const ORCH_LAB_BIN =
  process.env.BENCH_ORCH_LAB_BIN ?? fileURLToPath(new URL('../../bin/orch-lab.js', import.meta.url));

/** Extra node flags for our server, e.g. `BENCH_OURS_NODE_ARGS=--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const OURS_NODE_ARGS = (process.env.BENCH_OURS_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

function command(target: TargetName, dataDir: string, port: number, peerPort: number): [string, string[]] {
  const listen = `127.0.0.1:${port}`;
  if (target === 'ours') {
    return [
      process.execPath,
      [...OURS_NODE_ARGS, ORCH_LAB_BIN, 'store', '--data-dir', dataDir, '--listen', listen],
    ];
  }
  const clientUrl = `http://${listen}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  return [
    ETCD_BINARY,
    [
      '--name=bench',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bench=${peerUrl}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=error',
    ],
  ];
}

/**
 * Spawns a server and waits until it answers a range. With `probeKey`, only an answer carrying that
 * key counts, which proves the data was loaded and not just that the port is open.
 */
export async function startServer(options: StartOptions, probeKey?: Buffer): Promise<Started> {
  const port = await freePort();
  let peerPort = await freePort();
  while (peerPort === port) peerPort = await freePort();
  const [file, args] = command(options.target, options.dataDir, port, peerPort);

  const spawnedAt = performance.now();
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8_000);
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      live.delete(child);
      resolve();
    });
  });
  const endpoint = `127.0.0.1:${port}`;
  const server: ServerProcess = {
    target: options.target,
    endpoint,
    pid: child.pid!,
    dataDir: options.dataDir,
    rss: () => readRss(child.pid!),
    cpuSeconds: () => readCpuSeconds(child.pid!),
    stop: () => stopChild(child, exit, () => exited !== undefined),
  };

  try {
    await waitReady(endpoint, options.readyTimeoutMs ?? 60_000, probeKey, () => exited);
  } catch (err) {
    await server.stop();
    throw new Error(
      `${options.target} did not become ready: ${(err as Error).message}\n--- log tail ---\n${log}`,
      {
        cause: err,
      },
    );
  }
  return { server, readyMs: performance.now() - spawnedAt };
}

/**
 * Polls with the raw gRPC client whatever client the figures use: etcd3's circuit breaker would hold
 * off after the refused connections of a server still starting, and add its pause to the time.
 */
async function waitReady(
  endpoint: string,
  timeoutMs: number,
  probeKey: Buffer | undefined,
  exited: () => string | undefined,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const key = probeKey ?? Buffer.from('/bench/ready');
  const conn = connect('grpc', endpoint);
  let lastError: unknown;
  try {
    while (performance.now() < deadline) {
      const status = exited();
      if (status) throw new Error(`exited early (${status})`);
      try {
        const value = await withTimeout(conn.get(key, true), 1_000);
        if (probeKey === undefined || value !== undefined) return;
        lastError = new Error(`${key.toString()} not found yet`);
      } catch (err) {
        lastError = err;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    conn.close();
  }
  throw new Error(`timed out after ${timeoutMs} ms (${String(lastError)})`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function stopChild(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!hasExited()) child.kill('SIGKILL');
  }, 10_000);
  await exit;
  clearTimeout(timer);
}
