// Both servers of a figure, each in a fresh data directory under the system temp dir, stopped and
// removed when the figure is done (or fails).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServer, TARGETS, type TargetName } from './server-process.ts';

export type Pair = Record<TargetName, ServerProcess>;

export function newDataDir(target: TargetName): Promise<string> {
  return mkdtemp(join(tmpdir(), `orch-lab-bench-${target}-`));
}

export async function withPair<T>(fn: (pair: Pair) => Promise<T>): Promise<T> {
  const dirs: string[] = [];
  const started: ServerProcess[] = [];
  try {
    for (const target of TARGETS) {
      const dataDir = await newDataDir(target);
      dirs.push(dataDir);
      started.push((await startServer({ target, dataDir })).server);
    }
    return await fn({ etcd: started[0]!, ours: started[1]! });
  } finally {
    for (const server of started) await server.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

export interface Measured<T> {
  readonly result: T;
  /** The server's CPU over the call, in % of one core. */
  readonly cpuPercent: number;
  /** This process's (the client's) CPU over the call, in % of one core. */
  readonly clientCpuPercent: number;
  readonly ms: number;
}

/**
 * Runs `fn` and reports how busy the server and the client were meanwhile: a side at 100% of a core
 * (the client, and our server, are single-threaded) is what limits the figure.
 */
export async function measure<T>(server: ServerProcess, fn: () => Promise<T>): Promise<Measured<T>> {
  const cpu0 = await server.cpuSeconds();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  const client = process.cpuUsage(client0);
  const cpu1 = await server.cpuSeconds();
  return {
    result,
    cpuPercent: ((cpu1 - cpu0) * 100_000) / ms,
    clientCpuPercent: (client.user + client.system) / 10 / ms,
    ms,
  };
}
