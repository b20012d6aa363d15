import { describe, expect, it } from 'vitest';
import { resourceMetrics } from '../../kubelet/server/resource-metrics.ts';
import { decodeBatch, parseSample } from './decode.ts';

// A kubelet's /metrics/resource as v1.32 writes it (HELP and TYPE lines, Go's float spelling).
const kubeletText = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-55cb58b774-6vb7p"} 13.86 1732583000123
container_cpu_usage_seconds_total{container="web",namespace="default",pod="web"} 0.5 1732583000123
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="coredns",namespace="kube-system",pod="coredns-55cb58b774-6vb7p"} 1.5990784e+07 1732583000123
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="coredns",namespace="kube-system",pod="coredns-55cb58b774-6vb7p"} 1.7325829e+09
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 1234.5 1732583000100
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 2.147483648e+09 1732583000100
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
`;

describe('decodeBatch', () => {
  it("reads the node's and each container's point from a kubelet's text", () => {
    const batch = decodeBatch(kubeletText, 0);
    expect(batch.node).toEqual({ timestampMs: 1732583000100, cpuSeconds: 1234.5, memoryBytes: 2147483648 });
    expect([...batch.pods.keys()]).toEqual(['kube-system/coredns-55cb58b774-6vb7p']);
    expect(batch.pods.get('kube-system/coredns-55cb58b774-6vb7p')?.get('coredns')).toEqual({
      timestampMs: 1732583000123,
      cpuSeconds: 13.86,
      memoryBytes: 15990784,
      startTimeMs: 1732582900000,
    });
  });

  it('leaves out a container with CPU but no memory, and dates untimed samples to the scrape', () => {
    const batch = decodeBatch('node_cpu_usage_seconds_total 2\nnode_memory_working_set_bytes 10\n', 5000);
    expect(batch.node).toEqual({ timestampMs: 5000, cpuSeconds: 2, memoryBytes: 10 });
    expect(decodeBatch(kubeletText, 0).pods.has('default/web')).toBe(false);
  });

  it('reads back what the kubelet writes, escaped label values included', () => {
    const text = resourceMetrics({
      timestampMs: 1000,
      node: { cpuSeconds: 7.25, workingSetBytes: 4096 },
      containers: [
        {
          namespace: 'default',
          pod: 'odd"pod\\name',
          container: 'c',
          startTime: 0.5,
          cpuSeconds: 1.5,
          workingSetBytes: 2048,
        },
      ],
    });
    const batch = decodeBatch(text, 0);
    expect(batch.node).toEqual({ timestampMs: 1000, cpuSeconds: 7.25, memoryBytes: 4096 });
    expect(batch.pods.get('default/odd"pod\\name')?.get('c')).toEqual({
      timestampMs: 1000,
      cpuSeconds: 1.5,
      memoryBytes: 2048,
      startTimeMs: 500,
    });
  });
});

describe('parseSample', () => {
  it('reads a name, labels, a value and a timestamp', () => {
    expect(parseSample('m{a="x,y",b="line\\nbreak"} +Inf 12')).toEqual({
      name: 'm',
      labels: { a: 'x,y', b: 'line\nbreak' },
      value: Number.POSITIVE_INFINITY,
      timestampMs: 12,
    });
    expect(parseSample('up 1')).toEqual({ name: 'up', labels: {}, value: 1 });
  });

  it('refuses a line that is no sample', () => {
    expect(() => parseSample('{a="b"} 1')).toThrow(/not a sample/);
    expect(() => parseSample('m{a="b" 1')).toThrow(/unterminated labels/);
  });
});
