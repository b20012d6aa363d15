import { join } from 'node:path';
import { Command } from 'commander';
import { orchLabHome } from './home.ts';

// Each command loads its module only when it runs: `orch-lab store` then starts without loading the
// whole lab, which keeps its start-up fast and independent of code it does not use.
const storeCommand = () => import('./commands/store.ts');
const labCommands = () => import('./commands/lab.ts');
const userCommands = () => import('./commands/user.ts');

const program = new Command('orch-lab').description('A Kubernetes learning lab that runs on one computer');

program
  .command('store')
  .description("run the lab's etcd-like store alone, served over etcd's v3 gRPC API (for etcdctl)")
  .option('--data-dir <dir>', 'where the store keeps its data', join(orchLabHome(), 'store'))
  // etcd's own default client address, so etcdctl needs no --endpoints.
  .option('--listen <host:port>', 'address to serve on (port 0 picks a free one)', '127.0.0.1:2379')
  .action(async (options: { dataDir: string; listen: string }) => (await storeCommand()).runStore(options));

const home = () => orchLabHome();
const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
};
const urls = (value: string) => value.split(',').map((url) => url.trim());

program
  .command('start')
  .description('start the lab (or attach to the running one) and show where it is')
  .option('--nodes <n>', 'worker nodes to start', (v) => Number(v), 3)
  .option('--runtime <runtime>', 'how nodes run: auto, process or docker', 'auto')
  .action(async (o: { nodes: number; runtime: string }) => {
    // The terminal UI is not built yet: start is `up` followed by `status` until it is.
    const lab = await labCommands();
    await lab.up({ home: home(), apiPort: 6443, etcdPort: 2379, ...o });
    await lab.status({ home: home() });
  });

program
  .command('up')
  .description('start the lab in the background and wait until it is ready')
  .option('--nodes <n>', 'worker nodes to start', (v) => Number(v), 3)
  .option('--runtime <runtime>', 'how nodes run: auto, process or docker', 'auto')
  .option('--api-port <port>', 'API server port (0 picks a free one)', port, 6443)
  .option('--etcd-port <port>', "the store's etcd v3 port (0 picks a free one)", port, 2379)
  .option('--etcd-endpoints <url,...>', 'keep objects in this etcd cluster instead of the lab store', urls)
  .action(
    async (o: {
      nodes: number;
      runtime: string;
      apiPort: number;
      etcdPort: number;
      etcdEndpoints?: string[];
    }) => (await labCommands()).up({ home: home(), ...o }),
  );

program
  .command('down')
  .description("stop the lab; its state is kept for the next 'up' unless --purge")
  .option('--purge', 'also delete the store, certificates and kubeconfig', false)
  .action(async (o: { purge: boolean }) => (await labCommands()).down({ home: home(), purge: o.purge }));

program
  .command('status')
  .description("show the lab's components and addresses")
  .action(async () => (await labCommands()).status({ home: home() }));

program
  .command('kubeconfig')
  .description("print the path of the lab's kubeconfig")
  .action(() => console.log(join(home(), 'kubeconfig')));

program
  .command('logs [component]')
  .description("print the lab's logs (control-plane, node-1, ...)")
  .action(async (component?: string) => (await labCommands()).logs({ home: home(), component }));

const user = program
  .command('user')
  .description("manage the lab's users (client certificates in the kubeconfig)");

user
  .command('add <name>')
  .description(
    'issue a client certificate for a user and add it to the kubeconfig as context orch-lab-<name>',
  )
  .option(
    '--group <group>',
    'a group the user belongs to (repeatable)',
    (value: string, groups: string[]) => [...groups, value],
    [] as string[],
  )
  .action(async (name: string, o: { group: string[] }) =>
    (await userCommands()).userAdd({ home: home(), name, groups: o.group }),
  );

program
  .command('control-plane', { hidden: true })
  .description("run the control plane in the foreground (what 'up' starts)")
  .option('--api-port <port>', 'API server port', port, 6443)
  .option('--etcd-port <port>', "the store's etcd v3 port", port, 2379)
  .option('--etcd-endpoints <url,...>', 'etcd cluster to keep objects in instead of the lab store', urls)
  .action(async (o: { apiPort: number; etcdPort: number; etcdEndpoints?: string[] }) =>
    (await labCommands()).controlPlane({ home: home(), ...o }),
  );

program
  .command('explain')
  .description('explain a decision of the cluster')
  .command('schedule <pod>')
  .description("why the scheduler placed a pod where it did: each node's filters and scores")
  .option('-n, --namespace <namespace>', "the pod's namespace", 'default')
  .action(async (pod: string, o: { namespace: string }) =>
    (await import('./commands/explain.ts')).explainSchedule({
      kubeconfig: join(home(), 'kubeconfig'),
      pod,
      namespace: o.namespace,
    }),
  );

try {
  await program.parseAsync();
} catch (err) {
  console.error(`orch-lab: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
