// A closed-loop load generator: N workers, each sending its next request as soon as the previous one
// is answered, for a fixed time. Throughput is answers per second over the measured window; a warm-up
// before it fills caches, JIT and connection windows and is not counted.

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** One request; `worker` and `seq` let the caller pick distinct keys. */
  readonly op: (worker: number, seq: number) => Promise<unknown>;
}

export interface ClosedLoopResult {
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { workers, warmupMs, durationMs, op } = options;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const stopAt = measureFrom + durationMs;
  let counted = 0;
  let seq = 0;

  const worker = async (id: number): Promise<void> => {
    for (;;) {
      await op(id, seq++);
      const now = performance.now();
      if (now >= stopAt) return;
      if (now >= measureFrom) counted++;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, id) => worker(id)));
  // Answers that arrived after stopAt are not counted, and neither is the time they took.
  const seconds = durationMs / 1_000;
  return { ops: counted, seconds, opsPerSecond: counted / seconds };
}
