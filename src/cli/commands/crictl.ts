import { join } from 'node:path';
import {
  formatContainers,
  formatImages,
  formatSandboxes,
  inspectContainer,
  inspectSandbox,
} from '../../cluster/runtime/crictl.ts';
import { containerLogs } from '../../cluster/runtime/log.ts';
import { RuntimeClient } from '../../cluster/runtime/runtime-client.ts';

export interface CrictlOptions {
  readonly home: string;
  readonly node: string;
}

/** The node's runtime socket: $ORCH_LAB_HOME/nodes/<node>/runtime.sock. */
function client(o: CrictlOptions): RuntimeClient {
  return new RuntimeClient(join(o.home, 'nodes', o.node, 'runtime.sock'));
}

/** `crictl ps [-a]`: running containers, or all of them. */
export async function ps(o: CrictlOptions & { all: boolean }): Promise<void> {
  const runtime = client(o);
  const [{ containers }, { items }] = await Promise.all([
    runtime.call('RuntimeService/ListContainers', o.all ? {} : { filter: { state: 'CONTAINER_RUNNING' } }),
    runtime.call('RuntimeService/ListPodSandbox', {}),
  ]);
  process.stdout.write(formatContainers(containers, items, Date.now()));
}

export async function pods(o: CrictlOptions): Promise<void> {
  const { items } = await client(o).call('RuntimeService/ListPodSandbox', {});
  process.stdout.write(formatSandboxes(items, Date.now()));
}

export async function images(o: CrictlOptions): Promise<void> {
  const { images } = await client(o).call('ImageService/ListImages', {});
  process.stdout.write(formatImages(images));
}

/** A container by ID or ID prefix, as crictl accepts the 13 characters it prints. */
async function findContainer(runtime: RuntimeClient, id: string) {
  const { containers } = await runtime.call('RuntimeService/ListContainers', { filter: { id } });
  if (containers.length > 1)
    throw new Error(`ID "${id}" is ambiguous: ${containers.length} containers match`);
  return containers[0];
}

/** `crictl logs [-f] [--tail N]`: crictl reads the log file the runtime reports, as here. */
export async function logs(o: CrictlOptions & { id: string; follow: boolean; tail?: number }): Promise<void> {
  const runtime = client(o);
  const container = await findContainer(runtime, o.id);
  if (!container) throw new Error(`container "${o.id}" not found`);
  const isRunning = async () =>
    (await findContainer(runtime, container.id).catch(() => undefined))?.state === 'CONTAINER_RUNNING';
  const options = { follow: o.follow, ...(o.tail === undefined || o.tail < 0 ? {} : { tailLines: o.tail }) };
  for await (const chunk of containerLogs(container.logPath, options, { isRunning }))
    process.stdout.write(chunk);
}

/** `crictl inspect ID`: a container, or else a pod sandbox (crictl inspectp). */
export async function inspect(o: CrictlOptions & { id: string }): Promise<void> {
  const runtime = client(o);
  const container = await findContainer(runtime, o.id);
  if (container) return void process.stdout.write(inspectContainer(container));
  const { items } = await runtime.call('RuntimeService/ListPodSandbox', { filter: { id: o.id } });
  if (items.length === 1) return void process.stdout.write(inspectSandbox(items[0]!));
  throw new Error(`no container or pod sandbox with ID "${o.id}"`);
}
