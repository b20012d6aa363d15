// Figure 4: how long a server with `restartKeys` keys takes to come back. Each server is loaded
// (transactions of `loadBatch` puts, so loading is quick), stopped with SIGTERM, and started again
// on the same data; the time runs from spawn until a serializable range of the last key loaded
// answers with its value, polled every few milliseconds. A restart on a data dir that was started
// once and holds no keys is timed the same way: the floor, what a restart costs whatever the data
// (for etcd that includes raft's election on a restarted member).

import { rm } from 'node:fs/promises';
import { connect } from './client.ts';
import type { StoreBenchConfig } from './config.ts';
import { newDataDir } from './pair.ts';
import type { Row } from './report.ts';
import { type ServerProcess, startServer, TARGETS, type TargetName } from './server-process.ts';
import { benchKey } from './throughput.ts';

const LOAD_CONNECTIONS = 4;

async function load(config: StoreBenchConfig, server: ServerProcess): Promise<number> {
  const value = Buffer.alloc(config.valueBytes, 0x72);
  const conns = Array.from({ length: LOAD_CONNECTIONS }, () => connect(config.client, server.endpoint));
  const t0 = performance.now();
  try {
    let next = 0;
    const loader = async (c: number): Promise<void> => {
      // Two batches in flight per connection keep group commit busy without queueing much.
      while (next < config.restartKeys) {
        const first = next;
        next = Math.min(config.restartKeys, next + config.loadBatch);
        const batch = [];
        for (let i = first; i < next; i++) batch.push([benchKey('restart', i), value] as const);
        await conns[c % LOAD_CONNECTIONS]!.putAll(batch);
      }
    };
    await Promise.all(Array.from({ length: LOAD_CONNECTIONS * 2 }, (_, c) => loader(c)));
  } finally {
    for (const conn of conns) conn.close();
  }
  return (config.restartKeys * 1_000) / (performance.now() - t0);
}

export async function restartTime(config: StoreBenchConfig): Promise<{ rows: Row[]; notes: string[] }> {
  const dirs = {} as Record<TargetName, string>;
  const emptyDirs = {} as Record<TargetName, string>;
  const servers = {} as Partial<Record<TargetName, ServerProcess>>;
  const emptyRestart = { etcd: 0, ours: 0 };
  const restart = { etcd: 0, ours: 0 };
  const loadRate = { etcd: 0, ours: 0 };
  // With no keys loaded, any answer will do.
  const lastKey = config.restartKeys > 0 ? benchKey('restart', config.restartKeys - 1) : undefined;
  try {
    const startStop = async (target: TargetName, dataDir: string, probeKey?: Buffer): Promise<number> => {
      const { server, readyMs } = await startServer({ target, dataDir }, probeKey);
      servers[target] = server;
      await server.stop();
      servers[target] = undefined;
      return readyMs;
    };
    for (const target of TARGETS) {
      emptyDirs[target] = await newDataDir(target);
      await startStop(target, emptyDirs[target]);
      dirs[target] = await newDataDir(target);
      const { server } = await startServer({ target, dataDir: dirs[target] });
      servers[target] = server;
      loadRate[target] = await load(config, server);
      await server.stop();
      servers[target] = undefined;
    }
    // Restarts alternate; each figure is the mean over the rounds.
    for (let round = 0; round < config.rounds; round++) {
      for (const target of TARGETS) {
        emptyRestart[target] += (await startStop(target, emptyDirs[target])) / config.rounds;
        restart[target] += (await startStop(target, dirs[target], lastKey)) / config.rounds;
      }
    }
  } finally {
    for (const target of TARGETS) {
      await servers[target]?.stop();
      for (const dir of [dirs[target], emptyDirs[target]]) {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const keys = config.restartKeys.toLocaleString('en-US');
  return {
    rows: [
      { label: '4. restart, no keys', unit: 'ms', better: 'lower', values: emptyRestart },
      { label: `4. restart with ${keys} keys`, unit: 'ms', better: 'lower', values: restart },
    ],
    notes: [
      `4: loaded ${keys} keys of ${config.valueBytes} B in transactions of ${config.loadBatch}: ` +
        `etcd ${loadRate.etcd.toFixed(0)} keys/s, ours ${loadRate.ours.toFixed(0)} keys/s; ` +
        `restart is the mean of ${config.rounds} alternating restarts`,
    ],
  };
}
