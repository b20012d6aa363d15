import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../api/names.ts';
import { quantityError } from '../api/quantity.ts';

/**
 * A node's configuration, <nodeDir>/node.json: everything its agent needs to run the kubelet, so
 * `orch-lab node-agent --config <nodeDir>/node.json` can run on the host or inside a container
 * with the folder mounted somewhere else. Paths inside are relative to the folder holding the file.
 *
 * Node N of a lab gets node IP 127.100.0.N and pod CIDR 127.244.N.0/24, inside the lab's cluster
 * CIDR 127.244.0.0/16: loopback addresses, so every node and pod is reachable from the host with no
 * network set-up.
 */

const quantity = z.string().refine((q) => quantityError(q) === undefined, {
  error: (issue) => `${JSON.stringify(issue.input)}: ${quantityError(issue.input)}`,
});

/** The container runtimes a node can run (node.json's containerRuntime). */
export const CONTAINER_RUNTIMES = ['lab', 'containerd'] as const;
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];

/** The taint effects kubectl taint accepts. */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const taint = z.object({
  key: z.string().refine((k) => isQualifiedName(k).length === 0, 'not a qualified name'),
  value: z.string().optional(),
  effect: z.enum(TAINT_EFFECTS),
});

export const NodeConfig = z.object({
  name: z.string().refine((n) => isDNS1123Label(n).length === 0, 'not a DNS-1123 label'),
  nodeIP: z.ipv4(),
  podCIDR: z.cidrv4(),
  /**
   * The pods' range of the whole lab, holding every node's podCIDR: kube-proxy's --cluster-cidr,
   * which tells traffic from pods from traffic from elsewhere. A node folder made before it existed
   * has none, and its kube-proxy writes no masquerade rule.
   */
  clusterCIDR: z.cidrv4().optional(),
  /** The API server, as the node reaches it: https://127.0.0.1:6443 */
  apiServer: z.url(),
  capacity: z
    .object({
      cpu: quantity.default('2'),
      memory: quantity.default('4Gi'),
      pods: z.number().int().positive().default(110),
    })
    .prefault({}),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z.array(taint).default([]),
  kubeletPort: z.number().int().min(1).max(65535).default(10250),
  /**
   * What runs the node's pods, behind CRI: the lab runtime (processes) or a containerd of the
   * node's own (real OCI containers under runc, on a CNI bridge).
   */
  containerRuntime: z.enum(CONTAINER_RUNTIMES).default('lab'),
  /** Where lab images are bundled, shared by every node of the lab. */
  imageCache: z.string(),
  credentials: z
    .object({
      /** The node's kubeconfig: CN=system:node:<name>, O=system:nodes. */
      kubeconfig: z.string().default('kubeconfig'),
      /** The kubelet's serving certificate and key, and the cluster CA it trusts clients by. */
      kubeletCert: z.string().default('pki/kubelet.crt'),
      kubeletKey: z.string().default('pki/kubelet.key'),
      ca: z.string().default('pki/ca.crt'),
    })
    .prefault({}),
});
export type NodeConfig = z.infer<typeof NodeConfig>;
export type NodeCapacity = NodeConfig['capacity'];
export type NodeTaint = NodeConfig['taints'][number];

/** The files in a node's folder, wherever it is mounted. */
export const nodeFiles = (dir: string) => ({
  dir,
  config: join(dir, 'node.json'),
  pid: join(dir, 'agent.pid'),
  runtimeSocket: join(dir, 'runtime.sock'),
});

/** A node's files under $ORCH_LAB_HOME/nodes/<name>/, and its log. */
export const nodePaths = (home: string, name: string) => ({
  ...nodeFiles(join(home, 'nodes', name)),
  log: join(home, 'logs', `${name}.log`),
});

export const nodesDir = (home: string) => join(home, 'nodes');
export const imageCacheDir = (home: string) => join(home, 'images');

/** Node N's addresses; N runs from 1 to 254 so all stay inside their ranges. */
export function nodeAddresses(index: number): { nodeIP: string; podCIDR: string; clusterCIDR: string } {
  if (!Number.isInteger(index) || index < 1 || index > 254) throw new Error(`no node addresses for ${index}`);
  return { nodeIP: `127.100.0.${index}`, podCIDR: `127.244.${index}.0/24`, clusterCIDR: '127.244.0.0/16' };
}

/**
 * Node N's pod range when containerd runs its pods: pods live in network namespaces of their own
 * behind a bridge, where loopback addresses cannot go, so they take kind's 10.244.N.0/24.
 */
export function containerdPodAddresses(index: number): { podCIDR: string; clusterCIDR: string } {
  return { podCIDR: `10.244.${index}.0/24`, clusterCIDR: '10.244.0.0/16' };
}

/** The N of a node's addresses: the last part of its node IP. */
export const nodeIndex = (config: Pick<NodeConfig, 'nodeIP'>) => Number(config.nodeIP.split('.')[3]);

export class NodeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeConfigError';
  }
}

export async function readNodeConfig(path: string): Promise<NodeConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new NodeConfigError(`${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = NodeConfig.safeParse(raw);
  if (!parsed.success) throw new NodeConfigError(`${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Writes node.json through a rename, so an agent starting meanwhile never reads half of it. */
export async function writeNodeConfig(path: string, config: NodeConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await rm(temp, { force: true });
  await writeFile(temp, `${JSON.stringify(NodeConfig.parse(config), null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/** A path from node.json, resolved against the folder the file is in. */
export const resolveNodePath = (configPath: string, path: string) =>
  isAbsolute(path) ? path : resolve(dirname(configPath), path);

/** `--labels k=v,k2=v2`, as kubectl label takes them; an empty string means none. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of text.split(',').filter((s) => s.trim() !== '')) {
    const [key = '', value = '', ...extra] = item.trim().split('=');
    const problems = [...isQualifiedName(key), ...isValidLabelValue(value)];
    if (extra.length > 0 || !item.includes('=') || problems.length > 0) {
      throw new NodeConfigError(
        `invalid label ${JSON.stringify(item)}${problems.length ? `: ${problems[0]}` : ''}`,
      );
    }
    labels[key] = value;
  }
  return labels;
}

/** `--container-runtime lab|containerd`. */
export function parseContainerRuntime(text: string): ContainerRuntime {
  const runtime = CONTAINER_RUNTIMES.find((r) => r === text);
  if (!runtime) {
    throw new NodeConfigError(
      `invalid container runtime ${JSON.stringify(text)}: want one of ${CONTAINER_RUNTIMES.join(', ')}`,
    );
  }
  return runtime;
}

/** `--taints k=v:NoSchedule,k2:NoExecute`, kubectl taint's spelling. */
export function parseTaints(text: string): NodeTaint[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((item) => {
      const match = /^([^=:]+)(?:=([^:]*))?:(.+)$/.exec(item.trim());
      const parsed = match && taint.safeParse({ key: match[1], value: match[2], effect: match[3] });
      if (!parsed?.success) {
        throw new NodeConfigError(
          `invalid taint ${JSON.stringify(item)}: want key[=value]:effect, effect one of ${TAINT_EFFECTS.join(', ')}`,
        );
      }
      return parsed.data.value === undefined
        ? { key: parsed.data.key, effect: parsed.data.effect }
        : parsed.data;
    });
}
