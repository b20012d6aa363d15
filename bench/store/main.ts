// `npm run bench -- store`: orch-lab's store side by side with real etcd, same client, same machine,
// one run. See bench/store/config.ts for the BENCH_* variables (BENCH_QUICK=1 for a quick check).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { ETCD_BINARY } from '../../test/support/etcd-process.ts';
import { readConfig, type StoreBenchConfig } from './config.ts';
import { withPair } from './pair.ts';
import { formatTable, type Row } from './report.ts';
import { restartTime } from './restart-time.ts';
import { putThroughput, rangeThroughput } from './throughput.ts';
import { watchFanout } from './watch-fanout.ts';

function etcdVersion(): string {
  const out = execFileSync(ETCD_BINARY, ['--version'], { encoding: 'utf8' });
  return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown';
}

/** The file system the data dirs live on: fsync costs differ enormously between them. */
function tmpFileSystem(): string {
  const dir = tmpdir();
  let best = { mount: '', type: 'unknown' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, mount, type] = line.split(' ');
    if (mount && type && (dir === mount || dir.startsWith(mount === '/' ? '/' : `${mount}/`))) {
      if (mount.length >= best.mount.length) best = { mount, type };
    }
  }
  return `${dir} (${best.type})`;
}

function clientName(config: StoreBenchConfig): string {
  return config.client === 'grpc'
    ? "@grpc/grpc-js with orch-lab's etcd.proto (BENCH_CLIENT=etcd3 for the etcd3 client)"
    : 'the etcd3 npm client (BENCH_CLIENT=grpc for raw @grpc/grpc-js)';
}

export async function run(): Promise<void> {
  const config = readConfig();
  const cores = cpus();
  const started = performance.now();
  console.log('store: orch-lab vs real etcd, both durable, each its own child process');
  console.log(
    `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Node ${process.version}, ` +
      `etcd ${etcdVersion()}, data dirs in ${tmpFileSystem()}`,
  );
  console.log(`client: ${clientName(config)}, in this process`);
  console.log(
    `targets alternate (etcd, ours, etcd, ours...) within each figure; throughput is ` +
      `${config.rounds} x ${(config.durationMs / config.rounds / 1_000).toFixed(1)} s per target ` +
      `after ${(config.warmupMs / 1_000).toFixed(1)} s warm-up each, ${config.workersPerConnection} workers per connection`,
  );
  console.log('');

  const rows: Row[] = [];
  const notes: string[] = [];
  const progress = (what: string) =>
    console.error(`  [${((performance.now() - started) / 1_000).toFixed(0)} s] ${what}...`);
  if (config.figures.has(1) || config.figures.has(2)) {
    await withPair(async (pair) => {
      if (config.figures.has(1)) {
        progress('1. put throughput');
        rows.push(...(await putThroughput(config, pair)));
      }
      if (config.figures.has(2)) {
        progress('2. range throughput');
        rows.push(...(await rangeThroughput(config, pair)));
      }
    });
  }
  if (config.figures.has(3)) {
    progress('3. watch fan-out');
    const result = await withPair((pair) => watchFanout(config, pair));
    rows.push(...result.rows);
    notes.push(...result.notes);
  }
  if (config.figures.has(4)) {
    progress('4. restart');
    const result = await restartTime(config);
    rows.push(...result.rows);
    notes.push(...result.notes);
  }

  console.log('ratio: ours vs etcd, oriented so that > 1.00 means ours is better');
  console.log('       (throughput: ours/etcd; time and memory, where lower is better: etcd/ours)');
  console.log(
    'CPU: the server process and this client process, % of one core while measuring; a side near 100%',
  );
  console.log('     (the client, and our server, run JavaScript on one thread) is what limits that figure');
  console.log('');
  console.log(formatTable(rows));
  console.log('');
  for (const note of notes) console.log(note);
  console.log(`total ${((performance.now() - started) / 1_000).toFixed(0)} s`);
}
