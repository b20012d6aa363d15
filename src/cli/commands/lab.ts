import { spawn } from 'node:child_process';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { ingressAddress, installLabAddons, LOOPBACK_SERVICE_CIDR } from '../../cluster/addons/index.ts';
import { DEFAULT_SERVICE_CIDR } from '../../cluster/allocator/ipallocator.ts';
import { loadRestConfig } from '../../cluster/client/kubeconfig.ts';
import { RestClient } from '../../cluster/client/rest-client.ts';
import { ControlPlane, type LabState, labPaths, runningLab } from '../../cluster/lab.ts';
import { nodesDir } from '../../cluster/nodes/config.ts';
import { DOCKER_LOAD_BALANCER_IP_RANGE } from '../../cluster/nodes/docker/network.ts';
import {
  chooseLabRuntime,
  type NodeFlags,
  printNodeContainerLogs,
  printNodeStatus,
  purgeLabNodes,
  startLabNodes,
  stopLabNodes,
} from './node.ts';

export interface UpOptions extends NodeFlags {
  readonly home: string;
  readonly apiPort: number;
  readonly etcdPort: number;
  /** A real etcd cluster to keep objects in, instead of the lab's own store. */
  readonly etcdEndpoints?: readonly string[];
  readonly nodes: number;
  readonly runtime: string;
  /** Where the API server listens; by default where the nodes reach it (see chooseLabRuntime). */
  readonly apiHost?: string;
  /** Seconds of node silence before NotReady; the lab default unless given. */
  readonly nodeMonitorGracePeriod?: number;
  /** Seconds pods stay on a NotReady or unreachable node; the lab default unless given. */
  readonly defaultTolerationSeconds?: number;
}

const BIN = new URL('../../../bin/orch-lab.js', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

/**
 * How `up` reports its steps: plain printed notes for the CLI, a list of spinners with times in the
 * terminal UI (the way kind lists its steps).
 */
export interface UpProgress {
  /** Runs one step of the start-up under a title. */
  step<T>(title: string, run: () => Promise<T>): Promise<T>;
  /** A line worth telling the user that is not a step. */
  note(line: string): void;
}

/** Each step printed once done, with how long it took. */
const printedProgress: UpProgress = {
  step: async (title, run) => {
    const started = performance.now();
    const result = await run();
    console.log(`✓ ${title} (${((performance.now() - started) / 1000).toFixed(2)}s)`);
    return result;
  },
  note: (line) => console.log(line),
};

/**
 * `orch-lab up` starts the control plane as a background process, waits until the API server
 * answers /readyz with the admin credentials, prints where the kubeconfig is, and exits.
 */
export async function up(options: UpOptions, progress: UpProgress = printedProgress): Promise<LabState> {
  const running = await runningLab(options.home);
  const { runtime, apiHost } = await chooseLabRuntime(options.home, options, progress);
  if (running) {
    progress.note(`The lab in ${options.home} is already running (pid ${running.pid}).`);
    progress.note(`kubeconfig: ${running.kubeconfig}`);
    if (new URL(running.apiServer).hostname !== apiHost) {
      throw new Error(
        `its API server listens at ${running.apiServer}, where ${runtime} nodes cannot reach it (they need ${apiHost}): ` +
          `orch-lab down, then orch-lab up --runtime ${runtime}`,
      );
    }
    await startLabNodes({ ...options, runtime }, progress);
    return running;
  }
  const paths = labPaths(options.home);
  const { exited } = await progress.step(
    'Starting the control plane (store, API server, scheduler)',
    async () => {
      await mkdir(paths.logs, { recursive: true, mode: 0o700 });
      const log = await open(join(paths.logs, 'control-plane.log'), 'a', 0o600);
      const args = [
        'control-plane',
        '--api-port',
        String(options.apiPort),
        '--etcd-port',
        String(options.etcdPort),
        '--api-host',
        apiHost,
      ];
      if (options.etcdEndpoints) args.push('--etcd-endpoints', options.etcdEndpoints.join(','));
      if (options.nodeMonitorGracePeriod)
        args.push('--node-monitor-grace-period', String(options.nodeMonitorGracePeriod));
      if (options.defaultTolerationSeconds)
        args.push('--default-toleration-seconds', String(options.defaultTolerationSeconds));
      // Process nodes can bind only loopback addresses, Service addresses included; on Docker nodes
      // external IPs come from a range the host routes to a node, as it routes the service range.
      if (runtime === 'process') args.push('--service-cluster-ip-range', LOOPBACK_SERVICE_CIDR);
      else args.push('--load-balancer-ip-range', DOCKER_LOAD_BALANCER_IP_RANGE);
      const child = spawn(process.execPath, [BIN, ...args], {
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        env: { ...process.env, ORCH_LAB_HOME: options.home },
      });
      child.unref();
      await log.close();
      // Wrapped: a promise returned bare would be awaited, and the step would last the whole run.
      return { exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
    },
  );
  const state = await progress.step('Waiting for the API server to be ready', async () => {
    const ready = await Promise.race([
      waitUntilReady(options.home),
      exited.then((code) => ({ exited: code })),
    ]);
    if ('exited' in ready) {
      const tail = await readFile(join(paths.logs, 'control-plane.log'), 'utf8').catch(() => '');
      throw new Error(
        `the control plane exited (code ${ready.exited}) before it was ready:\n${tail.split('\n').slice(-15).join('\n')}`,
      );
    }
    return ready;
  });
  progress.note(`Control plane ready: API server ${state.apiServer}, etcd ${state.etcd}`);
  await startLabNodes({ ...options, runtime }, progress);
  if (options.nodes > 0) {
    // Docker nodes bind the default service range in their own network namespaces.
    const serviceCIDR = runtime === 'process' ? LOOPBACK_SERVICE_CIDR : DEFAULT_SERVICE_CIDR;
    await progress.step('Installing the addons (CoreDNS, Ingress controller)', () =>
      withAdmin(state, (client) => installLabAddons({ client, serviceCIDR })),
    );
  }
  progress.note(`kubeconfig: ${state.kubeconfig}`);
  progress.note(`Try: kubectl --kubeconfig ${state.kubeconfig} get namespaces`);
  return state;
}

/** Runs `use` with an admin client of the lab. */
async function withAdmin<T>(state: LabState, use: (client: RestClient) => Promise<T>): Promise<T> {
  const client = await RestClient.fromKubeconfig(state.kubeconfig, { component: 'orch-lab' });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

async function waitUntilReady(home: string): Promise<LabState> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await runningLab(home);
    if (state && (await readyz(state))) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the control plane did not become ready within ${READY_TIMEOUT_MS / 1000}s; see ${labPaths(home).logs}`,
  );
}

async function readyz(state: LabState): Promise<boolean> {
  const rest = await loadRestConfig(state.kubeconfig).catch(() => undefined);
  if (!rest) return false;
  return new Promise((resolve) => {
    const req = request(
      `${rest.server}/readyz`,
      { ca: rest.certificateAuthority, cert: rest.clientCertificate, key: rest.clientKey, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** `orch-lab down`: stops the lab; its state stays for the next `up` unless purged. */
export async function down(options: { home: string; purge: boolean }): Promise<void> {
  // Nodes first: their kubelets can still report to the API server while they stop.
  // A node that cannot be stopped (its Docker engine gone) must not keep the control plane running.
  await stopLabNodes(options.home).catch((err: Error) =>
    console.error(`Could not stop the nodes: ${err.message}`),
  );
  const state = await runningLab(options.home);
  if (state) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await runningLab(options.home)))
      await new Promise((r) => setTimeout(r, 100));
    if (await runningLab(options.home)) process.kill(state.pid, 'SIGKILL');
    console.log(`Stopped the lab (pid ${state.pid}).`);
  } else {
    console.log(`No lab is running in ${options.home}.`);
  }
  if (options.purge) {
    await purgeLabNodes(options.home);
    const paths = labPaths(options.home);
    for (const path of [
      paths.store,
      paths.pki,
      paths.kubeconfig,
      paths.state,
      paths.logs,
      nodesDir(options.home),
      join(options.home, 'audit.log'),
    ]) {
      await rm(path, { recursive: true, force: true });
    }
    console.log(`Removed the lab's state from ${options.home}.`);
  }
}

export async function status(options: { home: string }): Promise<void> {
  const state = await runningLab(options.home);
  if (!state) {
    console.log(`No lab is running in ${options.home}. Start one with: orch-lab up`);
    process.exitCode = 1;
    return;
  }
  const ready = await readyz(state);
  console.log(`Lab home:      ${options.home}`);
  console.log(`Control plane: pid ${state.pid}, up since ${state.startedAt}`);
  console.log(`  API server   ${state.apiServer} (${ready ? 'ready' : 'not ready'})`);
  console.log(`  store        etcd v3 API on ${state.etcd}`);
  console.log(`kubeconfig:    ${state.kubeconfig}`);
  if (state.nodeMonitorGracePeriodSeconds !== undefined && state.defaultTolerationSeconds !== undefined)
    console.log(
      `Node health:   NotReady after ${state.nodeMonitorGracePeriodSeconds}s without a heartbeat; ` +
        `its pods evicted ${state.defaultTolerationSeconds}s later`,
    );
  const ingress = ready
    ? await withAdmin(state, (client) => ingressAddress(client)).catch(() => undefined)
    : undefined;
  if (ingress) console.log(`Ingress:       ${ingress} (the ingress-nginx-controller Service)`);
  await printNodeStatus(options.home);
}

export async function logs(options: { home: string; component?: string }): Promise<void> {
  const dir = labPaths(options.home).logs;
  const files = (await readdir(dir).catch(() => [])).filter(
    (f) => !options.component || f.startsWith(options.component),
  );
  // Docker nodes log to their containers (docker logs orch-lab-<node>), not to files here.
  if (await printNodeContainerLogs(options.home, options.component)) return;
  if (files.length === 0) {
    console.log(`No logs${options.component ? ` for ${options.component}` : ''} in ${dir}.`);
    return;
  }
  for (const file of files) {
    console.log(`==> ${file} <==`);
    process.stdout.write(await readFile(join(dir, file), 'utf8'));
  }
}

/** The daemon behind `up`: runs the control plane until SIGTERM or SIGINT. */
export async function controlPlane(options: {
  home: string;
  apiHost?: string;
  apiPort: number;
  etcdPort: number;
  etcdEndpoints?: readonly string[];
  serviceClusterIpRange?: string;
  loadBalancerIpRange?: string;
  nodeMonitorGracePeriod?: number;
  defaultTolerationSeconds?: number;
}): Promise<void> {
  const plane = await ControlPlane.start({
    serviceClusterIPRange: options.serviceClusterIpRange,
    defaultTolerationSeconds: options.defaultTolerationSeconds,
    controllerManager: {
      ...(options.nodeMonitorGracePeriod
        ? { nodeLifecycle: { nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriod * 1000 } }
        : {}),
      ...(options.loadBalancerIpRange
        ? { serviceLB: { loadBalancerIPRange: options.loadBalancerIpRange } }
        : {}),
    },
    home: options.home,
    apiHost: options.apiHost,
    apiPort: options.apiPort,
    etcdPort: options.etcdPort,
    etcdEndpoints: options.etcdEndpoints,
  });
  console.log(
    `${new Date().toISOString()} control plane up: ${plane.state.apiServer}, etcd ${plane.state.etcd}`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`${new Date().toISOString()} ${signal}: stopping`);
  await plane.stop();
}
