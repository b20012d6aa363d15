import type { Readable, Writable } from 'node:stream';

/**
 * The Container Runtime Interface as the lab's kubelet sees it: the RuntimeService and ImageService
 * of k8s.io/cri-api (api.proto), with the same method and field names, as TypeScript. The lab
 * runtime implements it with one OS process per container; crictl and the kubelet both go through
 * it, so a learner can read the calls a kubelet makes to a runtime such as containerd.
 */

/** The state a CRI runtime reports for a container (runtime.v1.ContainerState). */
export type ContainerState =
  | 'CONTAINER_CREATED'
  | 'CONTAINER_RUNNING'
  | 'CONTAINER_EXITED'
  | 'CONTAINER_UNKNOWN';

/** The state of a pod sandbox (runtime.v1.PodSandboxState). */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly attempt: number;
}

export interface PodSandboxConfig {
  readonly metadata: PodSandboxMetadata;
  readonly hostname: string;
  /** Directory the pod's container logs go in: <node>/pods/<namespace>_<name>_<uid>. */
  readonly logDirectory: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface PodSandboxStatus {
  readonly id: string;
  readonly metadata: PodSandboxMetadata;
  readonly state: PodSandboxState;
  /** Nanoseconds since the epoch, as CRI counts. */
  readonly createdAt: bigint;
  /** The pod's IP, handed out from the node's pod CIDR when the sandbox was made. */
  readonly network: { readonly ip: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ContainerMetadata {
  readonly name: string;
  readonly attempt: number;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** A host directory seen inside the container at containerPath (runtime.v1.Mount). */
export interface Mount {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly readonly: boolean;
}

export interface LinuxContainerResources {
  /** CFS quota in microseconds per 100 ms period; 0 means unlimited. */
  readonly cpuQuota: number;
  readonly cpuPeriod: number;
  readonly cpuShares: number;
  /** 0 means unlimited; above it the runtime kills the container and reports OOMKilled. */
  readonly memoryLimitInBytes: number;
}

export interface ContainerConfig {
  readonly metadata: ContainerMetadata;
  /** The image reference as the pod spec names it, e.g. nginx, nginx:1.27, myapp:v2. */
  readonly image: string;
  /** Entrypoint override (the pod's command); empty keeps the image's. */
  readonly command: readonly string[];
  /** Arguments override (the pod's args); empty keeps the image's. */
  readonly args: readonly string[];
  readonly workingDir: string;
  readonly envs: readonly KeyValue[];
  readonly mounts: readonly Mount[];
  /** Relative to the sandbox's logDirectory: <container>/<attempt>.log, in the CRI log format. */
  readonly logPath: string;
  /** Keep the process's stdin open for attach sessions to write to. */
  readonly stdin: boolean;
  /** Close that stdin once the first attach session that used it is over. */
  readonly stdinOnce: boolean;
  /** Run as on a terminal: stderr goes out with stdout, "\n" as "\r\n" (see images/lib/main.ts). */
  readonly tty: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly linux: { readonly resources: LinuxContainerResources };
}

export interface ContainerStatus {
  readonly id: string;
  readonly podSandboxId: string;
  readonly metadata: ContainerMetadata;
  readonly state: ContainerState;
  /** Nanoseconds since the epoch; 0 when it has not happened. */
  readonly createdAt: bigint;
  readonly startedAt: bigint;
  readonly finishedAt: bigint;
  readonly exitCode: number;
  /** The image as asked for, and the resolved image ID (sha256:...). */
  readonly image: string;
  readonly imageRef: string;
  /** Why it exited: Completed, Error, OOMKilled; or why it could not start (StartError). */
  readonly reason: string;
  readonly message: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Absolute path of the current log file. */
  readonly logPath: string;
  /** Host process ID while running: the learner can find it with ps. */
  readonly pid?: number;
}

export interface ContainerFilter {
  readonly id?: string;
  readonly podSandboxId?: string;
  readonly state?: ContainerState;
  readonly labelSelector?: Readonly<Record<string, string>>;
}

export interface PodSandboxFilter {
  readonly id?: string;
  readonly state?: PodSandboxState;
  readonly labelSelector?: Readonly<Record<string, string>>;
}

/** What a container (or an exec'd process) is attached to while it runs. */
export interface ExecRequest {
  readonly containerId: string;
  readonly cmd: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
}

/** A process started by Exec: its streams, terminal size and exit. */
export interface ExecSession {
  /** Present when the request asked for stdin. */
  readonly stdin?: Writable;
  readonly stdout: Readable;
  /** With a tty, stderr is merged into stdout, as a terminal merges them. */
  readonly stderr?: Readable;
  resize(size: { readonly width: number; readonly height: number }): void;
  /** Resolves with the exit code once the process has exited and its output has been read. */
  readonly exited: Promise<number>;
}

/** Which of a running container's own streams a client joins (runtime.v1.AttachRequest). */
export interface AttachRequest {
  readonly containerId: string;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** As the container was created; with a tty there is no separate stderr to ask for. */
  readonly tty: boolean;
}

/**
 * A client joined to a running container by Attach. It sees the output from the attach on (only a
 * stdinOnce container's first session also gets what came before; see ContainerIO) and its input
 * goes to the container's stdin when the container was created with one (otherwise nowhere, as
 * with containerd). The container outlives the session.
 */
export interface AttachSession {
  /**
   * Present when asked for. Ending it closes the container's stdin when the container says
   * stdinOnce without a tty; otherwise it ends the session.
   */
  readonly stdin?: Writable;
  /** Present when asked for; they end when the session does. */
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  resize(size: { readonly width: number; readonly height: number }): void;
  /** Resolves once the session is over: the container exited, or the session detached. */
  readonly ended: Promise<void>;
  /** Leaves the container running; with stdinOnce, a session that had stdin closes it. */
  detach(): void;
}

/** A change the runtime noticed, after CRI's GetContainerEvents, so the kubelet need not poll. */
export interface ContainerEvent {
  readonly containerId: string;
  readonly podSandboxId: string;
  readonly type:
    | 'CONTAINER_CREATED_EVENT'
    | 'CONTAINER_STARTED_EVENT'
    | 'CONTAINER_STOPPED_EVENT'
    | 'CONTAINER_DELETED_EVENT';
  /** Nanoseconds since the epoch. */
  readonly createdAt: bigint;
}

export interface VersionResponse {
  readonly runtimeName: string;
  readonly runtimeVersion: string;
  readonly runtimeApiVersion: string;
}

export interface RuntimeService {
  version(): Promise<VersionResponse>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (SIGKILL at once, as CRI's StopPodSandbox does) and releases its IP. */
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;
  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeout seconds (0: at once). Resolves once the process has exited. */
  stopContainer(containerId: string, timeout: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Runs a command in a running container, as `kubectl exec` and exec probes need. */
  exec(request: ExecRequest): Promise<ExecSession>;
  /** Joins a client to a running container's own stdin and output (kubectl attach, run -it). */
  attach(request: AttachRequest): Promise<AttachSession>;
  /** Container changes as they happen; the listener is removed by the returned function. */
  onContainerEvent(listener: (event: ContainerEvent) => void): () => void;
}

export interface ImageSpec {
  readonly image: string;
}

export interface Image {
  /** sha256:<hex> of the image's contents. */
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size: number;
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  /** undefined when the node does not have it. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /**
   * Makes the image present and returns its ref; an image the lab has no program for fails with
   * ImageNotFoundError, whose message names the images the lab offers.
   */
  pullImage(image: ImageSpec): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
}

/** Thrown by pullImage for a reference the lab's image catalog does not have. */
export class ImageNotFoundError extends Error {
  constructor(
    readonly image: string,
    readonly available: readonly string[],
  ) {
    super(
      `failed to pull and unpack image "${image}": the lab's registry has no such image ` +
        `(orch-lab images: ${available.join(', ')})`,
    );
    this.name = 'ImageNotFoundError';
  }
}

/** Thrown when a container or sandbox ID is not known to the runtime (gRPC NotFound in real CRI). */
export class RuntimeNotFoundError extends Error {
  constructor(kind: 'container' | 'sandbox', id: string) {
    super(`an error occurred when try to find ${kind} "${id}": not found`);
    this.name = 'RuntimeNotFoundError';
  }
}
