import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Node } from '../../cluster/api/core/node.ts';
import { nodes } from '../../cluster/api/resources.ts';
import { RestClient } from '../../cluster/client/rest-client.ts';
import { labPaths, runningLab } from '../../cluster/lab.ts';
import { nodePaths, parseContainerRuntime, parseLabels, parseTaints } from '../../cluster/nodes/config.ts';
import { containerName, DockerNodeProvider } from '../../cluster/nodes/docker/docker-provider.ts';
import type { ClusterAccess, NodeMachine, NodeProvider, NodeSpec } from '../../cluster/nodes/provider.ts';
import { isNodeReady, waitForNodesReady } from '../../cluster/nodes/ready.ts';
import {
  chooseRuntime,
  type NodeRuntime,
  openNodeProvider,
  recordedRuntime,
} from '../../cluster/nodes/select.ts';
import { ClusterPki } from '../../cluster/pki/pki.ts';
import { printTable } from '../table.ts';
import type { UpProgress } from './lab.ts';

/** How long `up` and `node add|start` wait for nodes to turn Ready. */
const NODE_READY_TIMEOUT_MS = 60_000;

/** The flags that shape new nodes, as typed: `--labels a=b,c=d --taints k=v:NoSchedule`. */
export interface NodeFlags {
  readonly cpu?: string;
  readonly memory?: string;
  readonly labels?: string;
  readonly taints?: string;
  readonly containerRuntime?: string;
}

function nodeSpec(name: string, flags: NodeFlags): NodeSpec {
  const capacity = {
    ...(flags.cpu ? { cpu: flags.cpu } : {}),
    ...(flags.memory ? { memory: flags.memory } : {}),
  };
  return {
    name,
    capacity,
    labels: flags.labels ? parseLabels(flags.labels) : {},
    taints: flags.taints ? parseTaints(flags.taints) : [],
    ...(flags.containerRuntime ? { containerRuntime: parseContainerRuntime(flags.containerRuntime) } : {}),
  };
}

/** The running lab's API server, CA and an admin client: what adding and removing nodes needs. */
async function openClusterAccess(home: string): Promise<ClusterAccess> {
  const state = await runningLab(home);
  if (!state) throw new Error(`no lab is running in ${home}; start one with: orch-lab up`);
  return {
    apiServer: state.apiServer,
    pki: await ClusterPki.open({ dir: labPaths(home).pki }),
    client: await RestClient.fromKubeconfig(state.kubeconfig, { component: 'orch-lab' }),
  };
}

/**
 * Runs `use` with the node provider (of `runtime`, else the one the lab's nodes run on); the cluster
 * is reached on first need and let go afterwards.
 */
async function withNodes<T>(
  home: string,
  use: (provider: NodeProvider, cluster: () => Promise<ClusterAccess>) => Promise<T>,
  options: { runtime?: NodeRuntime; onProgress?: (line: string) => void } = {},
): Promise<T> {
  let access: Promise<ClusterAccess> | undefined;
  const cluster = () => {
    access ??= openClusterAccess(home);
    return access;
  };
  try {
    const onProgress = options.onProgress ?? ((line: string) => console.log(line));
    return await use(
      await openNodeProvider({ home, cluster, runtime: options.runtime, onProgress }),
      cluster,
    );
  } finally {
    (await access?.catch(() => undefined))?.client.close();
  }
}

/** Waits for Ready, failing early with the agent's last log lines if its process is gone. */
async function waitReady(
  home: string,
  provider: NodeProvider,
  client: RestClient,
  names: readonly string[],
  since: number,
): Promise<void> {
  await waitForNodesReady(client, names, {
    timeoutMs: NODE_READY_TIMEOUT_MS,
    since,
    failure: async (waiting) => {
      const stopped = (await provider.list()).filter(
        (m) => waiting.includes(m.name) && m.state === 'stopped',
      );
      if (stopped.length === 0) return undefined;
      const name = stopped[0]!.name;
      const log =
        provider instanceof DockerNodeProvider
          ? await provider.logs(name)
          : await readFile(nodePaths(home, name).log, 'utf8').catch(() => '');
      return `the agent of ${name} exited before its node was Ready:\n${log.split('\n').slice(-15).join('\n')}`;
    },
  });
}

/**
 * The node part of `orch-lab up`: nodes node-1..node-N that do not exist yet are added, then every
 * node of the lab is started (so nodes added earlier come back after down and up), and up waits
 * until all of them are Ready.
 */
export async function startLabNodes(
  options: NodeFlags & { home: string; nodes: number; runtime: NodeRuntime },
  progress: UpProgress,
): Promise<void> {
  const onProgress = (line: string) => progress.note(`  ${line}`);
  await withNodes(
    options.home,
    async (provider, cluster) => {
      const existing = new Set((await provider.list()).map((m) => m.name));
      const missing = Array.from({ length: options.nodes }, (_, i) => `node-${i + 1}`).filter(
        (name) => !existing.has(name),
      );
      if (existing.size + missing.length === 0) return;
      const preflight =
        provider instanceof DockerNodeProvider
          ? 'Preparing Docker: the lab network and the node image'
          : 'Checking that pods can listen on low ports';
      await progress.step(preflight, () => provider.preflight());
      if (missing.length > 0) {
        await progress.step(`Adding ${missing.join(', ')} (config and certificates)`, async () => {
          for (const name of missing) await provider.add(nodeSpec(name, options));
        });
      }
      // Nodes already running are left alone: only those started now must be heard from again.
      const stopped = (await provider.list()).filter((m) => m.state === 'stopped').map((m) => m.name);
      if (stopped.length === 0) return;
      const started = Date.now();
      await progress.step(`Starting node agents: ${stopped.join(', ')}`, async () => {
        // At once: each start waits on its own agent or engine, and a lab of many nodes comes up no slower.
        await Promise.all(stopped.map((name) => provider.start(name)));
      });
      const { client } = await cluster();
      await progress.step('Waiting for the nodes to be Ready', () =>
        waitReady(options.home, provider, client, stopped, started),
      );
    },
    { runtime: options.runtime, onProgress },
  );
}

/** The node part of `orch-lab down`: every running node agent is stopped. */
export async function stopLabNodes(home: string): Promise<void> {
  await withNodes(home, async (provider) => {
    for (const machine of await provider.list()) {
      if (machine.state !== 'running') continue;
      await provider.stop(machine.name);
      console.log(`Stopped ${machine.name} (pid ${machine.pid}).`);
    }
  });
}

/**
 * `orch-lab node list`: each node as the API sees it (kubectl get nodes' STATUS, ROLES and
 * VERSION) beside its machine (addresses and the agent process).
 */
export async function nodeList(options: { home: string }): Promise<void> {
  await withNodes(options.home, async (provider, cluster) => {
    const machines = await provider.list();
    if (machines.length === 0) {
      console.log(`No nodes in ${options.home}. Add one with: orch-lab node add NAME`);
      return;
    }
    const apiNodes = await cluster()
      .then(({ client }) => client.resource(nodes).list())
      .then((list) => list.items)
      .catch(() => undefined);
    const rows = machines.map((m) => {
      const node = apiNodes?.find((n) => n.metadata.name === m.name);
      return [
        m.name,
        apiNodes ? (node ? nodeStatus(node) : 'NotRegistered') : '?',
        node ? nodeRoles(node) : '',
        node?.status?.nodeInfo?.kubeletVersion ?? '',
        m.nodeIP,
        m.podCIDR,
        m.state === 'running' ? `running (pid ${m.pid})` : 'stopped',
      ];
    });
    printTable(['NAME', 'STATUS', 'ROLES', 'VERSION', 'INTERNAL-IP', 'POD-CIDR', 'AGENT'], rows);
    if (!apiNodes) console.log('(the API server is not reachable: STATUS unknown)');
  });
}

/** kubectl get nodes' STATUS: the Ready condition, and SchedulingDisabled for a cordoned node. */
function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = !ready
    ? 'Unknown'
    : isNodeReady(node)
      ? 'Ready'
      : ready.status === 'False'
        ? 'NotReady'
        : 'Unknown';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

/** kubectl's ROLES: the node-role.kubernetes.io/<role> labels. */
function nodeRoles(node: Node): string {
  const prefix = 'node-role.kubernetes.io/';
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
  return roles.length > 0 ? roles.join(',') : '<none>';
}

/** `orch-lab node add NAME`: the node's folder and credentials, its agent started, and Ready. */
export async function nodeAdd(options: NodeFlags & { home: string; name: string }): Promise<void> {
  await withNodes(options.home, async (provider, cluster) => {
    await provider.preflight();
    const added = await provider.add(nodeSpec(options.name, options));
    console.log(`Added ${added.name}: node IP ${added.nodeIP}, pod CIDR ${added.podCIDR}`);
    await startAndWait(options.home, provider, (await cluster()).client, options.name);
  });
}

/** `orch-lab node start NAME`. */
export async function nodeStart(options: { home: string; name: string }): Promise<void> {
  await withNodes(options.home, async (provider, cluster) =>
    startAndWait(options.home, provider, (await cluster()).client, options.name),
  );
}

async function startAndWait(home: string, provider: NodeProvider, client: RestClient, name: string) {
  const started = Date.now();
  const before = (await provider.list()).find((m) => m.name === name);
  if (before?.state === 'running') {
    console.log(`${name} is already running (pid ${before.pid}).`);
    return;
  }
  const machine: NodeMachine = await provider.start(name);
  const log =
    provider instanceof DockerNodeProvider ? `docker logs ${containerName(name)}` : nodePaths(home, name).log;
  console.log(`Started the agent of ${name} (pid ${machine.pid}); log: ${log}`);
  await waitReady(home, provider, client, [name], started);
  console.log(`${name} is Ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

/** `orch-lab node stop NAME`: a clean shutdown; the Node turns NotReady once its lease runs out. */
export async function nodeStop(options: { home: string; name: string }): Promise<void> {
  await withNodes(options.home, async (provider) => {
    await provider.stop(options.name);
    console.log(`Stopped ${options.name}.`);
  });
}

/** `orch-lab node kill NAME`: the agent dies at once, and its pods' processes with it. */
export async function nodeKill(options: { home: string; name: string }): Promise<void> {
  await withNodes(options.home, async (provider) => {
    const machine = (await provider.list()).find((m) => m.name === options.name);
    await provider.kill(options.name);
    console.log(
      `Killed the agent of ${options.name} (pid ${machine?.pid}, SIGKILL): its containers die with it. ` +
        'The node controller marks the Node NotReady once its lease expires (40s).',
    );
  });
}

/** `orch-lab node remove NAME`. */
export async function nodeRemove(options: { home: string; name: string }): Promise<void> {
  await withNodes(options.home, async (provider) => {
    await provider.remove(options.name);
    console.log(
      `Removed ${options.name}: its agent, its Node object and ${nodePaths(options.home, options.name).dir}.`,
    );
  });
}

/**
 * The runtime `up` starts nodes with, and the address the API server must listen on for them:
 * 127.0.0.1 for process nodes; for Docker nodes the lab network's gateway, which is this host on the
 * network the containers are on (unless `--api-host` names another address they reach it at, as
 * with an engine on another machine).
 */
export async function chooseLabRuntime(
  home: string,
  requested: { runtime: string; apiHost?: string; nodes: number },
  progress: UpProgress,
): Promise<{ runtime: NodeRuntime; apiHost: string }> {
  const note = (line: string) => progress.note(line);
  const runtime = await chooseRuntime(home, requested.runtime, note, requested.nodes > 0);
  if (runtime === 'process' || requested.apiHost)
    return { runtime, apiHost: requested.apiHost ?? '127.0.0.1' };
  const network = await withNodes(home, (provider) => (provider as DockerNodeProvider).network(), {
    runtime,
  });
  // Bound, not looked up: a bridge with no container yet is down, and lists of interfaces skip it.
  const local = await new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(0, network.gateway, () => server.close(() => resolve(true)));
  });
  if (!local) {
    throw new Error(
      `the lab network's gateway ${network.gateway} is not an address of this machine (is DOCKER_HOST an ` +
        'engine elsewhere?): start with --api-host <an address of this machine that the Docker host reaches>',
    );
  }
  return { runtime, apiHost: network.gateway };
}

/** What `node pause|unpause|partition|heal` do to a node container. */
export type DockerNodeAction = 'pause' | 'unpause' | 'partition' | 'heal';

const DONE: Record<DockerNodeAction, (name: string) => string> = {
  pause: (name) =>
    `Paused ${name} (docker pause): its agent and pods are frozen and its heartbeats stop; the Node turns NotReady after the grace period.`,
  unpause: (name) => `Unpaused ${name}: its kubelet heartbeats again.`,
  partition: (name) =>
    `Cut ${name} off the lab network: it runs on, but reaches neither the API server nor other nodes.`,
  heal: (name) => `${name} is back on the lab network.`,
};

/** `orch-lab node pause|unpause|partition|heal NAME`: failures only a node in a container can have. */
export async function nodeDockerAction(options: {
  home: string;
  name: string;
  action: DockerNodeAction;
}): Promise<void> {
  await withNodes(options.home, async (provider) => {
    if (!(provider instanceof DockerNodeProvider)) {
      throw new Error(
        `node ${options.action} needs Docker nodes; the nodes of the lab in ${options.home} are processes ` +
          '(orch-lab down --purge, then orch-lab up --runtime docker)',
      );
    }
    await provider[options.action](options.name);
    console.log(DONE[options.action](options.name));
  });
}

/** The node part of `orch-lab down --purge`: a Docker lab's containers, network and images. */
export async function purgeLabNodes(home: string): Promise<void> {
  await withNodes(home, async (provider) => {
    if (!(provider instanceof DockerNodeProvider)) return;
    for (const what of await provider.purge()) console.log(`Removed ${what}.`);
  });
}

/**
 * `orch-lab logs [node]` on a Docker lab: the named node's container output, as docker logs shows
 * it. Answers whether it printed any, so the log files of the host (the control plane) come next.
 */
export async function printNodeContainerLogs(home: string, component?: string): Promise<boolean> {
  if ((await recordedRuntime(home)) !== 'docker') return false;
  return withNodes(home, async (provider) => {
    const names = (await provider.list())
      .map((m) => m.name)
      .filter((n) => component && n.startsWith(component));
    for (const name of names) {
      console.log(`==> docker logs ${containerName(name)} <==`);
      process.stdout.write(await (provider as DockerNodeProvider).logs(name, 'all'));
    }
    return names.length > 0;
  });
}

/** The lab's nodes for `orch-lab status`. */
export async function printNodeStatus(home: string): Promise<void> {
  await withNodes(home, async (provider) => {
    const machines = await provider.list();
    console.log(`Nodes:         ${machines.length === 0 ? 'none' : ''}`);
    for (const m of machines) {
      const state = m.state === 'running' ? `running, pid ${m.pid}` : 'stopped';
      console.log(`  ${m.name.padEnd(12)} ${m.nodeIP.padEnd(15)} ${m.podCIDR.padEnd(17)} ${state}`);
    }
  });
}

/** `orch-lab node-agent --config <nodeDir>/node.json`: the node itself, until SIGTERM. */
export async function nodeAgent(options: { config: string }): Promise<void> {
  const { runAgentProcess } = await import('../../cluster/nodes/agent.ts');
  await runAgentProcess(options.config);
}
