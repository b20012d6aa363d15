// Figure 4: how soon a watcher hears of a write while writes arrive at 1,000/s. One watch on the
// ConfigMaps of one namespace (from the resourceVersion of a list, as an informer starts), and an
// open-loop writer creating ConfigMaps there on schedule. For each create, the event's arrival at
// the watcher is compared with when the create request was sent, and with when its answer (the
// acknowledgement) arrived; an event may arrive before the acknowledgement, making the second
// negative.

import { setTimeout as sleep } from 'node:timers/promises';
import { measure } from '../store/pair.ts';
import { percentile } from './client.ts';
import { type BenchContext, cpu, type FigureResult, ms } from './context.ts';
import { configMap, openLoop, seqName } from './load.ts';

const NS = 'bench-watch';
const DELIVERY_TIMEOUT_MS = 30_000;

export async function watchLatency(ctx: BenchContext): Promise<FigureResult> {
  const { watchRate, watchMs } = ctx.config;
  await ctx.createNamespaces([NS]);
  return ctx.withClient(64, async (client) => {
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const list = await client.expectOk('GET', path);
    const rv = (JSON.parse(list.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;

    const total = Math.max(1, Math.round((watchRate * watchMs) / 1_000));
    const sent = new Float64Array(total).fill(Number.NaN);
    const acked = new Float64Array(total).fill(Number.NaN);
    const arrived = new Float64Array(total).fill(Number.NaN);
    let heard = 0;
    let onAll: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      onAll = resolve;
    });
    const watch = client.watch(`${path}?watch=1&resourceVersion=${rv}`, (event, at) => {
      if (event.type !== 'ADDED') return;
      const name = (event.object as { metadata: { name: string } }).metadata.name;
      const n = Number(name.slice(3));
      if (Number.isNaN(arrived[n]!)) {
        arrived[n] = at;
        if (++heard === total) onAll();
      }
    });
    try {
      await watch.ready;
      const m = await measure(ctx.cp, async () => {
        const writes = await openLoop(watchRate, watchMs, async (n) => {
          const res = await client.expectOk('POST', path, { body: configMap(NS, seqName('cm', n)) });
          sent[n] = res.sentAt;
          acked[n] = res.doneAt;
        });
        // An abortable wait: a pending timer would keep this process alive after the run.
        const timeout = new AbortController();
        await Promise.race([
          all,
          sleep(DELIVERY_TIMEOUT_MS, undefined, { signal: timeout.signal }).catch(() => {}),
        ]);
        timeout.abort();
        return writes;
      });
      const fromSend: number[] = [];
      const fromAck: number[] = [];
      for (let n = 0; n < total; n++) {
        if (Number.isNaN(arrived[n]!) || Number.isNaN(sent[n]!)) continue;
        fromSend.push(arrived[n]! - sent[n]!);
        fromAck.push(arrived[n]! - acked[n]!);
      }
      const writes = m.result;
      const early = fromAck.filter((d) => d < 0).length;
      return {
        rows: [
          {
            label: `4. watch delivery p99 at ${watchRate} writes/s, from send`,
            unit: 'ms',
            value: percentile(fromSend, 99),
            cpu: cpu(m),
          },
          { label: '4.   watch delivery p50, from send', unit: 'ms', value: percentile(fromSend, 50) },
          { label: '4.   watch delivery p99, from ack', unit: 'ms', value: percentile(fromAck, 99) },
          { label: '4.   watch delivery p50, from ack', unit: 'ms', value: percentile(fromAck, 50) },
        ],
        notes: [
          `4: ${total} creates in ${(watchMs / 1_000).toFixed(0)} s, ${writes.errors} failed` +
            `${writes.firstError ? ` (first: ${writes.firstError})` : ''}; ${heard} events heard; ` +
            `${early} arrived before their ack; create latency from schedule p50 ${ms(percentile(writes.latencies, 50))}, ` +
            `p99 ${ms(percentile(writes.latencies, 99))}; client send lag p99 ${ms(percentile(writes.sendLags, 99))}`,
        ],
      };
    } finally {
      watch.close();
    }
  });
}
