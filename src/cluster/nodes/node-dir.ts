import { access, readdir, rm } from 'node:fs/promises';
import { z } from 'zod';
import { nodes as nodeResource } from '../api/resources.ts';
import { updateKubeconfig } from '../client/kubeconfig.ts';
import { isNotFound } from '../client/rest-client.ts';
import type { ClusterPki } from '../pki/pki.ts';
import {
  containerdPodAddresses,
  imageCacheDir,
  NodeConfig,
  nodeAddresses,
  nodeIndex,
  nodePaths,
  nodesDir,
  readNodeConfig,
  resolveNodePath,
  writeNodeConfig,
} from './config.ts';
import { writeNodeCredentials } from './credentials.ts';
import type { ClusterAccess, NodeSpec } from './provider.ts';

/** The nodes that have a folder under $ORCH_LAB_HOME/nodes, by name. */
export async function readNodeConfigs(home: string): Promise<NodeConfig[]> {
  const names = await readdir(nodesDir(home)).catch(() => [] as string[]);
  const configs: NodeConfig[] = [];
  for (const name of names.sort(byNodeNumber)) {
    const path = nodePaths(home, name).config;
    if (await exists(path)) configs.push(await readNodeConfig(path));
  }
  return configs;
}

/** Where node N lives: its node IP (whose last part is N), pod CIDR (in the cluster CIDR) and image cache. */
export type NodeLayout = (
  index: number,
) => Pick<NodeConfig, 'nodeIP' | 'podCIDR' | 'clusterCIDR' | 'imageCache'>;

/** node-2 before node-10. */
const byNodeNumber = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * prepareNode writes a new node's folder: node.json and the credentials issued by the cluster CA.
 * A node called node-N gets addresses N when they are free (so node-2 is 127.100.0.2); any other
 * node the lowest free N. `layout` places node N: the process provider's loopback addresses and
 * shared image cache by default; the Docker provider's container addresses.
 */
export async function prepareNode(
  home: string,
  spec: NodeSpec,
  cluster: { readonly apiServer: string; readonly pki: ClusterPki },
  layout: NodeLayout = (index) => ({ ...nodeAddresses(index), imageCache: imageCacheDir(home) }),
): Promise<NodeConfig> {
  const paths = nodePaths(home, spec.name);
  if (await exists(paths.config)) throw new Error(`node ${spec.name} already exists (${paths.dir})`);
  const taken = new Set((await readNodeConfigs(home)).map(nodeIndex));
  const wanted = Number(/^node-(\d+)$/.exec(spec.name)?.[1]);
  const index =
    wanted >= 1 && wanted <= 254 && !taken.has(wanted)
      ? wanted
      : Array.from({ length: 254 }, (_, i) => i + 1).find((i) => !taken.has(i));
  if (index === undefined) throw new Error('the lab has no node addresses left (254 nodes at most)');
  const addresses = layout(index);
  const containerd = spec.containerRuntime === 'containerd';
  const parsed = NodeConfig.safeParse({
    name: spec.name,
    ...addresses,
    ...(containerd && addresses.podCIDR.startsWith('127.') ? containerdPodAddresses(index) : {}),
    containerRuntime: spec.containerRuntime ?? 'lab',
    apiServer: cluster.apiServer,
    capacity: spec.capacity ?? {},
    labels: spec.labels ?? {},
    taints: spec.taints ?? [],
  });
  if (!parsed.success) throw new Error(`node ${spec.name}: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  await writeNodeConfig(paths.config, config);
  await writeNodeCredentials(cluster.pki, config, paths.config);
  return config;
}

/**
 * Points a node at the API server where it now is: a lab started on another port (`up --api-port
 * 0`) would otherwise leave its nodes calling the old one. The credentials stay valid: same CA.
 */
export async function pointNodeAt(configPath: string, apiServer: string): Promise<NodeConfig> {
  const config = await readNodeConfig(configPath);
  if (config.apiServer === apiServer) return config;
  const updated = { ...config, apiServer };
  await writeNodeConfig(configPath, updated);
  await updateKubeconfig(resolveNodePath(configPath, config.credentials.kubeconfig), (kubeconfig) => ({
    ...kubeconfig,
    clusters: kubeconfig.clusters.map((c) => ({ ...c, cluster: { ...c.cluster, server: apiServer } })),
  }));
  return updated;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The undoing of prepareNode, once its machine is gone: the Node object and the node's folder. */
export async function forgetNode(home: string, name: string, cluster: ClusterAccess): Promise<void> {
  await cluster.client
    .resource(nodeResource)
    .delete(name)
    .catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  await rm(nodePaths(home, name).dir, { recursive: true, force: true });
}
