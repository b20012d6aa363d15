import type {
  AttachRequest,
  ContainerEvent,
  ContainerFilter,
  ContainerMetadata,
  ExecRequest,
  Image,
  ImageSpec,
  RuntimeService,
} from '../runtime/cri.ts';

/**
 * The runtime as a kubelet reaches it over CRI (cri-api's internalapi.RuntimeService and
 * ImageManagerService): the same calls the lab runtime serves in-process, except that exec, attach
 * and port-forward answer with a URL on the runtime's streaming server instead of streams, exec
 * probes use ExecSync, and usage comes from ListContainerStats. RemoteRuntimeService (client.ts)
 * implements it over the gRPC socket of any CRI runtime: the lab runtime or containerd.
 */
export interface CriRuntimeService
  extends Omit<RuntimeService, 'exec' | 'attach' | 'onContainerEvent' | 'version'> {
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;
  /** Runs a command to its end (exec probes); past timeoutSeconds (0: none) it fails. */
  execSync(containerId: string, cmd: readonly string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** A URL that serves the exec session, for the kubelet to proxy the client's connection to. */
  exec(request: ExecStreamRequest): Promise<string>;
  attach(request: AttachRequest): Promise<string>;
  portForward(podSandboxId: string, ports: readonly number[]): Promise<string>;
  listContainerStats(filter?: ContainerStatsFilter): Promise<ContainerStats[]>;
  /** RuntimeReady and NetworkReady, as the kubelet reads them for the node's Ready condition. */
  status(): Promise<RuntimeCondition[]>;
  /**
   * Container changes as the runtime streams them (GetContainerEvents). onEnd is called once if the
   * stream ends or the runtime does not have it (UNIMPLEMENTED); the returned function closes it.
   */
  getContainerEvents(listener: (event: ContainerEvent) => void, onEnd: (err: Error) => void): () => void;
}

/** Credentials for a pull, from the pod's imagePullSecrets (runtime.v1.AuthConfig). */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  /** base64 of user:password, as a docker config's "auth". */
  readonly auth?: string;
  readonly serverAddress?: string;
}

export interface CriImageService {
  listImages(): Promise<Image[]>;
  /** undefined when the node does not have it. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /** Resolves to the image's ref (sha256:...); fails with the runtime's own words. */
  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
}

export interface ExecSyncResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number;
}

/** An exec as CRI asks for it: the command, and which streams the client wants. */
export interface ExecStreamRequest extends ExecRequest {
  readonly stdout: boolean;
  readonly stderr: boolean;
}

export type ContainerStatsFilter = Pick<ContainerFilter, 'id' | 'podSandboxId' | 'labelSelector'>;

/** One container's usage (runtime.v1.ContainerStats): cumulative CPU and its working set now. */
export interface ContainerStats {
  readonly id: string;
  readonly metadata: ContainerMetadata;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Nanoseconds since the epoch the figures were read at. */
  readonly timestamp: bigint;
  readonly usageCoreNanoSeconds: bigint;
  readonly workingSetBytes: bigint;
}

/** One of CRI Status's conditions; the kubelet reads RuntimeReady and NetworkReady. */
export interface RuntimeCondition {
  readonly type: string;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}
