import { describe, expect, it } from 'vitest';
import type { MetricsBatch, MetricsPoint } from './decode.ts';
import { MetricsStorage } from './storage.ts';

const at = (
  timestampMs: number,
  cpuSeconds: number,
  memoryBytes = 1024,
  startTimeMs?: number,
): MetricsPoint => ({
  timestampMs,
  cpuSeconds,
  memoryBytes,
  ...(startTimeMs !== undefined ? { startTimeMs } : {}),
});

const batch = (
  node: MetricsPoint,
  pods: Record<string, Record<string, MetricsPoint>> = {},
): MetricsBatch => ({
  node,
  pods: new Map(Object.entries(pods).map(([k, v]) => [k, new Map(Object.entries(v))])),
});

describe('MetricsStorage', () => {
  it("computes a node's CPU as the counter's growth over the window between its two latest scrapes", () => {
    const storage = new MetricsStorage();
    storage.store('node-1', batch(at(10_000, 12)));
    expect(storage.nodeUsage('node-1')).toBeUndefined();
    storage.store('node-1', batch(at(25_000, 13.5, 4096)));
    expect(storage.nodeUsage('node-1')).toEqual({
      timestampMs: 25_000,
      windowMs: 15_000,
      cpuNanocores: 100_000_000,
      memoryBytes: 4096,
    });
    // A repeated scrape keeps the window; the next one moves it on.
    storage.store('node-1', batch(at(25_000, 99)));
    expect(storage.nodeUsage('node-1')?.cpuNanocores).toBe(100_000_000);
    storage.store('node-1', batch(at(26_000, 14.5)));
    expect(storage.nodeUsage('node-1')).toMatchObject({ windowMs: 1_000, cpuNanocores: 1_000_000_000 });
  });

  it("takes a new container's start time as its first point, when its counter was 0", () => {
    const storage = new MetricsStorage();
    storage.store('node-1', batch(at(10_000, 1), { 'default/web': { web: at(10_000, 0.25, 2048, 5_000) } }));
    expect(storage.podUsage('default', 'web')).toEqual({
      timestampMs: 10_000,
      windowMs: 5_000,
      containers: [
        {
          name: 'web',
          usage: { timestampMs: 10_000, windowMs: 5_000, cpuNanocores: 50_000_000, memoryBytes: 2048 },
        },
      ],
    });
  });

  it('has no usage for a pod until every container has a rate, nor for a counter that went down', () => {
    const storage = new MetricsStorage();
    const first = { web: at(10_000, 5), sidecar: at(10_000, 1, 1024, 1_000) };
    storage.store('node-1', batch(at(10_000, 1), { 'default/web': first }));
    expect(storage.podUsage('default', 'web')).toBeUndefined();
    storage.store(
      'node-1',
      batch(at(20_000, 2), { 'default/web': { web: at(20_000, 4), sidecar: at(20_000, 2) } }),
    );
    expect(storage.podUsage('default', 'web')).toBeUndefined();
    storage.store(
      'node-1',
      batch(at(30_000, 3), { 'default/web': { web: at(30_000, 5), sidecar: at(30_000, 3) } }),
    );
    expect(storage.podUsage('default', 'web')?.containers.map((c) => c.usage.cpuNanocores)).toEqual([
      100_000_000, 100_000_000,
    ]);
  });

  it('forgets pods a node stops reporting, and nodes that are gone', () => {
    const storage = new MetricsStorage();
    storage.store('node-1', batch(at(1_000, 1), { 'default/a': { a: at(1_000, 1, 1, 0) } }));
    storage.store('node-2', batch(at(1_000, 1), { 'default/b': { b: at(1_000, 1, 1, 0) } }));
    storage.store('node-1', batch(at(2_000, 2)));
    expect(storage.podUsage('default', 'a')).toBeUndefined();
    expect(storage.podUsage('default', 'b')).toBeDefined();
    storage.retainNodes(new Set(['node-1']));
    expect(storage.podUsage('default', 'b')).toBeUndefined();
    expect(storage.nodeUsage('node-2')).toBeUndefined();
    expect(storage.nodeUsage('node-1')).toBeDefined();
  });
});
