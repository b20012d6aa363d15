import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { nodePaths, readNodeConfig } from '../../cluster/nodes/config.ts';
import { containerName } from '../../cluster/nodes/docker/docker-provider.ts';
import { recordedRuntime } from '../../cluster/nodes/select.ts';

const ORCH_LAB = new URL('../../../bin/orch-lab.js', import.meta.url).pathname;

/**
 * `orch-lab node exec NAME -- COMMAND...`: a command run as on the node, pointed at the node's
 * runtime the way a node's own tools find it: crictl through CONTAINER_RUNTIME_ENDPOINT, ctr
 * through CONTAINERD_ADDRESS and CONTAINERD_NAMESPACE=k8s.io (where the CRI plugin keeps pods),
 * `orch-lab crictl` through ORCH_LAB_NODE. A process node is the host, so the command runs here;
 * a Docker node's runs in its container (docker exec). Where no crictl is installed (cri-tools is
 * not in Debian), `crictl` is the bundled `orch-lab crictl`.
 */
export async function nodeExec(o: { home: string; name: string; command: readonly string[] }): Promise<void> {
  const config = await readNodeConfig(nodePaths(o.home, o.name).config);
  const docker = (await recordedRuntime(o.home)) === 'docker';
  const socket = docker
    ? `/var/lib/orch-lab/nodes/${config.name}/runtime.sock`
    : nodePaths(o.home, config.name).runtimeSocket;
  const env = {
    CONTAINER_RUNTIME_ENDPOINT: `unix://${socket}`,
    IMAGE_SERVICE_ENDPOINT: `unix://${socket}`,
    CONTAINERD_ADDRESS: socket,
    CONTAINERD_NAMESPACE: 'k8s.io',
    ORCH_LAB_NODE: config.name,
  };
  let [program = '', ...args] = o.command;
  if (program === 'crictl' && (docker || !(await onPath('crictl')))) {
    args = ['crictl', ...args];
    program = docker ? 'orch-lab' : process.execPath;
    if (!docker) args.unshift(ORCH_LAB);
  }
  const [command, argv] = docker
    ? [
        'docker',
        [
          'exec',
          ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
          containerName(config.name),
          program,
          ...args,
        ],
      ]
    : [program, args];
  const child = spawn(command, argv, {
    stdio: 'inherit',
    env: { ...process.env, ...env, ORCH_LAB_HOME: o.home },
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${program}: ${err.message}`)));
    child.once('exit', (status) => resolve(status ?? 1));
  });
  process.exitCode = code;
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (
      await access(join(dir, name), constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}
