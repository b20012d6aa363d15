import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { z } from 'zod';
import { DEFAULT_SERVICE_CIDR } from '../../allocator/ipallocator.ts';
import { milliValue, parseQuantity, value } from '../../api/quantity.ts';
import { type NodeConfig, nodePaths, readNodeConfig } from '../config.ts';
import { forgetNode, pointNodeAt, prepareNode, readNodeConfigs } from '../node-dir.ts';
import type { ClusterAccess, NodeMachine, NodeProvider, NodeSpec } from '../provider.ts';
import { DockerEngineError } from './engine.ts';
import { ensureNodeImage, IMAGE_LABELS } from './image.ts';
import {
  conflict,
  DOCKER_LOAD_BALANCER_IP_RANGE,
  dockerNodeAddresses,
  ensureNetwork,
  inspectNetwork,
  LAB_LABELS,
  type LabNetwork,
} from './network.ts';
import { deleteRoute, replacePodRoute, replaceServiceRoute, routeVia } from './routes.ts';
import { tarArchive } from './tar.ts';

/** The lab's name in Docker: its network, and the cluster label on all it makes (kind's "kind"). */
export const LAB_NAME = 'orch-lab';
/** Inside a node container: ORCH_LAB_HOME, so the node's folder is /var/lib/orch-lab/nodes/<name>. */
const NODE_HOME = '/var/lib/orch-lab';
/** Seconds a node agent gets to stop its pods after SIGTERM before the engine kills it. */
const STOP_TIMEOUT_S = 15;

export const containerName = (node: string) => `orch-lab-${node}`;

/** The Service addresses of a Docker lab: cluster IPs, and the external IPs of LoadBalancer Services. */
const SERVICE_RANGES = [DEFAULT_SERVICE_CIDR, DOCKER_LOAD_BALANCER_IP_RANGE];

/** $ORCH_LAB_HOME/docker.json: that this lab's nodes are containers, and on which network. */
const DockerLabFile = z.object({ cluster: z.string(), network: z.string() });
export const dockerLabFile = (home: string) => join(home, 'docker.json');

export async function isDockerLab(home: string): Promise<boolean> {
  return readFile(dockerLabFile(home), 'utf8')
    .then((text) => DockerLabFile.safeParse(JSON.parse(text)).success)
    .catch(() => false);
}

export interface DockerNodeProviderOptions {
  /** $ORCH_LAB_HOME */
  readonly home: string;
  /** The cluster, reached only when a node is added, started or removed. */
  readonly cluster: () => Promise<ClusterAccess>;
  /** A client of an engine that answered (connectEngine). */
  readonly docker: Dockerode;
  /** Told the image build's steps and anything worth knowing that is not an error. */
  readonly onProgress?: (line: string) => void;
}

/** What `docker inspect` says of a node container, as far as the provider cares. */
interface ContainerState {
  readonly id: string;
  readonly running: boolean;
  readonly paused: boolean;
  readonly pid: number;
  readonly networks: readonly string[];
  /** The image it was made from, by tag. */
  readonly image: string;
}

/**
 * DockerNodeProvider runs each node agent in a container of its own, as kind runs nodes: container
 * orch-lab-<node> with hostname <node>, on the lab's bridge network at a fixed IP, limited to the
 * node's CPU and memory capacity, running the same `orch-lab node-agent --config ...` as a process
 * node. The node's folder (node.json and credentials) is copied in before each start through the
 * engine's API, not mounted, so the engine may be on another machine (DOCKER_HOST); what the agent
 * writes (pods, logs) stays in the container and so survives stop and start.
 */
export class DockerNodeProvider implements NodeProvider {
  private readonly docker: Dockerode;
  private networkInfo: Promise<LabNetwork> | undefined;
  private image: Promise<string> | undefined;

  constructor(private readonly options: DockerNodeProviderOptions) {
    this.docker = options.docker;
  }

  /** Whether the engine is on this machine (a unix socket): only then can the host route to pods. */
  get localEngine(): boolean {
    return Boolean((this.docker.modem as { socketPath?: string }).socketPath);
  }

  /** The lab network: made on first use, with the lab's labels; its gateway is the host. */
  network(): Promise<LabNetwork> {
    this.networkInfo ??= (async () => {
      const network = await ensureNetwork(
        this.docker,
        { cluster: LAB_NAME, home: this.options.home },
        LAB_NAME,
      );
      await mkdir(this.options.home, { recursive: true, mode: 0o700 });
      await writeFile(
        dockerLabFile(this.options.home),
        `${JSON.stringify({ cluster: LAB_NAME, network: network.name })}\n`,
      );
      return network;
    })();
    this.networkInfo.catch(() => {
      this.networkInfo = undefined;
    });
    return this.networkInfo;
  }

  /** The node image, built now unless the engine has one of the same content. */
  nodeImage(): Promise<string> {
    this.image ??= ensureNodeImage(this.docker, {
      cluster: LAB_NAME,
      onProgress: this.options.onProgress,
    }).then((image) => image.tag);
    this.image.catch(() => {
      this.image = undefined;
    });
    return this.image;
  }

  /** The lab network and the node image, so nodes can be added and started. */
  async preflight(): Promise<void> {
    await this.network();
    await this.nodeImage();
  }

  async add(spec: NodeSpec): Promise<NodeMachine> {
    const network = await this.network();
    const config = await prepareNode(this.options.home, spec, await this.options.cluster(), (index) => ({
      ...dockerNodeAddresses(network, index),
      imageCache: `${NODE_HOME}/images`,
    }));
    await this.createContainer(config);
    return this.machine(config, await this.inspect(config.name));
  }

  async start(name: string): Promise<NodeMachine> {
    const config = await this.config(name);
    let state = await this.inspect(name);
    if (state?.running) return this.machine(config, state);
    // A stopped node moves to a newer node image (new orch-lab code): its pods are rebuilt from the API.
    const outdated = state && state.image !== (await this.nodeImage()) ? state : undefined;
    if (outdated) {
      await this.docker.getContainer(outdated.id).remove({ force: true, v: true });
      // The old image goes with the last node that used it; the engine refuses while others still do.
      await this.docker
        .getImage(outdated.image)
        .remove()
        .catch(() => {});
      state = undefined;
    }
    state ??= await this.createContainer(config);
    const updated = await pointNodeAt(
      nodePaths(this.options.home, name).config,
      (await this.options.cluster()).apiServer,
    );
    const container = this.docker.getContainer(state.id);
    await container.putArchive(await this.nodeArchive(updated), { path: '/' });
    // A node stopped while partitioned comes back on the network: start means a working node.
    if (!state.networks.includes(LAB_NAME)) await this.connect(state.id, updated);
    await container.start();
    await this.routePods(updated).catch(async (err) => {
      if ((await this.inspect(name))?.running) throw err;
      throw new DockerEngineError(`the agent of ${name} exited as it started:\n${await this.logs(name)}`);
    });
    await this.routeServices();
    state = (await this.inspect(name)) ?? state;
    return this.machine(updated, state);
  }

  async stop(name: string): Promise<void> {
    const state = await this.inspect(name);
    if (!state?.running) return;
    const container = this.docker.getContainer(state.id);
    if (state.paused) await container.unpause();
    await container.stop({ t: STOP_TIMEOUT_S }).catch(ignoreStatus(304));
    await this.routeServices();
  }

  async kill(name: string): Promise<void> {
    const state = await this.inspect(name);
    if (!state?.running) throw new Error(`node ${name} is not running`);
    await this.docker.getContainer(state.id).kill({ signal: 'SIGKILL' });
    await this.routeServices();
  }

  /** docker pause: every process of the node is frozen, as a hung machine would be. */
  async pause(name: string): Promise<void> {
    const state = await this.running(name);
    if (!state.paused) await this.docker.getContainer(state.id).pause();
    await this.routeServices();
  }

  async unpause(name: string): Promise<void> {
    const state = await this.running(name);
    if (state.paused) await this.docker.getContainer(state.id).unpause();
    await this.routeServices();
  }

  /** Cuts the node off the lab network: it keeps running, but reaches nothing and nothing reaches it. */
  async partition(name: string): Promise<void> {
    const state = await this.running(name);
    if (!state.networks.includes(LAB_NAME)) return;
    await this.docker.getNetwork(LAB_NAME).disconnect({ Container: state.id, Force: true });
    await this.routeServices();
  }

  /** Puts a partitioned node back on the lab network, at the IP its certificate names. */
  async heal(name: string): Promise<void> {
    const config = await this.config(name);
    const state = await this.running(name);
    if (state.networks.includes(LAB_NAME)) return;
    await this.connect(state.id, config);
    await this.routePods(config);
    await this.routeServices();
  }

  async remove(name: string): Promise<void> {
    const config = await this.config(name);
    const state = await this.inspect(name);
    if (state) await this.docker.getContainer(state.id).remove({ force: true, v: true });
    if (this.localEngine) {
      for (const range of [config.podCIDR, ...SERVICE_RANGES]) await deleteRoute(range, config.nodeIP);
    }
    await forgetNode(this.options.home, name, await this.options.cluster());
    await this.routeServices();
  }

  async list(): Promise<NodeMachine[]> {
    const configs = await readNodeConfigs(this.options.home);
    return Promise.all(configs.map(async (c) => this.machine(c, await this.inspect(c.name))));
  }

  /** The last lines the node's agent wrote (docker logs --tail). */
  async logs(name: string, lines: number | 'all' = 15): Promise<string> {
    const state = await this.inspect(name);
    if (!state) return '';
    const raw = await this.docker
      .getContainer(state.id)
      .logs({ stdout: true, stderr: true, ...(lines === 'all' ? {} : { tail: lines }) });
    return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  }

  /**
   * `down --purge`: removes exactly what this lab made (containers and network carrying its home
   * label, node images carrying its cluster label that no other container uses) and its host routes.
   * Answers what was removed.
   */
  async purge(): Promise<string[]> {
    const removed: string[] = [];
    for (const config of await readNodeConfigs(this.options.home)) {
      if (!this.localEngine) break;
      for (const range of [config.podCIDR, ...SERVICE_RANGES]) await deleteRoute(range, config.nodeIP);
    }
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LAB_LABELS.home}=${this.options.home}`] },
    });
    for (const c of containers) {
      await this.docker.getContainer(c.Id).remove({ force: true, v: true });
      removed.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`);
    }
    const network = await inspectNetwork(this.docker, LAB_NAME);
    if (network?.Labels?.[LAB_LABELS.home] === this.options.home) {
      await this.docker.getNetwork(network.Id).remove();
      removed.push(`network ${LAB_NAME}`);
    }
    const images = await this.docker.listImages({
      filters: { label: [`${IMAGE_LABELS.cluster}=${LAB_NAME}`] },
    });
    for (const image of images) {
      // An image another lab's containers still run is theirs too: the engine refuses (409), and it stays.
      const gone = await this.docker
        .getImage(image.Id)
        .remove()
        .then(
          () => true,
          () => false,
        );
      if (gone) removed.push(`image ${image.RepoTags?.join(', ') || image.Id}`);
    }
    await rm(dockerLabFile(this.options.home), { force: true });
    return removed;
  }

  private async connect(id: string, config: NodeConfig): Promise<void> {
    await this.docker.getNetwork(LAB_NAME).connect({
      Container: id,
      EndpointConfig: { IPAMConfig: { IPv4Address: config.nodeIP } },
    });
  }

  /** The labels that make a container this lab's. */
  private labels(): Record<string, string> {
    return { [LAB_LABELS.cluster]: LAB_NAME, [LAB_LABELS.home]: this.options.home };
  }

  private async config(name: string): Promise<NodeConfig> {
    return readNodeConfig(nodePaths(this.options.home, name).config).catch((err) => {
      if ((err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') {
        throw new Error(`node ${name} does not exist; add it with: orch-lab node add ${name}`);
      }
      throw err;
    });
  }

  private async running(name: string): Promise<ContainerState> {
    await this.config(name);
    const state = await this.inspect(name);
    if (!state?.running)
      throw new Error(`node ${name} is not running; start it with: orch-lab node start ${name}`);
    return state;
  }

  /**
   * The node's container, or undefined when there is none. A container of that name made by
   * something else (another lab home, or not orch-lab) is never touched: it is a conflict to clear.
   */
  private async inspect(name: string): Promise<ContainerState | undefined> {
    const info = await this.docker
      .getContainer(containerName(name))
      .inspect()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return undefined;
        throw err;
      });
    if (!info) return undefined;
    const owner = info.Config.Labels?.[LAB_LABELS.home];
    if (owner !== this.options.home)
      throw await conflict(`container ${containerName(name)}`, owner, LAB_NAME);
    return {
      id: info.Id,
      running: info.State.Running,
      paused: info.State.Paused,
      pid: info.State.Pid,
      networks: Object.keys(info.NetworkSettings.Networks ?? {}),
      image: info.Config.Image,
    };
  }

  private async createContainer(config: NodeConfig): Promise<ContainerState> {
    const existing = await this.inspect(config.name);
    if (existing) return existing;
    const [image, network, info] = await Promise.all([this.nodeImage(), this.network(), this.docker.info()]);
    const cpus = milliValue(parseQuantity(config.capacity.cpu)) / 1000;
    const hostCpus = Number(info.NCPU) || cpus;
    if (cpus > hostCpus) {
      this.options.onProgress?.(
        `${config.name}: capacity cpu ${config.capacity.cpu} exceeds the engine's ${hostCpus} CPUs; its container is limited to ${hostCpus}`,
      );
    }
    const container = await this.docker.createContainer({
      name: containerName(config.name),
      Hostname: config.name,
      Image: image,
      Cmd: ['node-agent', '--config', `${NODE_HOME}/nodes/${config.name}/node.json`],
      // `orch-lab crictl` inside the node asks this node's runtime without --node.
      Env: [`ORCH_LAB_NODE=${config.name}`],
      Labels: { ...this.labels(), 'orch-lab.node': config.name },
      StopTimeout: STOP_TIMEOUT_S,
      HostConfig: {
        NetworkMode: network.name,
        // The agent adds its pod range as local addresses (ip route), so pods can bind their IPs.
        CapAdd: ['NET_ADMIN'],
        // docker-init as PID 1 reaps what pods leave behind and passes SIGTERM to the agent.
        Init: true,
        Memory: value(parseQuantity(config.capacity.memory)),
        NanoCpus: Math.round(Math.min(cpus, hostCpus) * 1e9),
      },
      NetworkingConfig: {
        EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: config.nodeIP } } },
      },
    });
    return { id: container.id, running: false, paused: false, pid: 0, networks: [network.name], image };
  }

  /** node.json and the credentials, as a tar of <NODE_HOME>/nodes/<name>/ for PUT /archive at /. */
  private async nodeArchive(config: NodeConfig): Promise<Buffer> {
    const dir = nodePaths(this.options.home, config.name).dir;
    const inside = `${NODE_HOME.slice(1)}/nodes/${config.name}`;
    const files = ['node.json', config.credentials.kubeconfig];
    const pki = await readdir(join(dir, 'pki')).catch(() => [] as string[]);
    files.push(...pki.map((f) => `pki/${f}`));
    const entries = [
      { path: `${inside}/`, mode: 0o700 },
      { path: `${inside}/pki/`, mode: 0o700 },
      ...(await Promise.all(
        files.map(async (f) => ({
          path: `${inside}/${f}`,
          content: await readFile(join(dir, f)),
          mode: 0o600,
        })),
      )),
    ];
    return tarArchive(entries);
  }

  /**
   * The node's pod range, and the Service ranges, made local inside its container (AnyIP routes), so
   * each pod binds its own IP and the node's kube-proxy binds cluster and external IPs with no
   * address to add per pod or Service; and the pod range routed to the container from the host.
   */
  private async routePods(config: NodeConfig): Promise<void> {
    for (const range of [config.podCIDR, ...SERVICE_RANGES]) {
      const output = await this.exec(config.name, ['ip', 'route', 'replace', 'local', range, 'dev', 'lo']);
      if (output.exitCode !== 0) {
        throw new DockerEngineError(
          `${config.name}: could not make ${range} local inside its container: ${output.text.trim()}`,
        );
      }
    }
    if (this.localEngine) {
      await replacePodRoute(config.podCIDR, config.nodeIP).catch((err) =>
        this.options.onProgress?.(err.message),
      );
    } else {
      this.options.onProgress?.(
        `${config.name}: the engine is on another machine (DOCKER_HOST), so pod IPs ${config.podCIDR} and ` +
          'Service addresses are not routed from this one; reach them through kubectl (logs, exec, attach) ' +
          'or at node ports on the engine machine instead.',
      );
    }
  }

  /**
   * Routes the Service ranges from the host via a node that can answer (running, not paused, on the
   * lab network): the one they go via now while it can, else the first. Called whenever a node
   * comes or goes, so `curl <cluster IP>` from the host keeps working while any node runs.
   */
  private async routeServices(): Promise<void> {
    if (!this.localEngine) return;
    const configs = await readNodeConfigs(this.options.home);
    const serving: string[] = [];
    for (const config of configs) {
      const state = await this.inspect(config.name);
      if (state?.running && !state.paused && state.networks.includes(LAB_NAME)) serving.push(config.nodeIP);
    }
    if (serving.length === 0) return;
    for (const range of SERVICE_RANGES) {
      const via = await routeVia(range);
      const next = via && serving.includes(via) ? via : serving[0]!;
      if (next === via) continue;
      await replaceServiceRoute(
        range,
        next,
        configs.map((c) => c.nodeIP),
      ).catch((err: Error) => this.options.onProgress?.(err.message));
    }
  }

  /** Runs a command in the node's container (docker exec) and answers its exit code and output. */
  private async exec(name: string, cmd: string[]): Promise<{ exitCode: number; text: string }> {
    const exec = await this.docker
      .getContainer(containerName(name))
      .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const output: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => output.push(chunk));
    await new Promise((resolve) => stream.on('end', resolve));
    const { ExitCode } = await exec.inspect();
    return { exitCode: ExitCode ?? -1, text: demux(Buffer.concat(output)) };
  }

  private machine(config: NodeConfig, state: ContainerState | undefined): NodeMachine {
    return {
      name: config.name,
      state: state?.running ? 'running' : 'stopped',
      ...(state?.running ? { pid: state.pid } : {}),
      nodeIP: config.nodeIP,
      podCIDR: config.podCIDR,
    };
  }
}

/**
 * The text of a log or exec stream of a container without a TTY, which the engine sends as frames:
 * 8 bytes of header (stream number, then the length as a 32-bit big-endian number), then the bytes.
 */
function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function ignoreStatus(code: number) {
  return (err: { statusCode?: number }) => {
    if (err.statusCode !== code) throw err;
  };
}
