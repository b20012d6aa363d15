import { join } from 'node:path';
import { Command } from 'commander';
import type { NodeFlags } from './commands/node.ts';
import { orchLabHome } from './home.ts';

// Each command loads its module only when it runs: `orch-lab store` then starts without loading the
// whole lab, which keeps its start-up fast and independent of code it does not use.
const storeCommand = () => import('./commands/store.ts');
const labCommands = () => import('./commands/lab.ts');
const userCommands = () => import('./commands/user.ts');
const nodeCommands = () => import('./commands/node.ts');

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
const LANG_FLAG = "the lessons' language, ko or en (default: $ORCH_LAB_LANG, then the locale)";
const seconds = (value: string) => {
  const n = Number(value.replace(/s$/, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a whole number of seconds: ${value}`);
  return n;
};

program
  .command('start')
  .description('open the terminal UI on the lab, starting the lab first unless it runs')
  .option('--nodes <n>', 'worker nodes to start', (v) => Number(v), 3)
  .option('--runtime <runtime>', 'how nodes run: auto, process or docker', 'auto')
  .option('--api-port <port>', 'API server port (0 picks a free one)', port, 6443)
  .option('--etcd-port <port>', "the store's etcd v3 port (0 picks a free one)", port, 2379)
  .option('--lang <lang>', LANG_FLAG)
  .action(
    async ({
      lang,
      ...o
    }: {
      nodes: number;
      runtime: string;
      apiPort: number;
      etcdPort: number;
      lang?: string;
    }) => {
      const language = (await import('../lessons/language.ts')).chooseLanguage(lang, process.env);
      // ink draws only a final frame when CI is set (it reads it when first loaded, below); a
      // learner's terminal is interactive even inside a CI job's shell.
      if (process.stdout.isTTY) process.env.CI = process.env.CONTINUOUS_INTEGRATION = 'false';
      await (await import('../tui/run.tsx')).runStart({ home: home(), ...o }, language);
    },
  );

program
  .command('up')
  .description('start the lab in the background and wait until it is ready')
  .option('--nodes <n>', 'worker nodes to start', (v) => Number(v), 3)
  .option('--runtime <runtime>', 'how nodes run: auto, process or docker', 'auto')
  .option('--api-port <port>', 'API server port (0 picks a free one)', port, 6443)
  .option('--etcd-port <port>', "the store's etcd v3 port (0 picks a free one)", port, 2379)
  .option('--etcd-endpoints <url,...>', 'keep objects in this etcd cluster instead of the lab store', urls)
  .option('--api-host <ip>', 'address the API server listens on (default: where the nodes reach it)')
  .option('--cpu <quantity>', 'CPU capacity of each new node (default 2)')
  .option('--memory <quantity>', 'memory capacity of each new node (default 4Gi)')
  .option('--labels <k=v,...>', 'labels of each new node')
  .option('--taints <k=v:Effect,...>', 'taints of each new node')
  .option('--container-runtime <runtime>', "what runs each new node's pods: lab or containerd")
  .option(
    '--node-monitor-grace-period <seconds>',
    'silence after which a node turns NotReady (lab: 20, Kubernetes: 40)',
    seconds,
  )
  .option(
    '--default-toleration-seconds <seconds>',
    'how long pods stay on a NotReady or unreachable node before eviction (lab: 30, Kubernetes: 300)',
    seconds,
  )
  .action(
    async (
      o: {
        nodes: number;
        runtime: string;
        apiPort: number;
        etcdPort: number;
        etcdEndpoints?: string[];
        apiHost?: string;
        nodeMonitorGracePeriod?: number;
        defaultTolerationSeconds?: number;
      } & NodeFlags,
    ) => {
      await (await labCommands()).up({ home: home(), ...o });
    },
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

const node = program
  .command('node')
  .description("manage the lab's nodes (each one a node agent running a kubelet)");
const nodeFlags = (command: Command) =>
  command
    .option('--cpu <quantity>', 'CPU capacity (default 2)')
    .option('--memory <quantity>', 'memory capacity (default 4Gi)')
    .option('--labels <k=v,...>', 'labels of the node')
    .option('--taints <k=v:Effect,...>', 'taints of the node')
    .option('--container-runtime <runtime>', "what runs the node's pods: lab (default) or containerd");

node
  .command('list')
  .description("list the nodes: the API's view (Ready, roles, version) and their agent processes")
  .action(async () => (await nodeCommands()).nodeList({ home: home() }));
nodeFlags(node.command('add <name>').description('add a node, start it and wait until it is Ready')).action(
  async (name: string, o: NodeFlags) => (await nodeCommands()).nodeAdd({ home: home(), name, ...o }),
);
node
  .command('exec <name> <command...>')
  .description('run a command as on the node, pointed at its runtime: crictl ps, ctr containers ls')
  .action(async (name: string, command: string[]) =>
    (await import('./commands/node-exec.ts')).nodeExec({ home: home(), name, command }),
  );
node
  .command('start <name>')
  .description("start a stopped node's agent and wait until it is Ready")
  .action(async (name: string) => (await nodeCommands()).nodeStart({ home: home(), name }));
node
  .command('stop <name>')
  .description("stop a node's agent cleanly (SIGTERM)")
  .action(async (name: string) => (await nodeCommands()).nodeStop({ home: home(), name }));
node
  .command('kill <name>')
  .description("kill a node's agent (SIGKILL), as a machine failure would")
  .action(async (name: string) => (await nodeCommands()).nodeKill({ home: home(), name }));
node
  .command('remove <name>')
  .description('stop a node and delete it: its Node object and its folder')
  .action(async (name: string) => (await nodeCommands()).nodeRemove({ home: home(), name }));
for (const [action, description] of [
  ['pause', 'freeze a node container (docker pause): a hung machine'],
  ['unpause', 'thaw a paused node container'],
  ['partition', 'cut a node container off the lab network (docker network disconnect)'],
  ['heal', 'put a partitioned node container back on the lab network'],
] as const) {
  node
    .command(`${action} <name>`)
    .description(`${description}; Docker nodes only`)
    .action(async (name: string) => (await nodeCommands()).nodeDockerAction({ home: home(), name, action }));
}

program
  .command('node-agent', { hidden: true })
  .description("run one node in the foreground: its kubelet and container runtime (what 'up' starts)")
  .requiredOption('--config <path>', "the node's node.json")
  .action(async (o: { config: string }) => (await nodeCommands()).nodeAgent(o));

program
  .command('control-plane', { hidden: true })
  .description("run the control plane in the foreground (what 'up' starts)")
  .option('--api-host <ip>', 'address the API server listens on', '127.0.0.1')
  .option('--api-port <port>', 'API server port', port, 6443)
  .option('--etcd-port <port>', "the store's etcd v3 port", port, 2379)
  .option('--etcd-endpoints <url,...>', 'etcd cluster to keep objects in instead of the lab store', urls)
  .option('--service-cluster-ip-range <cidr>', 'the range Service cluster IPs come from (10.96.0.0/12)')
  .option('--load-balancer-ip-range <cidr>', 'the range LoadBalancer external IPs come from (127.200.0.0/24)')
  .option('--node-monitor-grace-period <seconds>', 'silence after which a node turns NotReady', seconds)
  .option('--default-toleration-seconds <seconds>', 'how long pods stay on an unhealthy node', seconds)
  .action(
    async (o: {
      apiHost: string;
      apiPort: number;
      etcdPort: number;
      etcdEndpoints?: string[];
      serviceClusterIpRange?: string;
      loadBalancerIpRange?: string;
      nodeMonitorGracePeriod?: number;
      defaultTolerationSeconds?: number;
    }) => (await labCommands()).controlPlane({ home: home(), ...o }),
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

const lessonCommand = program
  .command('lesson')
  .description("guided lessons checked against the live cluster (the terminal UI's Lesson tab, as commands)")
  .option('--lang <lang>', LANG_FLAG);
const lessonAction = (action: import('../lessons/commands.ts').LessonAction) => async (id?: string) =>
  (await import('./commands/lesson.ts')).lesson({
    home: home(),
    action,
    id,
    lang: lessonCommand.opts<{ lang?: string }>().lang,
  });
lessonCommand.command('list').description('list the lessons and your progress').action(lessonAction('list'));
lessonCommand
  .command('start <id>')
  .description('start a lesson (its number or id); progress made before is kept')
  .action(lessonAction('start'));
lessonCommand
  .command('status')
  .description('show the current step, without re-checking')
  .action(lessonAction('status'));
lessonCommand
  .command('check')
  .description(
    'check the current step against the cluster (steps waiting for a typed command are checked in the UI only)',
  )
  .action(lessonAction('check'));
lessonCommand
  .command('hint')
  .description('show the next hint for the current step')
  .action(lessonAction('hint'));
lessonCommand
  .command('next')
  .description('show the current step, or start the next lesson once this one is done')
  .action(lessonAction('next'));
lessonCommand
  .command('reset [id]')
  .description('delete what a lesson made and forget its progress (the current lesson unless given)')
  .action(lessonAction('reset'));

program
  .command('image')
  .description('images of the lab nodes')
  .command('load <source>')
  .description(
    'side-load an image archive (or, with --docker, an image of the Docker engine) into every containerd node',
  )
  .option('--docker', 'source is an image the Docker engine has, as kind load docker-image takes it', false)
  .action(async (source: string, o: { docker: boolean }) =>
    (await import('./commands/image.ts')).imageLoad({ home: home(), source, docker: o.docker }),
  );

const crictl = program
  .command('crictl')
  .description("ask a node's container runtime what it runs, as crictl does on a real node")
  // Inside a node container ORCH_LAB_NODE names the node, so `orch-lab crictl ps` needs no --node.
  .requiredOption('--node <name>', 'the node whose runtime to ask (node-1, ...)', process.env.ORCH_LAB_NODE);
const crictlCommand = () => import('./commands/crictl.ts');
const onNode = () => ({ home: home(), node: crictl.opts<{ node: string }>().node });

crictl
  .command('ps')
  .description('list containers (running ones; -a for all)')
  .option('-a, --all', 'show all containers', false)
  .action(async (o: { all: boolean }) => (await crictlCommand()).ps({ ...onNode(), all: o.all }));
crictl
  .command('pods')
  .description('list pod sandboxes')
  .action(async () => (await crictlCommand()).pods(onNode()));
crictl
  .command('images')
  .description('list images')
  .action(async () => (await crictlCommand()).images(onNode()));
crictl
  .command('logs <container>')
  .description("print a container's logs")
  .option('-f, --follow', 'follow the log', false)
  .option('--tail <n>', 'lines from the end of the log', (v) => Number(v))
  .action(async (id: string, o: { follow: boolean; tail?: number }) =>
    (await crictlCommand()).logs({ ...onNode(), id, ...o }),
  );
crictl
  .command('inspect <id>')
  .description('show the status of a container or pod sandbox')
  .action(async (id: string) => (await crictlCommand()).inspect({ ...onNode(), id }));

const proxy = program.command('proxy').description("ask a node's kube-proxy what it does");
const proxyCommand = () => import('./commands/proxy.ts');
proxy
  .command('rules')
  .description("print the node's Service rules, as iptables-save shows kube-proxy's")
  .requiredOption('--node <name>', 'the node whose kube-proxy to ask (node-1, ...)')
  .action(async (o: { node: string }) => (await proxyCommand()).proxyRules({ home: home(), node: o.node }));
proxy
  .command('listeners')
  .description("print the Service addresses whose listener the node's kube-proxy holds")
  .requiredOption('--node <name>', 'the node whose kube-proxy to ask (node-1, ...)')
  .action(async (o: { node: string }) =>
    (await proxyCommand()).proxyListeners({ home: home(), node: o.node }),
  );

try {
  await program.parseAsync();
} catch (err) {
  console.error(`orch-lab: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
