import type Dockerode from 'dockerode';

/**
 * DockerEngineError is Docker trouble put the way a learner can act on it: what went wrong and the
 * command that fixes it.
 */
export class DockerEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockerEngineError';
  }
}

/** Where the engine is, as dockerode (docker-modem) finds it: DOCKER_HOST, else the default socket. */
export const engineAddress = (env: NodeJS.ProcessEnv = process.env) =>
  env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

/**
 * connectEngine returns a client of the Docker engine once it answers a ping. dockerode is loaded
 * here, on first use, so process-mode labs and the node image (which has no dockerode) never load it.
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw explainEngineError(err, engineAddress(env));
  }
  return docker;
}

function explainEngineError(err: unknown, address: string): DockerEngineError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new DockerEngineError(
      `permission denied on the Docker socket (${address}).\nFix it with\n` +
        '  sudo usermod -aG docker "$USER"   (then log in again)\n' +
        'or run orch-lab as root, or use --runtime process.',
      { cause: err },
    );
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new DockerEngineError(
      `no Docker engine answers at ${address}.\nInstall and start one:\n` +
        '  sudo apt-get install -y docker.io && sudo dockerd &   (or: sudo systemctl start docker)\n' +
        'set DOCKER_HOST to reach an engine elsewhere, or use --runtime process.',
      { cause: err },
    );
  }
  return new DockerEngineError(
    `the Docker engine at ${address} did not answer: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}
