import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { agentBundle } from './agent-bundle.ts';
import { type NodeConfig, nodePaths, readNodeConfig } from './config.ts';
import { forgetNode, pointNodeAt, prepareNode, readNodeConfigs } from './node-dir.ts';
import type { ClusterAccess, NodeMachine, NodeProvider, NodeSpec } from './provider.ts';

/** An address in the pod range no node uses (node N has 127.244.N.0/24, N from 1). */
const PREFLIGHT_ADDRESS = '127.244.0.1';
/**
 * V8 flags for node agents: a young generation of 1 MB semi-spaces instead of 16 MB. An agent's
 * garbage is small and short-lived (watch events, status updates), so the smaller nursery costs
 * little CPU and keeps ~20 MB less resident per node (120 -> 98 MB with 30 pods).
 */
const AGENT_NODE_FLAGS = ['--max-semi-space-size=1'];

/** How long a node agent gets to stop its pods and kubelet after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export interface ProcessNodeProviderOptions {
  /** $ORCH_LAB_HOME */
  readonly home: string;
  /** The cluster, reached only when a node is added, started or removed. */
  readonly cluster: () => Promise<ClusterAccess>;
}

/**
 * ProcessNodeProvider runs each node agent as a detached host process, its output in
 * logs/<node>.log and its pid in <nodeDir>/agent.pid, so nodes outlive the command that started
 * them, as containers would. The agent runs from its bundle (agent-bundle.ts): what
 * `orch-lab node-agent --config <nodeDir>/node.json` runs, compiled once instead of in every agent.
 */
export class ProcessNodeProvider implements NodeProvider {
  constructor(private readonly options: ProcessNodeProviderOptions) {}

  /**
   * Pods listen on their pod IPs as ordinary processes, and nginx listens on port 80: the kernel
   * lets only privileged processes bind below net.ipv4.ip_unprivileged_port_start (1024).
   */
  async preflight(): Promise<void> {
    const server = createServer();
    const bound = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(80, PREFLIGHT_ADDRESS, () => resolve(undefined));
    });
    if (!bound) {
      await new Promise((resolve) => server.close(resolve));
      return;
    }
    if (bound.code === 'EADDRINUSE') return;
    throw new Error(
      `pods cannot listen on port 80 (${PREFLIGHT_ADDRESS}:80: ${bound.code}): the process runtime runs ` +
        'containers as your user, and only privileged processes may bind ports below 1024. Fix it with\n' +
        '  sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0\n' +
        `or allow Node itself: sudo setcap cap_net_bind_service=+ep ${process.execPath}`,
    );
  }

  async add(spec: NodeSpec): Promise<NodeMachine> {
    const config = await prepareNode(this.options.home, spec, await this.options.cluster());
    return this.machine(config);
  }

  async start(name: string): Promise<NodeMachine> {
    const paths = nodePaths(this.options.home, name);
    const running = await this.machine(await this.config(name));
    if (running.state === 'running') return running;
    await pointNodeAt(paths.config, (await this.options.cluster()).apiServer);
    await mkdir(dirname(paths.log), { recursive: true, mode: 0o700 });
    const log = await open(paths.log, 'a', 0o600);
    const child = spawn(
      process.execPath,
      [...AGENT_NODE_FLAGS, await agentBundle(), '--config', paths.config],
      {
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        env: { ...process.env, ORCH_LAB_HOME: this.options.home },
      },
    );
    child.unref();
    await log.close();
    if (child.pid === undefined) throw new Error(`could not start the agent of node ${name}`);
    await writeFile(paths.pid, `${child.pid}\n`, { mode: 0o600 });
    return { ...running, state: 'running', pid: child.pid };
  }

  async stop(name: string): Promise<void> {
    const pid = await this.runningPid(name);
    if (pid === undefined) return;
    signal(pid, 'SIGTERM');
    if (!(await exited(pid, STOP_TIMEOUT_MS))) {
      signal(pid, 'SIGKILL');
      await exited(pid, STOP_TIMEOUT_MS);
    }
    await rm(nodePaths(this.options.home, name).pid, { force: true });
  }

  async kill(name: string): Promise<void> {
    const pid = await this.runningPid(name);
    if (pid === undefined) throw new Error(`node ${name} is not running`);
    signal(pid, 'SIGKILL');
    await exited(pid, STOP_TIMEOUT_MS);
  }

  async remove(name: string): Promise<void> {
    await this.config(name);
    await this.stop(name);
    await forgetNode(this.options.home, name, await this.options.cluster());
  }

  async list(): Promise<NodeMachine[]> {
    return Promise.all((await readNodeConfigs(this.options.home)).map((c) => this.machine(c)));
  }

  private async config(name: string): Promise<NodeConfig> {
    return readNodeConfig(nodePaths(this.options.home, name).config).catch((err) => {
      if ((err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') {
        throw new Error(`node ${name} does not exist; add it with: orch-lab node add ${name}`);
      }
      throw err;
    });
  }

  private async machine(config: NodeConfig): Promise<NodeMachine> {
    const pid = await this.runningPid(config.name);
    return {
      name: config.name,
      state: pid === undefined ? 'stopped' : 'running',
      ...(pid === undefined ? {} : { pid }),
      nodeIP: config.nodeIP,
      podCIDR: config.podCIDR,
    };
  }

  /**
   * The agent's pid while that process is still this node's agent. The pid file outlives a crash
   * and pids get reused, so the process's command line must name this node's config.
   */
  private async runningPid(name: string): Promise<number | undefined> {
    const paths = nodePaths(this.options.home, name);
    const pid = Number((await readFile(paths.pid, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    if (cmdline === undefined) return alive(pid) ? pid : undefined;
    const args = cmdline.split('\0');
    return args.includes('--config') && args.includes(paths.config) ? pid : undefined;
  }
}

/** Whether the process exists; one that has exited but not been reaped yet (a zombie) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Waits until the process is gone; false if it is still there after `timeoutMs`. */
async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
