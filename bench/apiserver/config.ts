// Every count and duration of the API server benchmark, read once from the environment. The
// defaults keep a full run near two minutes on a 2-core machine; BENCH_QUICK=1 shrinks everything to
// check the benchmark itself works (about 20 s), and each BENCH_* variable overrides one value.
// Figures printed in quick mode are not comparable with the goals, which are set for the defaults.

export interface ApiServerBenchConfig {
  readonly quick: boolean;
  /** Which figures to run, by number (BENCH_FIGURES=1,4); all by default. */
  readonly figures: ReadonlySet<number>;
  /** Figure 1: ConfigMaps created, and by how many concurrent clients (one connection each). */
  readonly creates: number;
  readonly createClients: number;
  /** ConfigMap creates, and as many dry-run pod creates, before any figure (./warmup.ts). */
  readonly warmupCreates: number;
  /** Figure 2: the steady write rate and how long it is held. */
  readonly steadyRate: number;
  readonly steadyMs: number;
  /** Figure 3: pods stored, in how many namespaces, and lists timed per format. */
  readonly pods: number;
  readonly podNamespaces: number;
  readonly listRepeats: number;
  /** Figure 4: the write rate under the watch and how long it is held. */
  readonly watchRate: number;
  readonly watchMs: number;
  /** How long the server sits idle before a memory reading. */
  readonly settleMs: number;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

function figures(): Set<number> {
  const raw = process.env.BENCH_FIGURES;
  if (raw === undefined || raw === '') return new Set([1, 2, 3, 4, 5]);
  return new Set(
    raw.split(',').map((part) => {
      const value = Number(part.trim());
      if (!Number.isInteger(value) || value < 1 || value > 5)
        throw new Error(`BENCH_FIGURES must list figures 1 to 5, got ${raw}`);
      return value;
    }),
  );
}

export function readConfig(): ApiServerBenchConfig {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    figures: figures(),
    creates: Math.max(1, num('BENCH_CREATES', quick ? 2_000 : 10_000)),
    createClients: Math.max(1, num('BENCH_CREATE_CLIENTS', 16)),
    warmupCreates: num('BENCH_WARMUP_CREATES', quick ? 300 : 1_000),
    steadyRate: Math.max(1, num('BENCH_STEADY_RATE', 100)),
    steadyMs: num('BENCH_STEADY_SECONDS', quick ? 2 : 10) * 1_000,
    pods: Math.max(1, num('BENCH_PODS', quick ? 2_000 : 10_000)),
    podNamespaces: Math.max(1, num('BENCH_POD_NAMESPACES', 4)),
    listRepeats: Math.max(1, num('BENCH_LIST_REPEATS', quick ? 3 : 7)),
    watchRate: Math.max(1, num('BENCH_WATCH_RATE', 1_000)),
    watchMs: num('BENCH_WATCH_SECONDS', quick ? 1.5 : 5) * 1_000,
    settleMs: num('BENCH_SETTLE_SECONDS', quick ? 0.3 : 2) * 1_000,
  };
}
