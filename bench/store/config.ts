// Every count and duration of the store benchmark, read once from the environment. The defaults
// keep a full run under about three minutes on a 2-core machine; BENCH_QUICK=1 shrinks everything to
// check the benchmark itself works (about 20 s), and each BENCH_* variable overrides one value.

import type { ClientKind } from './client.ts';

export interface StoreBenchConfig {
  readonly client: ClientKind;
  /** Which figures to run, by number (BENCH_FIGURES=1,3); all by default. */
  readonly figures: ReadonlySet<number>;
  /** Measured time per throughput figure and target, split over `rounds`. */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Each throughput figure alternates etcd, ours, etcd, ours... this many times per target. */
  readonly rounds: number;
  readonly valueBytes: number;
  readonly putConcurrency: readonly number[];
  readonly rangeConcurrency: number;
  /** Workers per connection: 64 workers share 8 connections. */
  readonly workersPerConnection: number;
  readonly watchers: number;
  readonly watchConnections: number;
  /** Watchers split into this many key groups; each event reaches watchers / watchGroups of them. */
  readonly watchGroups: number;
  readonly watchEvents: number;
  /** Puts the single watch writer keeps in flight. */
  readonly watchWriterWindow: number;
  /** How long the server sits idle before each memory reading of figure 3. */
  readonly settleMs: number;
  readonly restartKeys: number;
  /** Keys per transaction when loading the restart data. */
  readonly loadBatch: number;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

function list(name: string, fallback: readonly number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return [...fallback];
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${name} must list positive integers, got ${raw}`);
    return value;
  });
}

export function readConfig(): StoreBenchConfig {
  const quick = process.env.BENCH_QUICK === '1';
  const client = process.env.BENCH_CLIENT ?? 'grpc';
  if (client !== 'grpc' && client !== 'etcd3')
    throw new Error(`BENCH_CLIENT must be grpc or etcd3, got ${client}`);
  return {
    client,
    figures: new Set(list('BENCH_FIGURES', [1, 2, 3, 4])),
    durationMs: num('BENCH_SECONDS', quick ? 0.5 : 4) * 1_000,
    warmupMs: num('BENCH_WARMUP_SECONDS', quick ? 0.2 : 0.5) * 1_000,
    rounds: Math.max(1, num('BENCH_ROUNDS', 2)),
    valueBytes: num('BENCH_VALUE_BYTES', 256),
    putConcurrency: list('BENCH_PUT_CONCURRENCY', [1, 16, 64]),
    rangeConcurrency: num('BENCH_RANGE_CONCURRENCY', 16),
    workersPerConnection: Math.max(1, num('BENCH_WORKERS_PER_CONNECTION', 8)),
    watchers: num('BENCH_WATCHERS', quick ? 100 : 1_000),
    watchConnections: Math.max(1, num('BENCH_WATCH_CONNECTIONS', 10)),
    watchGroups: Math.max(1, num('BENCH_WATCH_GROUPS', 10)),
    watchEvents: num('BENCH_WATCH_EVENTS', quick ? 1_000 : 10_000),
    watchWriterWindow: Math.max(1, num('BENCH_WATCH_WRITER_WINDOW', 64)),
    settleMs: num('BENCH_SETTLE_SECONDS', quick ? 0.2 : 1.5) * 1_000,
    restartKeys: num('BENCH_RESTART_KEYS', quick ? 5_000 : 100_000),
    loadBatch: Math.max(1, Math.min(128, num('BENCH_LOAD_BATCH', 100))),
  };
}
