// The benchmark runner behind `npm run bench -- [name...]`: runs the named benchmarks in order, or
// every one when none is named. Benchmarks print figures; they never pass or fail on time.

interface Benchmark {
  readonly description: string;
  readonly run: () => Promise<void>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  store: {
    description: 'the store side by side with real etcd (put, range, watch, restart)',
    run: async () => (await import('./store/main.ts')).run(),
  },
  apiserver: {
    description: 'the control plane over HTTPS: creates, steady writes, lists, watch latency, memory',
    run: async () => (await import('./apiserver/main.ts')).run(),
  },
  nodes: {
    description: 'a three-node process lab: up until Ready, 100 pods create -> Running, node agent memory',
    run: async () => (await import('./nodes/main.ts')).run(),
  },
  controllers: {
    description: 'three process nodes: 100 replicas to Available, a v1 -> v2 rollout, 100 Deployments x 10',
    run: async () => (await import('./controllers/main.ts')).run(),
  },
  services: {
    description: 'requests/s and added p99 through a NodePort to 3 nginx pods; pod Ready -> traffic',
    run: async () => (await import('./services/main.ts')).run(),
  },
  containerd: {
    description: 'the lab runtime against containerd + runc: 3 nodes Ready, pod start-up, memory per pod',
    run: async () => (await import('./containerd/main.ts')).run(),
  },
  docker: {
    description: 'a three-node lab of Docker nodes: image build, up until Ready, pod startup, node memory',
    run: async () => (await import('./docker/main.ts')).run(),
  },
  scheduler: {
    description: 'kube-scheduler SchedulingBasic: 5,000 virtual nodes, 10,000 pods, pods/s',
    run: async () => (await import('./scheduler/main.ts')).run(),
  },
  tui: {
    description: 'the terminal UI over 500 pods and 100 events/s: key echo, frames/s, UI CPU',
    run: async () => (await import('./tui/main.ts')).run(),
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(10)} ${b.description}`);
  return ['usage: npm run bench -- [name...]', 'benchmarks:', ...names].join('\n');
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !Object.hasOwn(BENCHMARKS, name));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}\n${usage()}`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]!.run();
}
