// Before any figure: ConfigMap creates (stored) and pod creates (dryRun=All: the whole path but the
// store, so no pod is left to show up in figure 3's lists), on the 16 connections the figures use.
// They warm the JIT, the heap and TLS sessions, so no figure pays for the process being fresh.

import type { BenchContext } from './context.ts';
import { configMap, pod, seqName, workerPool } from './load.ts';

const NS = 'bench-warmup';
const CLIENTS = 16;

export async function warmUp(ctx: BenchContext): Promise<string> {
  const { warmupCreates } = ctx.config;
  await ctx.createNamespaces([NS]);
  const t0 = performance.now();
  await ctx.withClient(CLIENTS, async (client) => {
    await workerPool(warmupCreates, CLIENTS, async (n) => {
      await client.expectOk('POST', `/api/v1/namespaces/${NS}/configmaps`, {
        body: configMap(NS, seqName('cm', n)),
      });
    });
    await workerPool(warmupCreates, CLIENTS, async (n) => {
      await client.expectOk('POST', `/api/v1/namespaces/${NS}/pods?dryRun=All`, {
        body: pod(NS, seqName('pod', n)),
      });
    });
  });
  return (
    `warm-up: ${warmupCreates} ConfigMap creates and ${warmupCreates} dry-run pod creates ` +
    `in ${((performance.now() - t0) / 1_000).toFixed(1)} s, not counted`
  );
}
