import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { Container } from '../api/core/container.ts';
import type { Pod } from '../api/core/pod.ts';
import type { KeyToPath, Volume } from '../api/core/volume.ts';
import { isNotFound } from '../client/rest-client.ts';
import type { Mount } from '../runtime/cri.ts';
import type { ConfigSources } from './config-sources.ts';
import { containerResourceValue, type DownwardContext, podFieldValue } from './downward-api.ts';
import type { TokenManager } from './token-manager.ts';

/** A volume that could not be set up; the message is the kubelet's FailedMount wording. */
export class VolumeSetUpError extends Error {}

/** The plugin folder names of pkg/volume, as they appear under pods/<uid>/volumes. */
const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  projected: 'kubernetes.io~projected',
  downwardAPI: 'kubernetes.io~downward-api',
} as const;

/** Files of one volume: relative path -> content and mode. */
type Files = Map<string, { readonly content: string; readonly mode: number }>;

/**
 * VolumeManager sets up a pod's volumes on the node before its containers start and tears them
 * down after they stop, after the kubelet's volume manager and the volume plugins. A volume is a
 * directory (the lab runtime gives containers host paths, not mount namespaces):
 *
 *   <rootDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>/     shared by the pod's containers
 *   <rootDir>/pods/<uid>/volumes/kubernetes.io~configmap/<name>/<key> one file per key
 *
 * configMap, secret, downwardAPI and projected volumes are rewritten on every sync, so a changed
 * ConfigMap shows up in a running pod as it does in Kubernetes. A projected service-account token
 * comes from TokenRequest through the TokenManager, bound to the pod. Kubernetes refuses a pod whose
 * ServiceAccount does not exist at admission; the lab's kubelet runs it without a token instead, so a
 * lab without the controller-manager (which creates each namespace's `default`) still runs pods.
 */
export class VolumeManager {
  constructor(
    private readonly rootDir: string,
    private readonly sources: ConfigSources,
    private readonly tokens?: TokenManager,
  ) {}

  podDir(uid: string): string {
    return join(this.rootDir, 'pods', uid);
  }

  /** Sets up every volume; resolves to each volume's host path by name. */
  async mountVolumes(pod: Pod, context: DownwardContext): Promise<Map<string, string>> {
    const paths = new Map<string, string>();
    for (const volume of pod.spec.volumes ?? []) {
      try {
        paths.set(volume.name, await this.setUp(pod, volume, context));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new VolumeSetUpError(`MountVolume.SetUp failed for volume "${volume.name}" : ${reason}`);
      }
    }
    return paths;
  }

  /** The container's volumeMounts as CRI mounts. */
  mounts(container: Container, volumePaths: ReadonlyMap<string, string>): Mount[] {
    return (container.volumeMounts ?? []).flatMap((m) => {
      const hostPath = volumePaths.get(m.name);
      if (!hostPath) return [];
      return [
        {
          containerPath: m.mountPath,
          hostPath: join(hostPath, m.subPath ?? ''),
          readonly: m.readOnly === true,
        },
      ];
    });
  }

  /** Removes the pod's directory with every volume in it (a hostPath stays: it belongs to the node). */
  async unmountVolumes(uid: string): Promise<void> {
    this.tokens?.deletePod(uid);
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  private async setUp(pod: Pod, volume: Volume, context: DownwardContext): Promise<string> {
    const namespace = pod.metadata.namespace ?? 'default';
    const dirFor = (plugin: keyof typeof PLUGIN_DIRS) =>
      join(this.podDir(pod.metadata.uid ?? ''), 'volumes', PLUGIN_DIRS[plugin], volume.name);
    if (volume.hostPath) {
      const type = volume.hostPath.type ?? '';
      if (type === 'DirectoryOrCreate') await mkdir(volume.hostPath.path, { recursive: true });
      if (type === 'FileOrCreate') {
        await mkdir(dirname(volume.hostPath.path), { recursive: true });
        await writeFile(volume.hostPath.path, '', { flag: 'a' });
      }
      return volume.hostPath.path;
    }
    if (volume.emptyDir) {
      const dir = dirFor('emptyDir');
      await mkdir(dir, { recursive: true, mode: 0o777 });
      return dir;
    }
    if (volume.configMap) {
      const { name = '', items, defaultMode = 0o644, optional } = volume.configMap;
      const data = optional
        ? await this.sources.configMap(namespace, name)
        : await this.sources.required('configmap', namespace, name);
      return this.writeFiles(
        dirFor('configMap'),
        keyFiles(data ?? {}, items, defaultMode, 'configmap', name),
      );
    }
    if (volume.secret) {
      const { secretName = '', items, defaultMode = 0o644, optional } = volume.secret;
      const data = optional
        ? await this.sources.secret(namespace, secretName)
        : await this.sources.required('secret', namespace, secretName);
      return this.writeFiles(
        dirFor('secret'),
        keyFiles(data ?? {}, items, defaultMode, 'secret', secretName),
      );
    }
    if (volume.downwardAPI) {
      const { items = [], defaultMode = 0o644 } = volume.downwardAPI;
      return this.writeFiles(dirFor('downwardAPI'), this.downwardFiles(pod, items, defaultMode, context));
    }
    if (volume.projected) {
      const defaultMode = volume.projected.defaultMode ?? 0o644;
      const files: Files = new Map();
      for (const source of volume.projected.sources ?? []) {
        if (source.configMap?.name) {
          const data = await this.sources.configMap(namespace, source.configMap.name);
          if (data)
            for (const [p, f] of keyFiles(
              data,
              source.configMap.items,
              defaultMode,
              'configmap',
              source.configMap.name,
            ))
              files.set(p, f);
        } else if (source.secret?.name) {
          const data = await this.sources.secret(namespace, source.secret.name);
          if (data)
            for (const [p, f] of keyFiles(
              data,
              source.secret.items,
              defaultMode,
              'secret',
              source.secret.name,
            ))
              files.set(p, f);
        } else if (source.serviceAccountToken && this.tokens) {
          const { audience, expirationSeconds = 3600, path } = source.serviceAccountToken;
          const token = await this.tokens
            .getServiceAccountToken(pod, audience, expirationSeconds)
            .catch((err) => {
              if (isNotFound(err)) return undefined;
              throw err;
            });
          if (token !== undefined) files.set(path, { content: token, mode: defaultMode });
        } else if (source.downwardAPI) {
          for (const [p, f] of this.downwardFiles(pod, source.downwardAPI.items ?? [], defaultMode, context))
            files.set(p, f);
        }
      }
      return this.writeFiles(dirFor('projected'), files);
    }
    throw new Error(
      'volume type not supported by the lab (emptyDir, hostPath, configMap, secret, downwardAPI, projected are)',
    );
  }

  private downwardFiles(
    pod: Pod,
    items: readonly NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number][],
    defaultMode: number,
    context: DownwardContext,
  ): Files {
    const files: Files = new Map();
    for (const item of items) {
      let content = '';
      if (item.fieldRef) content = podFieldValue(pod, item.fieldRef, context);
      else if (item.resourceFieldRef) {
        const container = pod.spec.containers.find((c) => c.name === item.resourceFieldRef?.containerName);
        if (container) content = containerResourceValue(item.resourceFieldRef, container, context);
      }
      files.set(item.path, { content, mode: item.mode ?? defaultMode });
    }
    return files;
  }

  /** Replaces the directory's files with `files`; paths that would leave the directory are refused. */
  private async writeFiles(dir: string, files: Files): Promise<string> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [path, { content, mode }] of files) {
      const target = normalize(join(dir, path));
      if (!target.startsWith(`${dir}/`)) throw new Error(`invalid path ${JSON.stringify(path)}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      await chmod(target, mode);
    }
    return dir;
  }
}

/** A ConfigMap's or Secret's keys as files: every key, or only `items` at their paths. */
function keyFiles(
  data: Readonly<Record<string, string>>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number,
  kind: 'configmap' | 'secret',
  name: string,
): Files {
  const files: Files = new Map();
  if (!items) {
    for (const [key, content] of Object.entries(data)) files.set(key, { content, mode: defaultMode });
    return files;
  }
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) throw new Error(`configure ${kind} ${name}: key ${item.key} not found`);
    files.set(item.path, { content, mode: item.mode ?? defaultMode });
  }
  return files;
}
