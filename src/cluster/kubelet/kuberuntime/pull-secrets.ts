import { z } from 'zod';
import type { Pod } from '../../api/core/pod.ts';
import type { AuthConfig } from '../../cri/services.ts';
import type { ConfigSources } from '../config-sources.ts';

const Entry = z.object({
  username: z.string().optional(),
  password: z.string().optional(),
  auth: z.string().optional(),
});
/** kubernetes.io/dockerconfigjson's .dockerconfigjson, and the older .dockercfg (the auths alone). */
const DockerConfigJson = z.object({ auths: z.record(z.string(), Entry) });
const DockerCfg = z.record(z.string(), Entry);

/** Docker Hub, by every name a docker config may key it by. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry an image reference names: its first part when that looks like a host (a dot, a
 * port, or localhost), else Docker Hub, as docker/distribution's reference parsing decides.
 */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const host = image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/** A docker config key (`https://index.docker.io/v1/`, `127.0.0.1:5000`) as a bare registry host. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').split('/')[0] ?? '';
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/**
 * pullCredentials finds, among the pod's imagePullSecrets in order, the first entry for the image's
 * registry (the kubelet's credentialprovider keyring, matched by host): what the kubelet hands the
 * runtime in PullImage's AuthConfig. A secret that is missing or of another shape is passed over,
 * as the kubelet does with a warning.
 */
export async function pullCredentials(
  pod: Pod,
  image: string,
  sources: Pick<ConfigSources, 'secret'>,
): Promise<AuthConfig | undefined> {
  const registry = registryOf(image);
  for (const ref of pod.spec.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const data = await sources.secret(pod.metadata.namespace ?? 'default', ref.name);
    const auths = parseAuths(data);
    const found = Object.entries(auths).find(([key]) => keyHost(key) === registry)?.[1];
    if (found) return { ...found, serverAddress: registry };
  }
  return undefined;
}

function parseAuths(data: Record<string, string> | undefined): z.infer<typeof DockerCfg> {
  const json = (text: string | undefined) => {
    try {
      return text === undefined ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const config = DockerConfigJson.safeParse(json(data?.['.dockerconfigjson']));
  if (config.success) return config.data.auths;
  const cfg = DockerCfg.safeParse(json(data?.['.dockercfg']));
  return cfg.success ? cfg.data : {};
}
