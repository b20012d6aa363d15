// Figure 3: many watchers on few connections, as an API server's informers use a store.
//
// Watcher i sits on connection i % connections and watches the prefix of group
// floor(i / connections) % groups, so every connection carries watchers of every group. One writer
// puts `events` keys round-robin over the groups; each put is delivered to every watcher of its
// group. With the defaults (1,000 watchers, 10 connections, 10 groups, 10,000 puts) each put reaches
// 100 watchers on all 10 connections: 1,000,000 deliveries. The delivery rate is deliveries divided by
// the time from the first put to the last delivery.
//
// Memory per watcher: the server's RSS is read with the connections and their watch streams open
// and no watchers, then after each quarter of the watchers is added, idle; the figure is the slope of
// the least-squares line through those five readings. RSS is what the kernel charges the process; a
// garbage-collected heap (Go's or V8's) grows and shrinks in steps, and a slope over five readings is
// steadier than one difference of two.

import { steadyRss } from '../proc.ts';
import { connect, type KvConnection, type WatchStream } from './client.ts';
import type { StoreBenchConfig } from './config.ts';
import type { Pair } from './pair.ts';
import type { CpuUse, Row } from './report.ts';
import { type ServerProcess, TARGETS, type TargetName } from './server-process.ts';

export interface WatchResult {
  readonly bytesPerWatcher: number;
  /** Standard error of bytesPerWatcher. */
  readonly bytesPerWatcherError: number;
  /** RSS readings (bytes) at 0, 1/4, ... all of the watchers. */
  readonly rssSteps: readonly number[];
  readonly deliveriesPerSecond: number;
  readonly writesPerSecond: number;
  readonly deliveries: number;
  readonly cpu: CpuUse;
}

const MEMORY_STEPS = 4;
const DELIVERY_TIMEOUT_MS = 120_000;

function groupPrefix(group: number): Buffer {
  return Buffer.from(`/bench/watch/g${String(group).padStart(3, '0')}/`);
}

/** Least-squares slope of y over x, with its standard error (how far the points stray from the line). */
export function fitSlope(xs: readonly number[], ys: readonly number[]): { slope: number; error: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  if (den === 0 || n < 3) return { slope: Number.NaN, error: Number.NaN };
  const slope = num / den;
  let residuals = 0;
  for (let i = 0; i < n; i++) residuals += (ys[i]! - my - slope * (xs[i]! - mx)) ** 2;
  return { slope, error: Math.sqrt(residuals / (n - 2) / den) };
}

export async function watchOne(config: StoreBenchConfig, server: ServerProcess): Promise<WatchResult> {
  const { watchers, watchConnections: connections, watchGroups: groups, watchEvents: events } = config;
  const perConnection: Buffer[][] = Array.from({ length: connections }, () => []);
  const watchersInGroup = new Array<number>(groups).fill(0);
  for (let i = 0; i < watchers; i++) {
    const group = Math.floor(i / connections) % groups;
    perConnection[i % connections]!.push(groupPrefix(group));
    watchersInGroup[group]!++;
  }
  let expected = 0;
  for (let n = 0; n < events; n++) expected += watchersInGroup[n % groups]!;

  // A rehearsal on throwaway connections first: it warms the server's code paths and lets its heap
  // reach the size that serving watchers needs, so the baseline is not a freshly started process's.
  const rehearsal = Array.from({ length: connections }, () => connect(config.client, server.endpoint));
  await Promise.all(rehearsal.map((conn, c) => conn.openWatchStream(() => {}).add(perConnection[c]!)));
  for (const conn of rehearsal) conn.close();

  const conns: KvConnection[] = Array.from({ length: connections }, () =>
    connect(config.client, server.endpoint),
  );
  const writer = connect(config.client, server.endpoint);
  try {
    let delivered = 0;
    let onAllDelivered: () => void = () => {};
    const allDelivered = new Promise<void>((resolve) => {
      onAllDelivered = resolve;
    });
    const count = (n: number) => {
      delivered += n;
      if (delivered >= expected) onAllDelivered();
    };
    // Connections and streams up (one answered request each) before the baseline, so it holds them.
    await Promise.all([...conns, writer].map((conn) => conn.get(Buffer.from('/bench/watch/none'), true)));
    const streams: WatchStream[] = conns.map((conn) => conn.openWatchStream(count));
    await Promise.all(streams.map((stream) => stream.add([])));

    const counts = [0];
    const rssSteps = [await steadyRss(server, config.settleMs)];
    for (let step = 1; step <= MEMORY_STEPS; step++) {
      await Promise.all(
        streams.map((stream, c) => {
          const mine = perConnection[c]!;
          const from = Math.floor((mine.length * (step - 1)) / MEMORY_STEPS);
          const to = Math.floor((mine.length * step) / MEMORY_STEPS);
          return stream.add(mine.slice(from, to));
        }),
      );
      counts.push(Math.round((watchers * step) / MEMORY_STEPS));
      rssSteps.push(await steadyRss(server, config.settleMs));
    }

    const value = Buffer.alloc(config.valueBytes, 0x77);
    const cpu0 = await server.cpuSeconds();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    const writeLoop = async (): Promise<void> => {
      while (next < events) {
        const n = next++;
        const group = n % groups;
        await writer.put(Buffer.concat([groupPrefix(group), Buffer.from(String(n % 100))]), value);
      }
    };
    await Promise.all(Array.from({ length: config.watchWriterWindow }, writeLoop));
    const writeMs = performance.now() - t0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      allDelivered,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DELIVERY_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    const ms = performance.now() - t0;
    const client = process.cpuUsage(client0);
    const cpu1 = await server.cpuSeconds();
    if (delivered < expected) {
      console.error(
        `  ${server.target}: only ${delivered} of ${expected} events delivered in ${ms.toFixed(0)} ms`,
      );
    }
    const fit = fitSlope(counts, rssSteps);
    return {
      bytesPerWatcher: fit.slope,
      bytesPerWatcherError: fit.error,
      rssSteps,
      deliveriesPerSecond: (delivered * 1_000) / ms,
      writesPerSecond: (events * 1_000) / writeMs,
      deliveries: delivered,
      cpu: { server: ((cpu1 - cpu0) * 100_000) / ms, client: (client.user + client.system) / 10 / ms },
    };
  } finally {
    for (const conn of conns) conn.close();
    writer.close();
  }
}

export async function watchFanout(
  config: StoreBenchConfig,
  pair: Pair,
): Promise<{ rows: Row[]; notes: string[] }> {
  const results = {} as Record<TargetName, WatchResult>;
  for (const target of TARGETS) results[target] = await watchOne(config, pair[target]);
  const { watchers, watchConnections, watchGroups, watchEvents } = config;
  const mib = (steps: readonly number[]) => steps.map((bytes) => (bytes / 2 ** 20).toFixed(1)).join(' ');
  return {
    rows: [
      {
        label: `3. watch delivery, ${watchers} watchers`,
        unit: 'events/s',
        better: 'higher',
        values: { etcd: results.etcd.deliveriesPerSecond, ours: results.ours.deliveriesPerSecond },
        cpu: { etcd: results.etcd.cpu, ours: results.ours.cpu },
      },
      {
        label: '3. server memory per idle watcher',
        unit: 'KiB',
        better: 'lower',
        values: { etcd: results.etcd.bytesPerWatcher / 1024, ours: results.ours.bytesPerWatcher / 1024 },
        errors: {
          etcd: results.etcd.bytesPerWatcherError / 1024,
          ours: results.ours.bytesPerWatcherError / 1024,
        },
      },
    ],
    notes: [
      `3: ${watchers} watchers on ${watchConnections} connections in ${watchGroups} prefix groups; ` +
        `${watchEvents} puts from one writer (${config.watchWriterWindow} in flight) = ` +
        `${results.etcd.deliveries} deliveries (etcd), ${results.ours.deliveries} (ours); ` +
        `write rate meanwhile etcd ${results.etcd.writesPerSecond.toFixed(0)}/s, ` +
        `ours ${results.ours.writesPerSecond.toFixed(0)}/s`,
      `3: server RSS MiB at 0, 1/4 ... all watchers: etcd ${mib(results.etcd.rssSteps)}; ` +
        `ours ${mib(results.ours.rssSteps)}`,
    ],
  };
}
