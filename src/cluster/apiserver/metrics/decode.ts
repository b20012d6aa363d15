/** A cumulative CPU reading and the working set, as one scrape of a kubelet found them. */
export interface MetricsPoint {
  /** When the kubelet took the sample, in ms since the epoch. */
  readonly timestampMs: number;
  /** Cumulative CPU time in core-seconds. */
  readonly cpuSeconds: number;
  readonly memoryBytes: number;
  /** When the container started (ms since the epoch): its CPU counter was 0 then. */
  readonly startTimeMs?: number;
}

/** What one node's /metrics/resource says: the node's point and its containers' by "namespace/pod". */
export interface MetricsBatch {
  readonly node?: MetricsPoint;
  readonly pods: ReadonlyMap<string, ReadonlyMap<string, MetricsPoint>>;
}

/** One sample line of the Prometheus text format. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

/**
 * decodeBatch reads a kubelet's /metrics/resource (metrics-server's scraper/client/resource
 * decoder): node_* samples make the node's point, container_* samples a point per container.
 * A point needs both its CPU and its memory, as metrics-server requires; a sample without a
 * timestamp is taken to be from `scrapedAtMs`.
 */
export function decodeBatch(text: string, scrapedAtMs: number): MetricsBatch {
  const node: Partial<Record<'cpu' | 'memory' | 'at', number>> = {};
  const containers = new Map<string, Partial<Record<'cpu' | 'memory' | 'at' | 'start', number>>>();
  const container = (s: Sample) => {
    const { namespace = '', pod = '', container: name = '' } = s.labels;
    const key = JSON.stringify([namespace, pod, name]);
    const found = containers.get(key) ?? {};
    containers.set(key, found);
    return found;
  };
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const s = parseSample(line);
    if (!Number.isFinite(s.value)) continue;
    const at = s.timestampMs ?? scrapedAtMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        Object.assign(node, { cpu: s.value, at });
        break;
      case 'node_memory_working_set_bytes':
        node.memory = s.value;
        break;
      case 'container_cpu_usage_seconds_total':
        Object.assign(container(s), { cpu: s.value, at });
        break;
      case 'container_memory_working_set_bytes':
        container(s).memory = s.value;
        break;
      case 'container_start_time_seconds':
        container(s).start = s.value * 1000;
        break;
    }
  }
  const pods = new Map<string, Map<string, MetricsPoint>>();
  for (const [key, c] of containers) {
    if (c.cpu === undefined || c.memory === undefined || c.at === undefined) continue;
    const [namespace, pod, name] = JSON.parse(key) as [string, string, string];
    const podKey = `${namespace}/${pod}`;
    const points = pods.get(podKey) ?? new Map<string, MetricsPoint>();
    pods.set(podKey, points);
    points.set(name, {
      timestampMs: c.at,
      cpuSeconds: c.cpu,
      memoryBytes: c.memory,
      ...(c.start !== undefined ? { startTimeMs: c.start } : {}),
    });
  }
  const nodePoint =
    node.cpu !== undefined && node.memory !== undefined && node.at !== undefined
      ? { timestampMs: node.at, cpuSeconds: node.cpu, memoryBytes: node.memory }
      : undefined;
  return { ...(nodePoint ? { node: nodePoint } : {}), pods };
}

/**
 * parseSample reads `name{label="value",...} value [timestamp]`; label values may hold escaped
 * quotes, backslashes and newlines.
 */
export function parseSample(line: string): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw new Error(`metrics: not a sample: ${JSON.stringify(line)}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const pair = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/;
    rest = rest.slice(1);
    for (let m = pair.exec(rest); m; m = pair.exec(rest)) {
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(m[0].length);
    }
    if (!rest.startsWith('}')) throw new Error(`metrics: unterminated labels: ${JSON.stringify(line)}`);
    rest = rest.slice(1);
  }
  const [value, timestamp] = rest.trim().split(/\s+/);
  return {
    name,
    labels,
    value: parseValue(value ?? ''),
    ...(timestamp !== undefined ? { timestampMs: Number(timestamp) } : {}),
  };
}

/** Prometheus spells infinities and NaN its own way; Number() does not read them. */
function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return text === '' ? Number.NaN : Number(text);
}
