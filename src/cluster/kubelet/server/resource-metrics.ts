import type { CPUAndMemoryStats } from '../stats/cpu-and-memory.ts';

/** The content type of the Prometheus text format, version 0.0.4, as the kubelet sends it. */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** One metric family of /metrics/resource: its help text, type and how a sample reads its value. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
}

const families = {
  containerCPU: {
    name: 'container_cpu_usage_seconds_total',
    help: '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
    type: 'counter',
  },
  containerMemory: {
    name: 'container_memory_working_set_bytes',
    help: '[STABLE] Current working set of the container in bytes',
    type: 'gauge',
  },
  containerStart: {
    name: 'container_start_time_seconds',
    help: '[STABLE] Start time of the container since unix epoch in seconds',
    type: 'gauge',
  },
  nodeCPU: {
    name: 'node_cpu_usage_seconds_total',
    help: '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
    type: 'counter',
  },
  nodeMemory: {
    name: 'node_memory_working_set_bytes',
    help: '[STABLE] Current working set of the node in bytes',
    type: 'gauge',
  },
  scrapeError: {
    name: 'resource_scrape_error',
    help: '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
    type: 'gauge',
  },
} as const satisfies Record<string, Family>;

/**
 * resourceMetrics writes a stats sample as the kubelet's /metrics/resource endpoint does
 * (pkg/kubelet/metrics/collectors/resource_metrics.go), the endpoint metrics-server scrapes:
 *
 *   # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
 *   # TYPE node_cpu_usage_seconds_total counter
 *   node_cpu_usage_seconds_total 12.34 1732583000123
 *   container_cpu_usage_seconds_total{container="web",namespace="default",pod="web-1"} 0.56 1732583000123
 *
 * Usage samples carry the time they were taken (milliseconds), so a reader can compute rates.
 */
export function resourceMetrics(stats: CPUAndMemoryStats): string {
  const out: string[] = [];
  const family = (f: Family, samples: readonly string[]) => {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...samples);
  };
  const at = stats.timestampMs;
  const labels = (c: CPUAndMemoryStats['containers'][number]) =>
    `{container="${escapeLabel(c.container)}",namespace="${escapeLabel(c.namespace)}",pod="${escapeLabel(c.pod)}"}`;
  family(
    families.containerCPU,
    stats.containers.map((c) => `${families.containerCPU.name}${labels(c)} ${c.cpuSeconds} ${at}`),
  );
  family(
    families.containerMemory,
    stats.containers.map((c) => `${families.containerMemory.name}${labels(c)} ${c.workingSetBytes} ${at}`),
  );
  family(
    families.containerStart,
    stats.containers.map((c) => `${families.containerStart.name}${labels(c)} ${c.startTime}`),
  );
  family(families.nodeCPU, [`${families.nodeCPU.name} ${stats.node.cpuSeconds} ${at}`]);
  family(families.nodeMemory, [`${families.nodeMemory.name} ${stats.node.workingSetBytes} ${at}`]);
  family(families.scrapeError, [`${families.scrapeError.name} 0`]);
  return `${out.join('\n')}\n`;
}

/** A label value as the text format quotes it: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
