import type { ConfigMap, Secret } from '../api/core/config.ts';
import { configMaps, secrets } from '../api/resources.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';

/** Raised for a ConfigMap or Secret a pod needs that is not there, worded as the kubelet's managers word it. */
export class SourceNotFoundError extends Error {}

/**
 * ConfigSources reads the ConfigMaps and Secrets a pod's env and volumes name, after the kubelet's
 * configmap and secret managers, as plain string maps (Secret data decoded). The node's RBAC role
 * lets it read them; a real kubelet's node authorizer would narrow that to its own pods' objects.
 */
export class ConfigSources {
  constructor(private readonly client: RestClient) {}

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const cm = await this.get<ConfigMap>(() => this.client.resource(configMaps, namespace).get(name));
    if (!cm) return undefined;
    const binary = Object.entries(cm.binaryData ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]);
    return { ...cm.data, ...Object.fromEntries(binary) };
  }

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.get<Secret>(() => this.client.resource(secrets, namespace).get(name));
    if (!secret) return undefined;
    const data = Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]);
    return { ...Object.fromEntries(data), ...secret.stringData };
  }

  /** A ConfigMap or Secret that must exist: missing is the kubelet's `configmap "x" not found`. */
  async required(
    kind: 'configmap' | 'secret',
    namespace: string,
    name: string,
  ): Promise<Record<string, string>> {
    const data =
      kind === 'configmap' ? await this.configMap(namespace, name) : await this.secret(namespace, name);
    if (!data) throw new SourceNotFoundError(`${kind} "${name}" not found`);
    return data;
  }

  private async get<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
