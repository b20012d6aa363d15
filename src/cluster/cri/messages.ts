// runtime.v1's messages as @grpc/proto-loader decodes them with the options of proto.ts: camelCase
// names, int64 as decimal strings, enums as names, every scalar present. A message-typed field
// that was not sent decodes as null. The same shapes go out, where protobufjs also takes an int64
// as a number or a decimal string.

import type { ContainerState, PodSandboxState } from '../runtime/cri.ts';

type Labels = Record<string, string>;

export interface PodSandboxMetadataPb {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface NamespaceOptionPb {
  network: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
  pid: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
  ipc: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
}

export interface PodSandboxConfigPb {
  metadata: PodSandboxMetadataPb | null;
  hostname: string;
  logDirectory: string;
  dnsConfig: { servers: string[]; searches: string[]; options: string[] } | null;
  labels: Labels;
  annotations: Labels;
  linux: {
    cgroupParent: string;
    securityContext: { namespaceOptions: NamespaceOptionPb | null; privileged: boolean } | null;
  } | null;
}

export interface PodSandboxStatusPb {
  id: string;
  metadata: PodSandboxMetadataPb | null;
  state: PodSandboxState;
  createdAt: string;
  network: { ip: string } | null;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}

/** A sandbox as ListPodSandbox has it: no network. */
export type PodSandboxPb = Omit<PodSandboxStatusPb, 'network'>;

export interface ImageSpecPb {
  image: string;
  annotations: Labels;
}

export interface MountPb {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface LinuxContainerResourcesPb {
  cpuPeriod: string;
  cpuQuota: string;
  cpuShares: string;
  memoryLimitInBytes: string;
  oomScoreAdj: string;
}

export interface ContainerConfigPb {
  metadata: { name: string; attempt: number } | null;
  image: ImageSpecPb | null;
  command: string[];
  args: string[];
  workingDir: string;
  envs: { key: string; value: string }[];
  mounts: MountPb[];
  labels: Labels;
  annotations: Labels;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: {
    resources: LinuxContainerResourcesPb | null;
    securityContext: { privileged: boolean; namespaceOptions: NamespaceOptionPb | null } | null;
  } | null;
}

/** A container as ListContainers has it: no times, exit code or log path. */
export interface ContainerPb {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: ImageSpecPb | null;
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  labels: Labels;
  annotations: Labels;
}

export interface ContainerStatusPb {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: ContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: ImageSpecPb | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: MountPb[];
  logPath: string;
}

export interface ContainerFilterPb {
  id: string;
  state: { state: ContainerState } | null;
  podSandboxId: string;
  labelSelector: Labels;
}

export interface PodSandboxFilterPb {
  id: string;
  state: { state: PodSandboxState } | null;
  labelSelector: Labels;
}

export interface ImagePb {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
}

export interface ContainerStatsPb {
  attributes: {
    id: string;
    metadata: { name: string; attempt: number } | null;
    labels: Labels;
    annotations: Labels;
  } | null;
  cpu: { timestamp: string; usageCoreNanoSeconds: { value: string } | null } | null;
  memory: { timestamp: string; workingSetBytes: { value: string } | null } | null;
}

export interface ContainerEventPb {
  containerId: string;
  containerEventType:
    | 'CONTAINER_CREATED_EVENT'
    | 'CONTAINER_STARTED_EVENT'
    | 'CONTAINER_STOPPED_EVENT'
    | 'CONTAINER_DELETED_EVENT';
  createdAt: string;
  podSandboxStatus: PodSandboxStatusPb | null;
}

export interface AuthConfigPb {
  username: string;
  password: string;
  auth: string;
  serverAddress: string;
  identityToken: string;
  registryToken: string;
}
