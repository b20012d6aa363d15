import * as z from 'zod/mini';

/**
 * The lab context a container process receives from the runtime in ORCH_LAB_* variables: what a
 * real runtime gives a container through namespaces (its IP, hostname, root filesystem and mounts)
 * the lab hands over as data, and the image library applies it (see fs.ts and net.ts).
 */
export const contextEnv = {
  podIP: 'ORCH_LAB_POD_IP',
  hostname: 'ORCH_LAB_HOSTNAME',
  rootfs: 'ORCH_LAB_ROOTFS',
  mounts: 'ORCH_LAB_MOUNTS',
  containerId: 'ORCH_LAB_CONTAINER_ID',
  workingDir: 'ORCH_LAB_WORKDIR',
  tty: 'ORCH_LAB_TTY',
  pid1: 'ORCH_LAB_PID1',
} as const;

const mountSchema = z.object({ containerPath: z.string(), hostPath: z.string(), readonly: z.boolean() });
export type LabMount = z.infer<typeof mountSchema>;

const contextSchema = z.object({
  podIP: z.string(),
  hostname: z.string(),
  rootfs: z.string(),
  mounts: z.array(mountSchema),
  containerId: z.string(),
  workingDir: z.string(),
  tty: z.boolean(),
  /** The container's main process, which Linux treats as PID 1 (see signals.ts). */
  pid1: z.boolean(),
});
export type LabContext = z.infer<typeof contextSchema>;

/** Reads the context the runtime set; a program started outside the lab gets a clear error. */
export function readLabContext(env: NodeJS.ProcessEnv = process.env): LabContext {
  if (!env[contextEnv.rootfs])
    throw new Error('not started by the orch-lab runtime: ORCH_LAB_ROOTFS is unset');
  return z.parse(contextSchema, {
    podIP: env[contextEnv.podIP],
    hostname: env[contextEnv.hostname],
    rootfs: env[contextEnv.rootfs],
    mounts: JSON.parse(env[contextEnv.mounts] ?? '[]'),
    containerId: env[contextEnv.containerId],
    workingDir: env[contextEnv.workingDir] || '/',
    tty: env[contextEnv.tty] === '1',
    pid1: env[contextEnv.pid1] === '1',
  });
}

/** The container's own environment: everything but the lab's plumbing, as `env` should show it. */
export function containerEnv(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith('ORCH_LAB_')) out.set(key, value);
  }
  return out;
}
