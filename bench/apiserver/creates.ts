// Figure 1: ConfigMap creates as fast as 16 concurrent HTTPS clients (one keep-alive connection
// each) can get them answered, a fixed number of them. Throughput is creates over the wall time
// from the first request to the last answer; latency is each request's own, send to last byte.

import { measure } from '../store/pair.ts';
import { percentile } from './client.ts';
import { type BenchContext, cpu, type FigureResult, ms } from './context.ts';
import { configMap, seqName, workerPool } from './load.ts';

export async function createThroughput(ctx: BenchContext): Promise<FigureResult> {
  const { creates, createClients } = ctx.config;
  await ctx.createNamespaces(['bench-create']);
  return ctx.withClient(createClients, async (client) => {
    const create = async (ns: string, n: number, latencies?: number[]) => {
      const res = await client.expectOk('POST', `/api/v1/namespaces/${ns}/configmaps`, {
        body: configMap(ns, seqName('cm', n)),
      });
      latencies?.push(res.doneAt - res.sentAt);
    };

    const latencies: number[] = [];
    const m = await measure(ctx.cp, () =>
      workerPool(creates, createClients, (n) => create('bench-create', n, latencies)),
    );
    const label = `1. ConfigMap create, ${creates.toLocaleString('en-US')} by ${createClients} clients`;
    return {
      rows: [
        {
          label,
          unit: 'creates/s',
          value: (creates * 1_000) / m.ms,
          goal: { op: '>=', value: 3_000 },
          cpu: cpu(m),
        },
        { label: '1.   latency p50', unit: 'ms', value: percentile(latencies, 50) },
        { label: '1.   latency p99', unit: 'ms', value: percentile(latencies, 99) },
      ],
      notes: [`1: ${creates} creates took ${ms(m.ms)}, ` + `max latency ${ms(percentile(latencies, 100))}`],
    };
  });
}
