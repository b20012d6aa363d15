import type {
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerStatus,
  Image,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
} from '../runtime/cri.ts';
import type {
  ContainerConfigPb,
  ContainerEventPb,
  ContainerFilterPb,
  ContainerPb,
  ContainerStatsPb,
  ContainerStatusPb,
  ImagePb,
  PodSandboxConfigPb,
  PodSandboxFilterPb,
  PodSandboxPb,
  PodSandboxStatusPb,
} from './messages.ts';
import type { ContainerStats } from './services.ts';

/**
 * Converters between the lab's CRI types (runtime/cri.ts) and runtime.v1's messages (messages.ts),
 * both ways: the lab runtime's server decodes requests and encodes answers with them, and the
 * kubelet's client does the opposite. Times are nanoseconds: bigint in the lab, a decimal string on
 * the wire.
 */

const nanos = (value: string) => BigInt(value || '0');
const noMetadata = { name: '', uid: '', namespace: '', attempt: 0 };

/**
 * The namespaces the kubelet asks for (kuberuntime's namespacesForPod): the pod's network and IPC,
 * and a PID namespace per container, so each container's process is its own PID 1. proto3 makes an
 * unset mode POD (0), which would share one PID namespace across the pod.
 */
const POD_NAMESPACES = { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } as const;

export const sandboxConfigPb = (c: PodSandboxConfig): Partial<PodSandboxConfigPb> => ({
  metadata: { ...c.metadata },
  hostname: c.hostname,
  logDirectory: c.logDirectory,
  labels: { ...c.labels },
  annotations: { ...c.annotations },
  linux: {
    cgroupParent: '',
    securityContext: { namespaceOptions: { ...POD_NAMESPACES }, privileged: false },
  },
});

export const sandboxConfigFromPb = (pb: PodSandboxConfigPb): PodSandboxConfig => ({
  metadata: pb.metadata ?? noMetadata,
  hostname: pb.hostname,
  logDirectory: pb.logDirectory,
  labels: pb.labels,
  annotations: pb.annotations,
});

export const containerConfigPb = (c: ContainerConfig): Partial<ContainerConfigPb> => ({
  metadata: { ...c.metadata },
  image: { image: c.image, annotations: {} },
  command: [...c.command],
  args: [...c.args],
  workingDir: c.workingDir,
  envs: c.envs.map((e) => ({ ...e })),
  mounts: c.mounts.map((m) => ({ ...m })),
  labels: { ...c.labels },
  annotations: { ...c.annotations },
  logPath: c.logPath,
  stdin: c.stdin,
  stdinOnce: c.stdinOnce,
  tty: c.tty,
  linux: {
    resources: {
      cpuPeriod: String(c.linux.resources.cpuPeriod),
      cpuQuota: String(c.linux.resources.cpuQuota),
      cpuShares: String(c.linux.resources.cpuShares),
      memoryLimitInBytes: String(c.linux.resources.memoryLimitInBytes),
      oomScoreAdj: '0',
    },
    securityContext: { privileged: false, namespaceOptions: { ...POD_NAMESPACES } },
  },
});

export function containerConfigFromPb(pb: ContainerConfigPb): ContainerConfig {
  const resources = pb.linux?.resources;
  return {
    metadata: pb.metadata ?? { name: '', attempt: 0 },
    image: pb.image?.image ?? '',
    command: pb.command,
    args: pb.args,
    workingDir: pb.workingDir,
    envs: pb.envs,
    mounts: pb.mounts.map(({ containerPath, hostPath, readonly }) => ({ containerPath, hostPath, readonly })),
    logPath: pb.logPath,
    stdin: pb.stdin,
    stdinOnce: pb.stdinOnce,
    tty: pb.tty,
    labels: pb.labels,
    annotations: pb.annotations,
    linux: {
      resources: {
        cpuPeriod: Number(resources?.cpuPeriod ?? 0),
        cpuQuota: Number(resources?.cpuQuota ?? 0),
        cpuShares: Number(resources?.cpuShares ?? 0),
        memoryLimitInBytes: Number(resources?.memoryLimitInBytes ?? 0),
      },
    },
  };
}

export const podSandboxPb = (s: PodSandboxStatus): Partial<PodSandboxPb> => ({
  id: s.id,
  metadata: { ...s.metadata },
  state: s.state,
  createdAt: String(s.createdAt),
  labels: { ...s.labels },
  annotations: { ...s.annotations },
});

export const sandboxStatusPb = (s: PodSandboxStatus): Partial<PodSandboxStatusPb> => ({
  ...podSandboxPb(s),
  network: { ip: s.network.ip },
});

export const sandboxStatusFromPb = (pb: PodSandboxPb & Partial<PodSandboxStatusPb>): PodSandboxStatus => ({
  id: pb.id,
  metadata: pb.metadata ?? noMetadata,
  state: pb.state,
  createdAt: nanos(pb.createdAt),
  network: { ip: pb.network?.ip ?? '' },
  labels: pb.labels,
  annotations: pb.annotations,
});

export const containerPb = (c: ContainerStatus): Partial<ContainerPb> => ({
  id: c.id,
  podSandboxId: c.podSandboxId,
  metadata: { ...c.metadata },
  image: { image: c.image, annotations: {} },
  imageRef: c.imageRef,
  state: c.state,
  createdAt: String(c.createdAt),
  labels: { ...c.labels },
  annotations: { ...c.annotations },
});

export const containerStatusPb = (c: ContainerStatus): Partial<ContainerStatusPb> => ({
  id: c.id,
  metadata: { ...c.metadata },
  state: c.state,
  createdAt: String(c.createdAt),
  startedAt: String(c.startedAt),
  finishedAt: String(c.finishedAt),
  exitCode: c.exitCode,
  image: { image: c.image, annotations: {} },
  imageRef: c.imageRef,
  reason: c.reason,
  message: c.message,
  labels: { ...c.labels },
  annotations: { ...c.annotations },
  logPath: c.logPath,
});

/** What ContainerStatus has, with the sandbox ID that only ListContainers carries. */
export const containerStatusFromPb = (
  pb: ContainerStatusPb,
  podSandboxId: string,
  pid?: number,
): ContainerStatus => ({
  id: pb.id,
  podSandboxId,
  metadata: pb.metadata ?? { name: '', attempt: 0 },
  state: pb.state,
  createdAt: nanos(pb.createdAt),
  startedAt: nanos(pb.startedAt),
  finishedAt: nanos(pb.finishedAt),
  exitCode: pb.exitCode,
  image: pb.image?.image ?? '',
  imageRef: pb.imageRef,
  reason: pb.reason,
  message: pb.message,
  labels: pb.labels,
  annotations: pb.annotations,
  logPath: pb.logPath,
  ...(pid ? { pid } : {}),
});

export const containerFilterPb = (f: ContainerFilter): Partial<ContainerFilterPb> => ({
  id: f.id ?? '',
  podSandboxId: f.podSandboxId ?? '',
  labelSelector: { ...f.labelSelector },
  ...(f.state ? { state: { state: f.state } } : {}),
});

export const containerFilterFromPb = (pb: ContainerFilterPb | null): ContainerFilter => ({
  ...(pb?.id ? { id: pb.id } : {}),
  ...(pb?.podSandboxId ? { podSandboxId: pb.podSandboxId } : {}),
  ...(pb?.state ? { state: pb.state.state } : {}),
  ...(pb && Object.keys(pb.labelSelector).length > 0 ? { labelSelector: pb.labelSelector } : {}),
});

export const sandboxFilterPb = (f: PodSandboxFilter): Partial<PodSandboxFilterPb> => ({
  id: f.id ?? '',
  labelSelector: { ...f.labelSelector },
  ...(f.state ? { state: { state: f.state } } : {}),
});

export const sandboxFilterFromPb = (pb: PodSandboxFilterPb | null): PodSandboxFilter => ({
  ...(pb?.id ? { id: pb.id } : {}),
  ...(pb?.state ? { state: pb.state.state } : {}),
  ...(pb && Object.keys(pb.labelSelector).length > 0 ? { labelSelector: pb.labelSelector } : {}),
});

export const imagePb = (i: Image): Partial<ImagePb> => ({
  id: i.id,
  repoTags: [...i.repoTags],
  repoDigests: [],
  size: String(i.size),
});

export const imageFromPb = (pb: ImagePb): Image => ({
  id: pb.id,
  repoTags: pb.repoTags,
  size: Number(pb.size),
});

export const containerStatsPb = (s: ContainerStats): Partial<ContainerStatsPb> => ({
  attributes: {
    id: s.id,
    metadata: { ...s.metadata },
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  },
  cpu: { timestamp: String(s.timestamp), usageCoreNanoSeconds: { value: String(s.usageCoreNanoSeconds) } },
  memory: { timestamp: String(s.timestamp), workingSetBytes: { value: String(s.workingSetBytes) } },
});

export const containerStatsFromPb = (pb: ContainerStatsPb): ContainerStats => ({
  id: pb.attributes?.id ?? '',
  metadata: pb.attributes?.metadata ?? { name: '', attempt: 0 },
  labels: pb.attributes?.labels ?? {},
  annotations: pb.attributes?.annotations ?? {},
  timestamp: nanos(pb.cpu?.timestamp ?? pb.memory?.timestamp ?? '0'),
  usageCoreNanoSeconds: nanos(pb.cpu?.usageCoreNanoSeconds?.value ?? '0'),
  workingSetBytes: nanos(pb.memory?.workingSetBytes?.value ?? '0'),
});

export const containerEventPb = (e: ContainerEvent): Partial<ContainerEventPb> => ({
  containerId: e.containerId,
  containerEventType: e.type,
  createdAt: String(e.createdAt),
  // The sandbox's status names it; the kubelet needs no more of it to find the pod.
  podSandboxStatus: { ...EMPTY_SANDBOX_STATUS, id: e.podSandboxId },
});

export const containerEventFromPb = (pb: ContainerEventPb): ContainerEvent => ({
  containerId: pb.containerId,
  podSandboxId: pb.podSandboxStatus?.id ?? '',
  type: pb.containerEventType,
  createdAt: nanos(pb.createdAt),
});

const EMPTY_SANDBOX_STATUS: PodSandboxStatusPb = {
  id: '',
  metadata: null,
  state: 'SANDBOX_READY',
  createdAt: '0',
  network: null,
  labels: {},
  annotations: {},
  runtimeHandler: '',
};
