import { join } from 'node:path';
import { RemoteRuntimeService, RpcError } from '../../cluster/cri/client.ts';
import {
  formatContainers,
  formatImages,
  formatSandboxes,
  inspectContainer,
  inspectSandbox,
} from '../../cluster/runtime/crictl.ts';
import { containerLogs } from '../../cluster/runtime/log.ts';

export interface CrictlOptions {
  readonly home: string;
  readonly node: string;
}

/**
 * Runs `use` with a CRI client of the node's runtime socket ($ORCH_LAB_HOME/nodes/<node>/
 * runtime.sock), as crictl dials its --runtime-endpoint; an unreachable socket says so plainly.
 */
async function withRuntime(o: CrictlOptions, use: (runtime: RemoteRuntimeService) => Promise<void>) {
  const runtime = new RemoteRuntimeService(join(o.home, 'nodes', o.node, 'runtime.sock'));
  try {
    await use(runtime);
  } catch (err) {
    if (err instanceof RpcError && err.code === 'Unavailable') {
      throw new Error(`cannot reach the runtime at ${runtime.socketPath}: is the node running?`);
    }
    throw err;
  } finally {
    runtime.close();
  }
}

/** `crictl ps [-a]`: running containers, or all of them. */
export function ps(o: CrictlOptions & { all: boolean }): Promise<void> {
  return withRuntime(o, async (runtime) => {
    const [containers, sandboxes] = await Promise.all([
      runtime.listContainers(o.all ? {} : { state: 'CONTAINER_RUNNING' }),
      runtime.listPodSandbox(),
    ]);
    process.stdout.write(formatContainers(containers, sandboxes, Date.now()));
  });
}

export function pods(o: CrictlOptions): Promise<void> {
  return withRuntime(o, async (runtime) => {
    process.stdout.write(formatSandboxes(await runtime.listPodSandbox(), Date.now()));
  });
}

export function images(o: CrictlOptions): Promise<void> {
  return withRuntime(o, async (runtime) => {
    process.stdout.write(formatImages(await runtime.listImages()));
  });
}

/** A container by ID or ID prefix, as crictl accepts the 13 characters it prints. */
async function findContainer(runtime: RemoteRuntimeService, id: string) {
  const containers = await runtime.listContainers({ id });
  if (containers.length > 1)
    throw new Error(`ID "${id}" is ambiguous: ${containers.length} containers match`);
  return containers[0];
}

/** `crictl logs [-f] [--tail N]`: crictl reads the log file the runtime reports, as here. */
export function logs(o: CrictlOptions & { id: string; follow: boolean; tail?: number }): Promise<void> {
  return withRuntime(o, async (runtime) => {
    const container = await findContainer(runtime, o.id);
    if (!container) throw new Error(`container "${o.id}" not found`);
    const isRunning = async () =>
      (await runtime.containerStatus(container.id).catch(() => undefined))?.state === 'CONTAINER_RUNNING';
    const options = {
      follow: o.follow,
      ...(o.tail === undefined || o.tail < 0 ? {} : { tailLines: o.tail }),
    };
    for await (const chunk of containerLogs(container.logPath, options, { isRunning }))
      process.stdout.write(chunk);
  });
}

/** `crictl inspect ID`: a container, or else a pod sandbox (crictl inspectp). */
export function inspect(o: CrictlOptions & { id: string }): Promise<void> {
  return withRuntime(o, async (runtime) => {
    const container = await findContainer(runtime, o.id);
    if (container) return void process.stdout.write(inspectContainer(container));
    const sandboxes = await runtime.listPodSandbox({ id: o.id });
    if (sandboxes.length === 1) return void process.stdout.write(inspectSandbox(sandboxes[0]!));
    throw new Error(`no container or pod sandbox with ID "${o.id}"`);
  });
}
