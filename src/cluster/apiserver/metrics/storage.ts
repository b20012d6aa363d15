import type { MetricsBatch, MetricsPoint } from './decode.ts';

/** Usage computed from two points: the CPU rate over the window between them, the latest memory. */
export interface Usage {
  /** When the newer point was taken, in ms since the epoch. */
  readonly timestampMs: number;
  readonly windowMs: number;
  /** CPU in billionths of a core. */
  readonly cpuNanocores: number;
  readonly memoryBytes: number;
}

export interface PodUsage {
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly containers: readonly { readonly name: string; readonly usage: Usage }[];
}

/** The two latest points of a series: a rate needs both. */
interface Series {
  readonly last: MetricsPoint;
  readonly prev?: MetricsPoint;
}

/**
 * MetricsStorage keeps, as metrics-server's storage does, the two latest scrapes of every node and
 * container in memory, and turns them into usage on demand. CPU is a rate: the growth of the
 * cumulative counter over the time between the two points, e.g.
 *
 *   prev: 12.00 s at 10:00:00.000, last: 13.50 s at 10:00:15.000  ->  1.5 s / 15 s = 100m (100000000n)
 *
 * A container seen for the first time needs no second scrape: its counter was 0 when it started,
 * so its start time is its previous point (metrics-server does the same for fresh containers). A
 * counter that went down (a restart the start time did not tell) has no rate until the next scrape.
 */
export class MetricsStorage {
  private readonly nodes = new Map<string, Series>();
  /** Containers by "namespace/pod", with the node that reported them. */
  private readonly pods = new Map<string, { node: string; containers: Map<string, Series> }>();

  /** Records one node's scrape; its pods that the scrape no longer lists are forgotten. */
  store(nodeName: string, batch: MetricsBatch): void {
    if (batch.node) this.nodes.set(nodeName, advance(this.nodes.get(nodeName), batch.node));
    for (const [key, pod] of this.pods) {
      if (pod.node === nodeName && !batch.pods.has(key)) this.pods.delete(key);
    }
    for (const [key, points] of batch.pods) {
      const before = this.pods.get(key);
      const containers = new Map<string, Series>();
      for (const [name, point] of points) {
        const previous = before?.node === nodeName ? before.containers.get(name) : undefined;
        containers.set(name, advance(previous, point));
      }
      this.pods.set(key, { node: nodeName, containers });
    }
  }

  /** Forgets every node but these, with their pods. */
  retainNodes(names: ReadonlySet<string>): void {
    for (const name of this.nodes.keys()) if (!names.has(name)) this.nodes.delete(name);
    for (const [key, pod] of this.pods) if (!names.has(pod.node)) this.pods.delete(key);
  }

  nodeUsage(nodeName: string): Usage | undefined {
    const series = this.nodes.get(nodeName);
    return series && usageOf(series);
  }

  /** A pod's usage when every one of its containers has a rate, as metrics-server answers. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod || pod.containers.size === 0) return undefined;
    const containers: { name: string; usage: Usage }[] = [];
    for (const [container, series] of pod.containers) {
      const usage = usageOf(series);
      if (!usage) return undefined;
      containers.push({ name: container, usage });
    }
    return {
      timestampMs: Math.max(...containers.map((c) => c.usage.timestampMs)),
      windowMs: Math.max(...containers.map((c) => c.usage.windowMs)),
      containers,
    };
  }
}

/** The series after a new point: an older or repeated point changes nothing. */
function advance(series: Series | undefined, point: MetricsPoint): Series {
  if (!series) return { last: point };
  if (point.timestampMs <= series.last.timestampMs) return series;
  return { last: point, prev: series.last };
}

function usageOf({ last, prev }: Series): Usage | undefined {
  const restarted = prev && last.startTimeMs !== undefined && last.startTimeMs !== prev.startTimeMs;
  const from =
    prev && !restarted
      ? prev
      : last.startTimeMs !== undefined && last.startTimeMs < last.timestampMs
        ? { timestampMs: last.startTimeMs, cpuSeconds: 0 }
        : undefined;
  if (!from || from.cpuSeconds > last.cpuSeconds) return undefined;
  const windowMs = last.timestampMs - from.timestampMs;
  if (windowMs <= 0) return undefined;
  return {
    timestampMs: last.timestampMs,
    windowMs,
    cpuNanocores: Math.round(((last.cpuSeconds - from.cpuSeconds) / (windowMs / 1000)) * 1e9),
    memoryBytes: last.memoryBytes,
  };
}
