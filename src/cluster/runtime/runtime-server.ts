import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  containerConfigFromPb,
  containerEventPb,
  containerFilterFromPb,
  containerPb,
  containerStatsPb,
  containerStatusPb,
  imagePb,
  podSandboxPb,
  sandboxConfigFromPb,
  sandboxFilterFromPb,
  sandboxStatusPb,
} from '../cri/convert.ts';
import type {
  ContainerConfigPb,
  ContainerFilterPb,
  PodSandboxConfigPb,
  PodSandboxFilterPb,
} from '../cri/messages.ts';
import { imageServiceDefinition, runtimeServiceDefinition } from '../cri/proto.ts';
import { StreamingServer } from '../cri/streaming/server.ts';
import { listContainerStats } from './container-stats.ts';
import { ImageNotFoundError, type ImageService, RuntimeNotFoundError, type RuntimeService } from './cri.ts';

export interface RuntimeServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** The API version the lab runtime speaks, as containerd answers Version. */
const RUNTIME_API_VERSION = 'v1';

type Unary = (request: never) => Promise<object>;

/**
 * serveRuntime is the lab runtime's CRI endpoint: runtime.v1's RuntimeService and ImageService
 * over gRPC on a unix socket (<nodeDir>/runtime.sock, as containerd serves /run/containerd/
 * containerd.sock), with a streaming server on 127.0.0.1 for exec, attach and port-forward. The
 * kubelet, `orch-lab crictl` and a real crictl all reach the runtime through it.
 */
export async function serveRuntime(
  runtime: RuntimeService,
  images: ImageService,
  socketPath: string,
): Promise<RuntimeServer> {
  const streaming = await StreamingServer.start({
    exec: (request) => runtime.exec(request),
    attach: (request) => runtime.attach(request),
    sandboxIP: async (id) => (await runtime.podSandboxStatus(id)).network.ip,
  });
  const runtimeHandlers: Record<string, Unary> = {
    version: async () => {
      const v = await runtime.version();
      return { version: '0.1.0', ...v, runtimeApiVersion: RUNTIME_API_VERSION };
    },
    runPodSandbox: async (r: { config: PodSandboxConfigPb }) => ({
      podSandboxId: await runtime.runPodSandbox(sandboxConfigFromPb(r.config)),
    }),
    stopPodSandbox: async (r: { podSandboxId: string }) => {
      await runtime.stopPodSandbox(r.podSandboxId);
      return {};
    },
    removePodSandbox: async (r: { podSandboxId: string }) => {
      await runtime.removePodSandbox(r.podSandboxId);
      return {};
    },
    podSandboxStatus: async (r: { podSandboxId: string }) => ({
      status: sandboxStatusPb(await runtime.podSandboxStatus(r.podSandboxId)),
    }),
    listPodSandbox: async (r: { filter: PodSandboxFilterPb | null }) => ({
      items: (await runtime.listPodSandbox(sandboxFilterFromPb(r.filter))).map(podSandboxPb),
    }),
    createContainer: async (r: {
      podSandboxId: string;
      config: ContainerConfigPb;
      sandboxConfig: PodSandboxConfigPb;
    }) => ({
      containerId: await runtime.createContainer(
        r.podSandboxId,
        containerConfigFromPb(r.config),
        sandboxConfigFromPb(r.sandboxConfig),
      ),
    }),
    startContainer: async (r: { containerId: string }) => {
      await runtime.startContainer(r.containerId);
      return {};
    },
    stopContainer: async (r: { containerId: string; timeout: string }) => {
      await runtime.stopContainer(r.containerId, Number(r.timeout));
      return {};
    },
    removeContainer: async (r: { containerId: string }) => {
      await runtime.removeContainer(r.containerId);
      return {};
    },
    listContainers: async (r: { filter: ContainerFilterPb | null }) => ({
      containers: (await runtime.listContainers(containerFilterFromPb(r.filter))).map(containerPb),
    }),
    containerStatus: async (r: { containerId: string; verbose: boolean }) => {
      const status = await runtime.containerStatus(r.containerId);
      // As containerd does, verbose adds the runtime's own view; the process ID is what crictl shows.
      const info = r.verbose && status.pid ? { info: JSON.stringify({ pid: status.pid }) } : {};
      return { status: containerStatusPb(status), info };
    },
    execSync: (r: { containerId: string; cmd: string[]; timeout: string }) =>
      execSync(runtime, r.containerId, r.cmd, Number(r.timeout)),
    exec: async (r: {
      containerId: string;
      cmd: string[];
      tty: boolean;
      stdin: boolean;
      stdout: boolean;
      stderr: boolean;
    }) => {
      await runtime.containerStatus(r.containerId);
      return { url: streaming.getExec(r) };
    },
    attach: async (r: {
      containerId: string;
      stdin: boolean;
      tty: boolean;
      stdout: boolean;
      stderr: boolean;
    }) => {
      await runtime.containerStatus(r.containerId);
      return { url: streaming.getAttach(r) };
    },
    portForward: async (r: { podSandboxId: string }) => {
      await runtime.podSandboxStatus(r.podSandboxId);
      return { url: streaming.getPortForward(r.podSandboxId) };
    },
    listContainerStats: async (r: { filter: ContainerFilterPb | null }) => ({
      stats: (await listContainerStats(runtime, containerFilterFromPb(r.filter))).map(containerStatsPb),
    }),
    status: async () => ({
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          { type: 'NetworkReady', status: true, reason: '', message: '' },
        ],
      },
      info: {},
    }),
  };
  const imageHandlers: Record<string, Unary> = {
    listImages: async () => ({ images: (await images.listImages()).map(imagePb) }),
    imageStatus: async (r: { image: { image: string } | null }) => {
      const image = await images.imageStatus({ image: r.image?.image ?? '' });
      return image ? { image: imagePb(image) } : {};
    },
    pullImage: async (r: { image: { image: string } | null }) => ({
      imageRef: await images.pullImage({ image: r.image?.image ?? '' }),
    }),
    removeImage: async (r: { image: { image: string } | null }) => {
      await images.removeImage({ image: r.image?.image ?? '' });
      return {};
    },
  };

  const server = new grpc.Server();
  server.addService(runtimeServiceDefinition, {
    ...unaryHandlers(runtimeHandlers),
    getContainerEvents: (call: grpc.ServerWritableStream<object, object>) => {
      const off = runtime.onContainerEvent((event) => call.write(containerEventPb(event)));
      call.on('cancelled', off);
      call.on('close', off);
    },
  });
  server.addService(imageServiceDefinition, unaryHandlers(imageHandlers));
  // A socket file left by a node agent that was killed would make the bind fail.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return {
    socketPath,
    close: async () => {
      server.forceShutdown();
      await streaming.close();
    },
  };
}

/**
 * Adapts promise-returning handlers to grpc-js, which finds a method by its name in camelCase
 * (version for Version); a failure answers with its gRPC status.
 */
function unaryHandlers(handlers: Record<string, Unary>): grpc.UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handle]) => [
      name,
      (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
        handle(call.request as never).then(
          (response) => callback(null, response),
          (err: unknown) => callback(toStatus(err)),
        );
      },
    ]),
  );
}

/** NotFound for an unknown ID or image, as containerd answers; anything else is Unknown. */
function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof DeadlineExceeded) return { code: grpc.status.DEADLINE_EXCEEDED, details: err.message };
  const notFound = err instanceof RuntimeNotFoundError || err instanceof ImageNotFoundError;
  return {
    code: notFound ? grpc.status.NOT_FOUND : grpc.status.UNKNOWN,
    details: err instanceof Error ? err.message : String(err),
  };
}

/** ExecSync's command outlived its timeout. */
class DeadlineExceeded extends Error {}

/**
 * ExecSync: runs the command to its end and answers its output and exit code. Past the timeout
 * (seconds; 0 means none) the call fails with DeadlineExceeded, in containerd's words, and the
 * process is left to finish, as containerd leaves it.
 */
async function execSync(runtime: RuntimeService, containerId: string, cmd: string[], timeout: number) {
  const session = await runtime.exec({ containerId, cmd, tty: false, stdin: false });
  const collect = async (stream: AsyncIterable<Buffer> | undefined) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream ?? []) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const done = Promise.all([collect(session.stdout), collect(session.stderr), session.exited]);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    if (timeout > 0) {
      timer = setTimeout(
        () =>
          reject(
            new DeadlineExceeded(
              `failed to exec in container: timeout ${timeout}s exceeded: context deadline exceeded`,
            ),
          ),
        timeout * 1000,
      );
    }
  });
  try {
    const [stdout, stderr, exitCode] = await Promise.race([done, expired]);
    return { stdout, stderr, exitCode };
  } finally {
    clearTimeout(timer);
  }
}
