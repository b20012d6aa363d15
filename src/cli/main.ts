import { join } from 'node:path';
import { Command } from 'commander';
import { orchLabHome } from './home.ts';

// Each command loads its module only when it runs: `orch-lab store` then starts without loading the
// whole lab, which keeps its start-up fast and independent of code it does not use.
const storeCommand = () => import('./commands/store.ts');

const program = new Command('orch-lab').description('A Kubernetes learning lab that runs on one computer');

program
  .command('store')
  .description("run the lab's etcd-like store alone, served over etcd's v3 gRPC API (for etcdctl)")
  .option('--data-dir <dir>', 'where the store keeps its data', join(orchLabHome(), 'store'))
  // etcd's own default client address, so etcdctl needs no --endpoints.
  .option('--listen <host:port>', 'address to serve on (port 0 picks a free one)', '127.0.0.1:2379')
  .action(async (options: { dataDir: string; listen: string }) => (await storeCommand()).runStore(options));

try {
  await program.parseAsync();
} catch (err) {
  console.error(`orch-lab: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
