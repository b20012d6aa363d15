import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import type { Node, NodeCondition, NodeStatus } from '../api/core/node.ts';
import { formatTime } from '../api/meta.ts';
import { nodes } from '../api/resources.ts';
import { VERSION_INFO } from '../api/version.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import { isAlreadyExists } from '../client/rest-client.ts';
import type { RuntimeCondition } from '../cri/services.ts';
import type { KubeletConfig } from './config.ts';

/** GOARCH as Kubernetes names architectures. */
export const NODE_ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

/** What does not change while the kubelet runs: read once at start (nodestatus.MachineInfo). */
export interface MachineInfo {
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
  readonly osImage: string;
  readonly kernelVersion: string;
  readonly containerRuntimeVersion: string;
}

/**
 * The node's identity. Every lab node runs on the same machine, so /etc/machine-id alone would
 * make them look like one: the node name is mixed in, as distinct VMs would have distinct IDs.
 */
export async function readMachineInfo(nodeName: string, runtimeVersion: string): Promise<MachineInfo> {
  const read = (path: string) =>
    readFile(path, 'utf8').then(
      (s) => s.trim(),
      () => '',
    );
  const hostID = (await read('/etc/machine-id')) || hostname();
  const digest = createHash('sha256').update(`${hostID}/${nodeName}`).digest('hex');
  const prettyName = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await read('/etc/os-release'))?.[1];
  return {
    machineID: digest.slice(0, 32),
    // A UUID's 8-4-4-4-12 layout over the next 32 hex digits.
    systemUUID: digest.slice(32, 64).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    bootID: (await read('/proc/sys/kernel/random/boot_id')) || digest.slice(0, 36),
    osImage: prettyName ?? `${process.platform}`,
    kernelVersion: release(),
    containerRuntimeVersion: runtimeVersion,
  };
}

/** The pressure conditions and Ready with the kubelet's reasons and messages (nodestatus setters). */
const CONDITIONS: readonly (Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'> & {
  event: string;
})[] = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
    event: 'NodeHasSufficientMemory',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
    event: 'NodeHasNoDiskPressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
    event: 'NodeHasSufficientPID',
  },
  {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    event: 'NodeReady',
  },
];

/**
 * What keeps the node from Ready on the runtime's side (the kubelet's runtimeState errors), in
 * its words, or undefined: CRI's Status must say RuntimeReady and NetworkReady.
 */
export function runtimeProblem(conditions: readonly RuntimeCondition[]): string | undefined {
  const runtime = conditions.find((c) => c.type === 'RuntimeReady');
  if (!runtime?.status) return 'container runtime is down';
  const network = conditions.find((c) => c.type === 'NetworkReady');
  if (!network?.status) {
    return `container runtime network not ready: NetworkReady=false reason:${network?.reason ?? ''} message:${network?.message ?? ''}`;
  }
  return undefined;
}

/**
 * NodeStatusManager registers the node and keeps its status current, after the kubelet's
 * kubelet_node_status.go: registerWithAPIServer creates the Node (or adopts the one a previous run
 * left), then updateNodeStatus runs the setters (addresses, machine info, capacity, conditions,
 * images, daemon endpoints) every nodeStatusUpdateFrequency and writes nodes/status.
 */
export class NodeStatusManager {
  private readonly nodeClient;
  /** Condition types whose transition event was already recorded for their current status. */
  private readonly announced = new Map<string, string>();

  constructor(
    private readonly config: KubeletConfig,
    private readonly machine: MachineInfo,
    private readonly recorder: EventRecorder,
    /** The port the kubelet server really listens on. */
    private readonly kubeletPort: () => number,
  ) {
    this.nodeClient = config.client.resource(nodes);
  }

  /** The Node object the kubelet would create: labels, taints, pod CIDR, and a first status. */
  initialNode(): Node {
    const { nodeName, labels, taints, podCIDR } = this.config;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: {
          'beta.kubernetes.io/arch': NODE_ARCH,
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': NODE_ARCH,
          'kubernetes.io/hostname': nodeName,
          'kubernetes.io/os': 'linux',
          ...labels,
        },
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: { podCIDR, podCIDRs: [podCIDR], ...(taints.length ? { taints: [...taints] } : {}) },
      status: { daemonEndpoints: { kubeletEndpoint: { Port: this.kubeletPort() } } },
    } as Node;
  }

  /** registerWithAPIServer: create the node, or bring an existing one's labels, taints and CIDR up to date. */
  async register(): Promise<Node> {
    const wanted = this.initialNode();
    try {
      return await this.nodeClient.create(wanted);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return await this.nodeClient.patch(this.config.nodeName, 'merge', {
      metadata: { labels: wanted.metadata.labels, annotations: wanted.metadata.annotations },
      spec: {
        podCIDR: wanted.spec.podCIDR,
        podCIDRs: wanted.spec.podCIDRs,
        taints: wanted.spec.taints ?? null,
      },
    });
  }

  /** One round of updateNodeStatus: compute the status from `current` and write it. */
  async update(current: Node, images: NodeStatus['images'], runtimeProblem?: string): Promise<Node> {
    const conditions = this.conditions(runtimeProblem);
    const status = this.desiredStatus(current, images, conditions);
    const updated = await this.nodeClient.patch(
      this.config.nodeName,
      'merge',
      { status },
      { subresource: 'status' },
    );
    for (const condition of conditions) {
      if (this.announced.get(condition.type) === condition.status) continue;
      this.announced.set(condition.type, condition.status);
      await this.nodeEvent(condition.event, `Node ${this.config.nodeName} status is now: ${condition.event}`);
    }
    return updated;
  }

  /** An event about the node itself; kubelet's node events carry the node name as their uid. */
  nodeEvent(reason: string, message: string): Promise<void> {
    const name = this.config.nodeName;
    return this.recorder.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } },
      'Normal',
      reason,
      message,
    );
  }

  /** The conditions now: Ready turns False, with the kubelet's reason, while the runtime has a problem. */
  private conditions(runtimeProblem: string | undefined): typeof CONDITIONS {
    if (!runtimeProblem) return CONDITIONS;
    return CONDITIONS.map((c) =>
      c.type === 'Ready'
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: runtimeProblem,
            event: 'NodeNotReady',
          }
        : c,
    );
  }

  private desiredStatus(
    current: Node,
    images: NodeStatus['images'],
    conditions: typeof CONDITIONS,
  ): NodeStatus {
    const now = formatTime(this.config.clock.now());
    const previous = new Map((current.status?.conditions ?? []).map((c) => [c.type, c]));
    const { cpu, memory, pods } = this.config.capacity;
    const resources = { cpu, memory, pods, 'ephemeral-storage': '10Gi' };
    return {
      capacity: resources,
      allocatable: resources,
      conditions: conditions.map(({ event: _event, ...c }) => {
        const before = previous.get(c.type);
        const since = before?.status === c.status ? before.lastTransitionTime : undefined;
        return { ...c, lastHeartbeatTime: now, lastTransitionTime: since ?? now };
      }),
      addresses: [
        { type: 'InternalIP', address: this.config.nodeIP },
        { type: 'Hostname', address: this.config.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.kubeletPort() } },
      nodeInfo: {
        machineID: this.machine.machineID,
        systemUUID: this.machine.systemUUID,
        bootID: this.machine.bootID,
        kernelVersion: this.machine.kernelVersion,
        osImage: this.machine.osImage,
        containerRuntimeVersion: this.machine.containerRuntimeVersion,
        kubeletVersion: VERSION_INFO.gitVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: NODE_ARCH,
      },
      images,
    };
  }
}
