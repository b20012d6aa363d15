import * as grpc from '@grpc/grpc-js';
import type {
  AttachRequest,
  ContainerEvent,
  ContainerFilter,
  ContainerStatus,
  Image,
  ImageSpec,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
} from '../runtime/cri.ts';
import {
  containerConfigPb,
  containerEventFromPb,
  containerFilterPb,
  containerStatsFromPb,
  containerStatusFromPb,
  imageFromPb,
  sandboxConfigPb,
  sandboxFilterPb,
  sandboxStatusFromPb,
} from './convert.ts';
import type {
  ContainerEventPb,
  ContainerPb,
  ContainerStatsPb,
  ContainerStatusPb,
  ImagePb,
  PodSandboxPb,
  PodSandboxStatusPb,
} from './messages.ts';
import { imageServiceDefinition, runtimeServiceDefinition } from './proto.ts';
import type {
  AuthConfig,
  ContainerStats,
  ContainerStatsFilter,
  CriImageService,
  CriRuntimeService,
  ExecStreamRequest,
  ExecSyncResult,
  RuntimeCondition,
} from './services.ts';

/**
 * A call the runtime failed, worded as Go's gRPC status errors read, since the kubelet repeats
 * them in events and statuses: `rpc error: code = NotFound desc = ...`.
 */
export class RpcError extends Error {
  constructor(
    /** The status as Go names it: NotFound, Unknown, DeadlineExceeded, Unimplemented, ... */
    readonly code: string,
    readonly details: string,
  ) {
    super(`rpc error: code = ${code} desc = ${details}`);
    this.name = 'RpcError';
  }
}

/** NOT_FOUND -> NotFound, as codes.Code's String() spells them. */
const goCode = (code: grpc.status) =>
  (grpc.status[code] ?? 'Unknown')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())
    .replace(/^Ok$/, 'OK');

/** The kubelet's --runtime-request-timeout (2 minutes); image pulls have none. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * RemoteRuntimeService is the kubelet's CRI client (pkg/kubelet/cri/remote): it speaks runtime.v1
 * over the runtime's unix socket, to the lab runtime or to containerd alike. Where CRI's lists carry
 * less than the kubelet reads (ListPodSandbox has no IP, ListContainers no exit code or log path),
 * it asks each item's status too, as the kubelet's GetPodStatus does.
 */
export class RemoteRuntimeService implements CriRuntimeService, CriImageService {
  /** One channel carries both services, as one socket serves both. */
  private readonly client: grpc.Client;

  constructor(readonly socketPath: string) {
    this.client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  private call<T>(
    service: grpc.ServiceDefinition,
    method: string,
    request: object,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<T> {
    const definition = service[method]!;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        (bytes: Buffer) => definition.responseDeserialize(bytes) as T,
        request,
        { deadline },
        (err, response) => {
          if (err) reject(new RpcError(goCode(err.code), err.details));
          else resolve(response as T);
        },
      );
    });
  }

  private r<T>(method: string, request: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(runtimeServiceDefinition, method, request, timeoutMs);
  }

  private i<T>(method: string, request: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(imageServiceDefinition, method, request, timeoutMs);
  }

  async version() {
    return this.r<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>('Version', {
      version: 'v1',
    });
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return (await this.r<{ podSandboxId: string }>('RunPodSandbox', { config: sandboxConfigPb(config) }))
      .podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.r('StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.r('RemovePodSandbox', { podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const { status } = await this.r<{ status: PodSandboxStatusPb }>('PodSandboxStatus', { podSandboxId });
    return sandboxStatusFromPb(status);
  }

  /** Each sandbox with its IP: ListPodSandbox, then PodSandboxStatus of each still there. */
  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    const { items } = await this.r<{ items: PodSandboxPb[] }>('ListPodSandbox', {
      filter: sandboxFilterPb(filter),
    });
    const statuses = await Promise.all(items.map((s) => this.podSandboxStatus(s.id).catch(ignoreNotFound)));
    return statuses.filter((s): s is PodSandboxStatus => s !== undefined);
  }

  async createContainer(
    podSandboxId: string,
    config: Parameters<CriRuntimeService['createContainer']>[1],
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const response = await this.r<{ containerId: string }>('CreateContainer', {
      podSandboxId,
      config: containerConfigPb(config),
      sandboxConfig: sandboxConfigPb(sandboxConfig),
    });
    return response.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.r('StartContainer', { containerId });
  }

  async stopContainer(containerId: string, timeout: number): Promise<void> {
    // The call lasts as long as the grace period, and then some.
    await this.r('StopContainer', { containerId, timeout }, REQUEST_TIMEOUT_MS + timeout * 1000);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.r('RemoveContainer', { containerId });
  }

  /** Each container with its exit code, times and log path: ListContainers, then ContainerStatus of each. */
  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const { containers } = await this.r<{ containers: ContainerPb[] }>('ListContainers', {
      filter: containerFilterPb(filter),
    });
    const statuses = await Promise.all(
      containers.map((c) => this.statusOf(c.id, c.podSandboxId).catch(ignoreNotFound)),
    );
    return statuses.filter((s): s is ContainerStatus => s !== undefined);
  }

  /** The container's status, with its sandbox (from the list) and process ID (from the verbose info). */
  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const { containers } = await this.r<{ containers: ContainerPb[] }>('ListContainers', {
      filter: containerFilterPb({ id: containerId }),
    });
    return this.statusOf(containerId, containers[0]?.podSandboxId ?? '');
  }

  private async statusOf(containerId: string, podSandboxId: string): Promise<ContainerStatus> {
    const { status, info } = await this.r<{ status: ContainerStatusPb; info: Record<string, string> }>(
      'ContainerStatus',
      { containerId, verbose: true },
    );
    return containerStatusFromPb(status, podSandboxId, processId(info.info));
  }

  async execSync(
    containerId: string,
    cmd: readonly string[],
    timeoutSeconds: number,
  ): Promise<ExecSyncResult> {
    // The call's own deadline leaves the runtime time to say the command timed out.
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + 5000 : 0;
    return this.r<ExecSyncResult>('ExecSync', { containerId, cmd, timeout: timeoutSeconds }, deadline);
  }

  async exec(request: ExecStreamRequest): Promise<string> {
    return (await this.r<{ url: string }>('Exec', request)).url;
  }

  async attach(request: AttachRequest): Promise<string> {
    return (await this.r<{ url: string }>('Attach', request)).url;
  }

  async portForward(podSandboxId: string, ports: readonly number[]): Promise<string> {
    return (await this.r<{ url: string }>('PortForward', { podSandboxId, port: [...ports] })).url;
  }

  async listContainerStats(filter: ContainerStatsFilter = {}): Promise<ContainerStats[]> {
    const { stats } = await this.r<{ stats: ContainerStatsPb[] }>('ListContainerStats', {
      filter: containerFilterPb(filter),
    });
    return stats.map(containerStatsFromPb);
  }

  async status(): Promise<RuntimeCondition[]> {
    const response = await this.r<{ status: { conditions: RuntimeCondition[] } | null }>('Status', {});
    return response.status?.conditions ?? [];
  }

  getContainerEvents(listener: (event: ContainerEvent) => void, onEnd: (err: Error) => void): () => void {
    const definition = runtimeServiceDefinition.GetContainerEvents!;
    const call = this.client.makeServerStreamRequest(
      definition.path,
      definition.requestSerialize,
      (bytes: Buffer) => definition.responseDeserialize(bytes) as ContainerEventPb,
      {},
    );
    let ended = false;
    const end = (err: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    call.on('data', (pb: ContainerEventPb) => listener(containerEventFromPb(pb)));
    call.on('error', (err: grpc.ServiceError) => end(new RpcError(goCode(err.code), err.details)));
    call.on('end', () => end(new Error('the runtime closed the event stream')));
    return () => {
      ended = true;
      call.cancel();
    };
  }

  async listImages(): Promise<Image[]> {
    const { images } = await this.i<{ images: ImagePb[] }>('ListImages', {});
    return images.map(imageFromPb);
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    const response = await this.i<{ image: ImagePb | null }>('ImageStatus', { image });
    return response.image && response.image.id !== '' ? imageFromPb(response.image) : undefined;
  }

  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    const request = { image, ...(auth ? { auth } : {}) };
    return (await this.i<{ imageRef: string }>('PullImage', request, 0)).imageRef;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.i('RemoveImage', { image });
  }
}

/** A container or sandbox removed between the list and its status is left out of the list. */
function ignoreNotFound(err: unknown): undefined {
  if (err instanceof RpcError && err.code === 'NotFound') return undefined;
  throw err;
}

/** The "pid" of a verbose status's info JSON, which containerd and the lab runtime both give. */
function processId(info: string | undefined): number | undefined {
  if (!info) return undefined;
  try {
    const pid = (JSON.parse(info) as { pid?: unknown }).pid;
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
