// Figure 2: mutating latency at a steady, modest write rate, open loop: requests leave on a fixed
// schedule (100/s by default) whatever the answers do, and each latency counts from its scheduled
// time. Writes cycle create, merge patch, delete over a rolling set of ConfigMaps: write 3k creates
// object L+k, 3k+1 patches object k+L/2 (created about half a second earlier), 3k+2 deletes object k.

import { measure } from '../store/pair.ts';
import { percentile } from './client.ts';
import { type BenchContext, cpu, type FigureResult, ms } from './context.ts';
import { configMap, openLoop, seqName, workerPool } from './load.ts';

const NS = 'bench-steady';
/** Objects made before the clock starts, so the first patches and deletes have something to act on. */
const LEAD = 60;

export async function steadyWrites(ctx: BenchContext): Promise<FigureResult> {
  const { steadyRate, steadyMs } = ctx.config;
  await ctx.createNamespaces([NS]);
  return ctx.withClient(64, async (client) => {
    const path = (name?: string) => `/api/v1/namespaces/${NS}/configmaps${name ? `/${name}` : ''}`;
    await workerPool(LEAD, 8, async (n) => {
      await client.expectOk('POST', path(), { body: configMap(NS, seqName('cm', n)) });
    });
    const byVerb: Record<string, number[]> = { create: [], patch: [], delete: [] };
    const m = await measure(ctx.cp, () =>
      openLoop(steadyRate, steadyMs, async (i) => {
        const k = Math.floor(i / 3);
        const t0 = performance.now();
        switch (i % 3) {
          case 0:
            await client.expectOk('POST', path(), { body: configMap(NS, seqName('cm', k + LEAD)) });
            byVerb.create!.push(performance.now() - t0);
            break;
          case 1:
            await client.expectOk('PATCH', path(seqName('cm', k + LEAD / 2)), {
              body: { data: { patched: String(i) } },
              contentType: 'application/merge-patch+json',
            });
            byVerb.patch!.push(performance.now() - t0);
            break;
          default:
            await client.expectOk('DELETE', path(seqName('cm', k)));
            byVerb.delete!.push(performance.now() - t0);
        }
      }),
    );
    const { latencies, sendLags, errors, firstError } = m.result;
    const verbs = Object.entries(byVerb)
      .map(([verb, values]) => `${verb} ${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`)
      .join(', ');
    return {
      rows: [
        {
          label: `2. mutating p99 at ${steadyRate} writes/s (open loop)`,
          unit: 'ms',
          value: percentile(latencies, 99),
          goal: { op: '<=', value: 25 },
          cpu: cpu(m),
        },
        { label: '2.   mutating p50', unit: 'ms', value: percentile(latencies, 50) },
      ],
      notes: [
        `2: ${latencies.length} writes in ${(steadyMs / 1_000).toFixed(0)} s (create, patch, delete in turn), ` +
          `${errors} failed${firstError ? ` (first: ${firstError})` : ''}; max ${ms(percentile(latencies, 100))}; ` +
          `p50 / p99 from send: ${verbs}; client send lag p99 ${ms(percentile(sendLags, 99))}`,
      ],
    };
  });
}
