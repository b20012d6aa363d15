import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, ContainerEvent, PodSandboxConfig } from '../../src/cluster/runtime/cri.ts';
import { ProcessRuntime } from '../../src/cluster/runtime/process-runtime.ts';

/** A ProcessRuntime in a temporary node directory, and helpers to make pods the way a kubelet would. */
export interface RuntimeFixture {
  readonly dir: string;
  readonly runtime: ProcessRuntime;
  sandbox(name: string): Promise<{ id: string; config: PodSandboxConfig; ip: string }>;
  container(
    sandbox: { id: string; config: PodSandboxConfig },
    config: Partial<ContainerConfig> &
      Pick<ContainerConfig, 'image'> & { name: string; memoryLimit?: number },
  ): Promise<string>;
  /** Resolves when the container's process has exited. */
  stopped(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function runtimeFixture(podCIDR: string): Promise<RuntimeFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'orch-lab-runtime-'));
  const runtime = new ProcessRuntime({
    rootDir: join(dir, 'node'),
    podCIDR,
    imageCacheDir: join(dir, 'images'),
  });
  const events: ContainerEvent[] = [];
  runtime.onContainerEvent((e) => events.push(e));
  return {
    dir,
    runtime,
    async sandbox(name) {
      const config: PodSandboxConfig = {
        metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
        hostname: name,
        logDirectory: join(dir, 'node', 'pods', `default_${name}_uid-${name}`),
        labels: { 'io.kubernetes.pod.name': name },
        annotations: {},
      };
      const id = await runtime.runPodSandbox(config);
      return { id, config, ip: (await runtime.podSandboxStatus(id)).network.ip };
    },
    async container(sandbox, { name, memoryLimit, ...config }) {
      await runtime.pullImage({ image: config.image });
      const id = await runtime.createContainer(
        sandbox.id,
        {
          metadata: { name, attempt: 0 },
          command: [],
          args: [],
          workingDir: '',
          envs: [],
          mounts: [],
          logPath: `${name}/0.log`,
          stdin: false,
          stdinOnce: false,
          tty: false,
          labels: {
            'io.kubernetes.pod.name': sandbox.config.metadata.name,
            'io.kubernetes.container.name': name,
          },
          annotations: {},
          linux: {
            resources: { cpuQuota: 0, cpuPeriod: 100000, cpuShares: 2, memoryLimitInBytes: memoryLimit ?? 0 },
          },
          ...config,
        },
        sandbox.config,
      );
      await runtime.startContainer(id);
      return id;
    },
    stopped(id) {
      return new Promise((resolve) => {
        const done = () => {
          off();
          resolve();
        };
        const off = runtime.onContainerEvent((e) => {
          if (e.containerId === id && e.type === 'CONTAINER_STOPPED_EVENT') done();
        });
        void runtime.containerStatus(id).then((s) => {
          if (s.state === 'CONTAINER_EXITED') done();
        });
      });
    },
    async close() {
      await runtime.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GETs a URL, retrying while the server is not listening yet. */
export async function fetchWhenUp(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Runs a command in a container and collects its output. */
export async function execText(
  runtime: ProcessRuntime,
  containerId: string,
  cmd: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const session = await runtime.exec({ containerId, cmd, tty: false, stdin: false });
  const collect = async (stream: AsyncIterable<Buffer> | undefined) => {
    let text = '';
    for await (const chunk of stream ?? []) text += chunk.toString();
    return text;
  };
  const [stdout, stderr, code] = await Promise.all([
    collect(session.stdout),
    collect(session.stderr),
    session.exited,
  ]);
  return { code, stdout, stderr };
}
