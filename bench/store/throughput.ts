// Figures 1 and 2: closed-loop throughput of one kind of request, etcd and ours measured in turns
// (etcd, ours, etcd, ours...) so that drift on a shared machine falls on both.

import { connect, type KvConnection } from './client.ts';
import { type ClosedLoopResult, closedLoop } from './closed-loop.ts';
import type { StoreBenchConfig } from './config.ts';
import { measure, type Pair } from './pair.ts';
import type { Row } from './report.ts';
import { TARGETS, type TargetName } from './server-process.ts';

export interface ThroughputCase {
  readonly label: string;
  readonly workers: number;
  /** One request on `conn`, the connection this worker was given. */
  readonly op: (conn: KvConnection, worker: number, seq: number) => Promise<unknown>;
}

export async function throughput(config: StoreBenchConfig, pair: Pair, run: ThroughputCase): Promise<Row> {
  const ops: Record<TargetName, number> = { etcd: 0, ours: 0 };
  const seconds: Record<TargetName, number> = { etcd: 0, ours: 0 };
  const cpuSeconds: Record<TargetName, number> = { etcd: 0, ours: 0 };
  const clientCpuSeconds: Record<TargetName, number> = { etcd: 0, ours: 0 };
  const connections = Math.ceil(run.workers / config.workersPerConnection);
  const durationMs = config.durationMs / config.rounds;

  for (let round = 0; round < config.rounds; round++) {
    for (const target of TARGETS) {
      const conns = Array.from({ length: connections }, () => connect(config.client, pair[target].endpoint));
      try {
        const { result, cpuPercent, clientCpuPercent } = await measure<ClosedLoopResult>(pair[target], () =>
          closedLoop({
            workers: run.workers,
            warmupMs: config.warmupMs,
            durationMs,
            op: (worker, seq) => run.op(conns[worker % connections]!, worker, seq),
          }),
        );
        ops[target] += result.ops;
        seconds[target] += result.seconds;
        // CPU is measured over warm-up and tail too; weight by the measured window all the same.
        cpuSeconds[target] += (cpuPercent / 100) * result.seconds;
        clientCpuSeconds[target] += (clientCpuPercent / 100) * result.seconds;
      } finally {
        for (const conn of conns) conn.close();
      }
    }
  }
  return {
    label: run.label,
    unit: 'ops/s',
    better: 'higher',
    values: { etcd: ops.etcd / seconds.etcd, ours: ops.ours / seconds.ours },
    cpu: {
      etcd: {
        server: (100 * cpuSeconds.etcd) / seconds.etcd,
        client: (100 * clientCpuSeconds.etcd) / seconds.etcd,
      },
      ours: {
        server: (100 * cpuSeconds.ours) / seconds.ours,
        client: (100 * clientCpuSeconds.ours) / seconds.ours,
      },
    },
  };
}

/** `/bench/<space>/00001234`: fixed-width keys, so every key costs the same to index and send. */
export function benchKey(space: string, n: number): Buffer {
  return Buffer.from(`/bench/${space}/${String(n).padStart(8, '0')}`);
}

/** Figure 1: puts of `valueBytes`-byte values over a fixed set of keys, at each concurrency. */
export async function putThroughput(config: StoreBenchConfig, pair: Pair): Promise<Row[]> {
  const value = Buffer.alloc(config.valueBytes, 0x61);
  const rows: Row[] = [];
  for (const workers of config.putConcurrency) {
    rows.push(
      await throughput(config, pair, {
        label: `1. put ${config.valueBytes} B, ${workers} concurrent`,
        workers,
        op: (conn, _worker, seq) => conn.put(benchKey('put', seq % 10_000), value),
      }),
    );
  }
  return rows;
}

/** Figure 2: serializable single-key gets of keys that exist. */
export async function rangeThroughput(config: StoreBenchConfig, pair: Pair): Promise<Row[]> {
  const keys = 1_000;
  const value = Buffer.alloc(config.valueBytes, 0x62);
  for (const target of TARGETS) {
    const conn = connect(config.client, pair[target].endpoint);
    try {
      for (let i = 0; i < keys; i += config.loadBatch) {
        const batch = Array.from({ length: Math.min(config.loadBatch, keys - i) }, (_, j) => {
          return [benchKey('range', i + j), value] as const;
        });
        await conn.putAll(batch);
      }
    } finally {
      conn.close();
    }
  }
  const row = await throughput(config, pair, {
    label: `2. serializable get, ${config.rangeConcurrency} concurrent`,
    workers: config.rangeConcurrency,
    op: async (conn, _worker, seq) => {
      const got = await conn.get(benchKey('range', (seq * 7_919) % keys), true);
      if (got === undefined) throw new Error('a loaded key was not found');
    },
  });
  return [row];
}
