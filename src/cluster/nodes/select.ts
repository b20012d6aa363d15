import { connectEngine, engineAddress } from './docker/engine.ts';
import { readNodeConfigs } from './node-dir.ts';
import { ProcessNodeProvider } from './process-provider.ts';
import type { ClusterAccess, NodeProvider } from './provider.ts';

/** How a lab's nodes run: as host processes, or as Docker containers. */
export type NodeRuntime = 'process' | 'docker';

/**
 * The runtime a lab's existing nodes run on: docker when the Docker provider has set the lab up
 * (docker.json), process when there are nodes but no docker.json, undefined for a lab with no nodes.
 */
export async function recordedRuntime(home: string): Promise<NodeRuntime | undefined> {
  const { isDockerLab } = await import('./docker/docker-provider.ts');
  if (await isDockerLab(home)) return 'docker';
  return (await readNodeConfigs(home)).length > 0 ? 'process' : undefined;
}

/**
 * chooseRuntime turns `--runtime auto|process|docker` into the runtime to use. A lab keeps the
 * runtime its nodes were made with (its nodes' addresses and certificates depend on it); auto
 * takes Docker whenever an engine answers and otherwise process nodes, and says which through
 * `note`. A lab started with no nodes (`up --nodes 0`) leaves Docker alone under auto: it makes
 * nothing there that it does not run.
 */
export async function chooseRuntime(
  home: string,
  requested: string,
  note: (line: string) => void,
  wantsNodes = true,
): Promise<NodeRuntime> {
  if (requested !== 'auto' && requested !== 'process' && requested !== 'docker') {
    throw new Error(`unknown runtime ${JSON.stringify(requested)}: use auto, process or docker`);
  }
  const recorded = await recordedRuntime(home);
  if (recorded && requested !== 'auto' && requested !== recorded) {
    throw new Error(
      `the nodes of the lab in ${home} are ${recorded === 'docker' ? 'Docker containers' : 'processes'}: ` +
        `use --runtime ${recorded}, or start afresh with: orch-lab down --purge`,
    );
  }
  if (recorded) return recorded;
  if (requested === 'docker') {
    await connectEngine();
    return 'docker';
  }
  if (requested === 'process' || !wantsNodes) return 'process';
  const answer = await connectEngine().then(
    () => undefined,
    (err: Error) => err.message.split('\n')[0],
  );
  if (answer === undefined) {
    note(`Nodes run as Docker containers (an engine answers at ${engineAddress()}).`);
    return 'docker';
  }
  note(`Nodes run as processes: ${answer} (--runtime process says so and skips this look for Docker).`);
  return 'process';
}

/**
 * openNodeProvider makes the provider for a runtime: the one given, else the one the lab's nodes
 * were made with (process for a lab with none yet). The Docker provider connects to the engine
 * first, so Docker trouble surfaces here with its fix.
 */
export async function openNodeProvider(options: {
  readonly home: string;
  readonly cluster: () => Promise<ClusterAccess>;
  readonly runtime?: NodeRuntime;
  readonly onProgress?: (line: string) => void;
}): Promise<NodeProvider> {
  const runtime = options.runtime ?? (await recordedRuntime(options.home)) ?? 'process';
  if (runtime === 'process') return new ProcessNodeProvider({ home: options.home, cluster: options.cluster });
  const { DockerNodeProvider } = await import('./docker/docker-provider.ts');
  return new DockerNodeProvider({ ...options, docker: await connectEngine() });
}
