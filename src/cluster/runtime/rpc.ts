import { z } from 'zod';

/**
 * The lab runtime's socket protocol: CRI's gRPC methods as HTTP POSTs of JSON to
 * /runtime.v1.RuntimeService/<Method> and /runtime.v1.ImageService/<Method>, on a unix socket at
 * <nodeDir>/runtime.sock (containerd serves CRI the same way at /run/containerd/containerd.sock).
 * Nanosecond times travel as decimal strings. Both sides parse what they receive with these schemas.
 */

const nanos = z.union([z.string(), z.number()]).transform((v) => BigInt(v));
const labels = z.record(z.string(), z.string());

const containerState = z.enum([
  'CONTAINER_CREATED',
  'CONTAINER_RUNNING',
  'CONTAINER_EXITED',
  'CONTAINER_UNKNOWN',
]);
const sandboxState = z.enum(['SANDBOX_READY', 'SANDBOX_NOTREADY']);

export const containerStatusSchema = z.object({
  id: z.string(),
  podSandboxId: z.string(),
  metadata: z.object({ name: z.string(), attempt: z.number() }),
  state: containerState,
  createdAt: nanos,
  startedAt: nanos,
  finishedAt: nanos,
  exitCode: z.number(),
  image: z.string(),
  imageRef: z.string(),
  reason: z.string(),
  message: z.string(),
  labels,
  annotations: labels,
  logPath: z.string(),
  pid: z.number().optional(),
});

export const sandboxStatusSchema = z.object({
  id: z.string(),
  metadata: z.object({ name: z.string(), namespace: z.string(), uid: z.string(), attempt: z.number() }),
  state: sandboxState,
  createdAt: nanos,
  network: z.object({ ip: z.string() }),
  labels,
  annotations: labels,
});

export const imageSchema = z.object({
  id: z.string(),
  repoTags: z.array(z.string()).readonly(),
  size: z.number(),
});

const imageSpec = z.object({ image: z.object({ image: z.string() }) });

/** Each method's request and response schema. */
export const methods = {
  'RuntimeService/Version': {
    request: z.object({}),
    response: z.object({
      runtimeName: z.string(),
      runtimeVersion: z.string(),
      runtimeApiVersion: z.string(),
    }),
  },
  'RuntimeService/ListContainers': {
    request: z.object({
      filter: z
        .object({
          id: z.string().optional(),
          podSandboxId: z.string().optional(),
          state: containerState.optional(),
          labelSelector: labels.optional(),
        })
        .optional(),
    }),
    response: z.object({ containers: z.array(containerStatusSchema) }),
  },
  'RuntimeService/ContainerStatus': {
    request: z.object({ containerId: z.string() }),
    response: z.object({ status: containerStatusSchema }),
  },
  'RuntimeService/StopContainer': {
    request: z.object({ containerId: z.string(), timeout: z.number().int().nonnegative() }),
    response: z.object({}),
  },
  'RuntimeService/RemoveContainer': {
    request: z.object({ containerId: z.string() }),
    response: z.object({}),
  },
  'RuntimeService/ListPodSandbox': {
    request: z.object({
      filter: z
        .object({
          id: z.string().optional(),
          state: sandboxState.optional(),
          labelSelector: labels.optional(),
        })
        .optional(),
    }),
    response: z.object({ items: z.array(sandboxStatusSchema) }),
  },
  'RuntimeService/PodSandboxStatus': {
    request: z.object({ podSandboxId: z.string() }),
    response: z.object({ status: sandboxStatusSchema }),
  },
  'ImageService/ListImages': {
    request: z.object({}),
    response: z.object({ images: z.array(imageSchema) }),
  },
  'ImageService/ImageStatus': {
    request: imageSpec,
    response: z.object({ image: imageSchema.optional() }),
  },
  'ImageService/PullImage': {
    request: imageSpec,
    response: z.object({ imageRef: z.string() }),
  },
  'ImageService/RemoveImage': {
    request: imageSpec,
    response: z.object({}),
  },
} as const;

export type Method = keyof typeof methods;
export type RpcRequest<M extends Method> = z.input<(typeof methods)[M]['request']>;
export type RpcResponse<M extends Method> = z.output<(typeof methods)[M]['response']>;

/** The body of a failed call; `code` is the gRPC status name. */
export const errorSchema = z.object({
  code: z.enum(['NotFound', 'InvalidArgument', 'Unknown']),
  message: z.string(),
});

export const pathPrefix = '/runtime.v1.';

/** JSON with bigints as decimal strings. */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
}
