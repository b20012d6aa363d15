// `npm run bench -- apiserver`: the control plane as `orch-lab up` runs it (its own process, store
// durable in a temp $ORCH_LAB_HOME), driven over HTTPS by node's https module with the admin's client
// certificate. Prints figures beside their goals; never passes or fails. See ./config.ts for the
// BENCH_* variables (BENCH_QUICK=1 for a quick check, BENCH_CP_NODE_ARGS for --cpu-prof).

import { steadyRss } from '../proc.ts';
import { type ApiServerBenchConfig, readConfig } from './config.ts';
import { BenchContext, type FigureResult } from './context.ts';
import { startControlPlane } from './control-plane.ts';
import { createThroughput } from './creates.ts';
import { listPods, loadPods } from './lists.ts';
import { machineLine, otherLoad } from './machine.ts';
import { formatTable, type Row } from './report.ts';
import { steadyWrites } from './steady.ts';
import { warmUp } from './warmup.ts';
import { watchLatency } from './watch-latency.ts';

function describe(config: ApiServerBenchConfig): string[] {
  return [
    'apiserver: orch-lab control plane (`orch-lab control-plane`, its own process), HTTPS from this process',
    machineLine(),
    `client: node:https, keep-alive agents, admin client certificate; ${config.quick ? 'BENCH_QUICK=1: reduced counts, goals are for a full run' : 'full run'}`,
  ];
}

export async function run(): Promise<void> {
  const config = readConfig();
  const started = performance.now();
  for (const line of describe(config)) console.log(line);
  const progress = (what: string) =>
    console.error(`  [${((performance.now() - started) / 1_000).toFixed(0)} s] ${what}...`);

  // Figures run in the order that suits them (memory idle first, pods before the writes) and
  // print in number order.
  const rows = new Map<number, Row[]>();
  const notes = new Map<number, string[]>();
  const add = (figure: number, result: FigureResult) => {
    rows.set(figure, [...(rows.get(figure) ?? []), ...result.rows]);
    notes.set(figure, [...(notes.get(figure) ?? []), ...result.notes]);
  };
  const mib = (bytes: number) => bytes / 2 ** 20;
  const { figures } = config;

  let warmed = '';
  let others = '';
  progress('starting the control plane');
  const cp = await startControlPlane();
  try {
    console.log(
      `control plane: pid ${cp.pid}, ${cp.endpoint}, ready ${cp.readyMs.toFixed(0)} ms after spawn`,
    );
    console.log('');
    const ctx = new BenchContext(config, cp);
    const load = otherLoad();
    const cpuAtStart = await cp.cpuSeconds();
    // Memory first, before any load, then pods (figures 3 and 5 both need them), then the writes.
    const memory: Row[] = [];
    if (figures.has(5)) {
      memory.push({
        label: '5. control-plane RSS, idle',
        unit: 'MiB',
        value: mib(await steadyRss(cp, config.settleMs)),
      });
    }
    progress('warming up');
    warmed = await warmUp(ctx);
    if (figures.has(3) || figures.has(5)) {
      progress(`3. storing ${config.pods} pods`);
      add(3, await loadPods(ctx));
      if (figures.has(5)) {
        memory.push({
          label: `5. control-plane RSS, ${config.pods.toLocaleString('en-US')} pods stored`,
          unit: 'MiB',
          value: mib(await steadyRss(cp, config.settleMs)),
        });
      }
    }
    if (figures.has(3)) {
      progress('3. listing pods');
      add(3, await listPods(ctx));
    }
    if (figures.has(1)) {
      progress('1. ConfigMap creates');
      add(1, await createThroughput(ctx));
    }
    if (figures.has(2)) {
      progress('2. steady writes');
      add(2, await steadyWrites(ctx));
    }
    if (figures.has(4)) {
      progress('4. watch delivery');
      add(4, await watchLatency(ctx));
    }
    if (figures.has(5)) {
      add(5, {
        rows: memory,
        notes: [`5: RSS at the end of the run: ${mib(await cp.rss()).toFixed(0)} MiB`],
      });
    }
    others = load.stop((await cp.cpuSeconds()) - cpuAtStart);
  } finally {
    progress('stopping the control plane');
    await cp.stop();
  }

  const inOrder = [...rows.keys()].sort((a, b) => a - b);
  console.log('CPU: the control-plane process and this client process, % of one core while measuring;');
  console.log('     both run JavaScript on one thread, so a side near 100% is what limits that figure');
  console.log('');
  console.log(formatTable(inOrder.flatMap((figure) => rows.get(figure)!)));
  console.log('');
  console.log(others);
  console.log(warmed);
  for (const figure of inOrder) for (const note of notes.get(figure)!) console.log(note);
  console.log(`total ${((performance.now() - started) / 1_000).toFixed(0)} s`);
}
