import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { z } from 'zod';
import { ImageNotFoundError, type ImageService, RuntimeNotFoundError, type RuntimeService } from './cri.ts';
import { encode, type Method, methods, pathPrefix, type RpcResponse } from './rpc.ts';

export interface RuntimeServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

type Handlers = {
  [M in Method]: (request: z.output<(typeof methods)[M]['request']>) => Promise<RpcResponse<M>>;
};

/**
 * Serves `runtime` and `images` on a unix socket (see rpc.ts), so `orch-lab crictl` can ask a node's
 * runtime what it runs, as crictl asks containerd.
 */
export async function serveRuntime(
  runtime: RuntimeService,
  images: ImageService,
  socketPath: string,
): Promise<RuntimeServer> {
  const handlers: Handlers = {
    'RuntimeService/Version': () => runtime.version(),
    'RuntimeService/ListContainers': async (r) => ({ containers: await runtime.listContainers(r.filter) }),
    'RuntimeService/ContainerStatus': async (r) => ({ status: await runtime.containerStatus(r.containerId) }),
    'RuntimeService/StopContainer': async (r) => {
      await runtime.stopContainer(r.containerId, r.timeout);
      return {};
    },
    'RuntimeService/RemoveContainer': async (r) => {
      await runtime.removeContainer(r.containerId);
      return {};
    },
    'RuntimeService/ListPodSandbox': async (r) => ({ items: await runtime.listPodSandbox(r.filter) }),
    'RuntimeService/PodSandboxStatus': async (r) => ({
      status: await runtime.podSandboxStatus(r.podSandboxId),
    }),
    'ImageService/ListImages': async () => ({ images: await images.listImages() }),
    'ImageService/ImageStatus': async (r) => {
      const image = await images.imageStatus(r.image);
      return image ? { image } : {};
    },
    'ImageService/PullImage': async (r) => ({ imageRef: await images.pullImage(r.image) }),
    'ImageService/RemoveImage': async (r) => {
      await images.removeImage(r.image);
      return {};
    },
  };

  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(encode(body));
    };
    const method = (req.url ?? '').slice(pathPrefix.length) as Method;
    if (req.method !== 'POST' || !req.url?.startsWith(pathPrefix) || !(method in methods)) {
      return reply(404, { code: 'NotFound', message: `unknown method ${req.url}` });
    }
    try {
      const request = methods[method].request.parse(JSON.parse((await body(req)) || '{}'));
      const handler = handlers[method] as (r: unknown) => Promise<unknown>;
      reply(200, await handler(request));
    } catch (err) {
      if (err instanceof z.ZodError || err instanceof SyntaxError) {
        return reply(400, { code: 'InvalidArgument', message: err.message });
      }
      const notFound = err instanceof RuntimeNotFoundError || err instanceof ImageNotFoundError;
      reply(notFound ? 404 : 500, {
        code: notFound ? 'NotFound' : 'Unknown',
        message: (err as Error).message,
      });
    }
  });
  // A socket file left by a node agent that was killed would make listen fail.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
