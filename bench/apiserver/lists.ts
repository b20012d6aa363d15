// Figure 3: listing every pod of the cluster (GET /api/v1/pods) once the store holds `pods` of them,
// as JSON (what informers and `kubectl get -o json` ask for) and as a server-side Table (what plain
// `kubectl get pods -A` asks for). The pods are small valid ones spread over a few namespaces; with
// no scheduler they stay Pending. Each list is timed from the request to its last byte, one warm-up
// list of each format first; JSON and Table lists alternate so that drift falls on both.

import { measure } from '../store/pair.ts';
import { percentile } from './client.ts';
import { type BenchContext, cpu, type FigureResult, ms } from './context.ts';
import { pod, seqName, workerPool } from './load.ts';
import type { Row } from './report.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const CLIENTS = 16;

/** Stores `pods` pods; the create rate is printed as a figure without a goal. */
export async function loadPods(ctx: BenchContext): Promise<FigureResult> {
  const { pods, podNamespaces } = ctx.config;
  const namespaces = Array.from({ length: podNamespaces }, (_, i) => `bench-pods-${i}`);
  await ctx.createNamespaces(namespaces);
  return ctx.withClient(CLIENTS, async (client) => {
    const m = await measure(ctx.cp, () =>
      workerPool(pods, CLIENTS, async (n) => {
        const ns = namespaces[n % namespaces.length]!;
        await client.expectOk('POST', `/api/v1/namespaces/${ns}/pods`, { body: pod(ns, seqName('pod', n)) });
      }),
    );
    return {
      rows: [
        {
          label: `3. (load) pod create, ${pods.toLocaleString('en-US')} by ${CLIENTS} clients`,
          unit: 'creates/s',
          value: (pods * 1_000) / m.ms,
          cpu: cpu(m),
        },
      ],
      notes: [],
    };
  });
}

export async function listPods(ctx: BenchContext): Promise<FigureResult> {
  const { pods, listRepeats } = ctx.config;
  return ctx.withClient(1, async (client) => {
    const list = async (accept: string) => {
      const res = await client.expectOk('GET', '/api/v1/pods', { headers: { Accept: accept } });
      return { ms: res.doneAt - res.sentAt, body: res.body };
    };
    // Warm-up, and a check that the lists hold what was stored.
    const json = await list('application/json');
    const items = (JSON.parse(json.body.toString('utf8')) as { items: unknown[] }).items.length;
    const table = await list(TABLE);
    const rows = (JSON.parse(table.body.toString('utf8')) as { rows: unknown[] }).rows.length;
    if (items !== pods || rows !== pods) {
      throw new Error(`expected ${pods} pods, the JSON list held ${items} and the Table ${rows}`);
    }
    const times = { json: [] as number[], table: [] as number[] };
    const m = await measure(ctx.cp, async () => {
      for (let i = 0; i < listRepeats; i++) {
        times.json.push((await list('application/json')).ms);
        times.table.push((await list(TABLE)).ms);
      }
    });
    const count = pods.toLocaleString('en-US');
    const result: Row[] = [
      {
        label: `3. list ${count} pods as JSON, p50 of ${listRepeats}`,
        unit: 'ms',
        value: percentile(times.json, 50),
        goal: { op: '<=', value: 200 },
        cpu: cpu(m),
      },
      {
        label: `3. list ${count} pods as Table, p50 of ${listRepeats}`,
        unit: 'ms',
        value: percentile(times.table, 50),
        goal: { op: '<=', value: 200 },
      },
    ];
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const range = (values: number[]) => `${ms(Math.min(...values))} .. ${ms(Math.max(...values))}`;
    return {
      rows: result,
      notes: [
        `3: JSON list ${mib(json.body.length)} (${range(times.json)}), Table ${mib(table.body.length)} ` +
          `(${range(times.table)}); uncompressed, one list at a time; CPU is over both formats`,
      ],
    };
  });
}
