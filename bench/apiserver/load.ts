// Load shapes and the objects they send. A fixed amount of work spread over N workers (closed loop:
// each sends its next request when the previous one is answered), and an open loop that sends on a
// schedule whatever the answers do, so a slow answer delays no later request and latency counts from
// the scheduled time (a stalled client or server cannot hide its stall by sending less).

/** Runs `op(0)` ... `op(count - 1)` on `workers` concurrent workers. */
export async function workerPool(
  count: number,
  workers: number,
  op: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(workers, count) }, worker));
}

export interface OpenLoopResult {
  /** Per request: answer time minus scheduled time, in ms. */
  readonly latencies: number[];
  /** Per request: the moment it was actually sent minus its scheduled time (this client's lag). */
  readonly sendLags: number[];
  /** Requests that failed; their latency is not in `latencies`. */
  readonly errors: number;
  readonly firstError?: string;
}

/** Sends `op(i)` at `rate` per second for `durationMs`, on schedule, however long answers take. */
export async function openLoop(
  rate: number,
  durationMs: number,
  op: (index: number) => Promise<void>,
): Promise<OpenLoopResult> {
  const interval = 1_000 / rate;
  const total = Math.max(1, Math.round((rate * durationMs) / 1_000));
  const latencies: number[] = [];
  const sendLags: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 5;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        const scheduled = start + next * interval;
        sendLags.push(now - scheduled);
        inFlight.push(
          op(next).then(
            () => {
              latencies.push(performance.now() - scheduled);
            },
            (err: unknown) => {
              errors++;
              firstError ??= String(err);
            },
          ),
        );
        next++;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  return { latencies, sendLags, errors, firstError };
}

export function configMap(namespace: string, name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'bench' } },
    data: { 'settings.yaml': 'replicas: 3\nlogLevel: info\n', owner: 'orch-lab-bench' },
  };
}

/** A small valid pod. Nothing schedules it (there is no scheduler), so it stays Pending. */
export function pod(namespace: string, name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', shard: namespace } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  };
}

export function namespace(name: string): unknown {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Names that sort as they count: cm-000042. */
export function seqName(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}
