import { access } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { DockerEngineError } from './engine.ts';

/** The labels on everything the lab makes in Docker; only what carries both is ever touched. */
export const LAB_LABELS = { cluster: 'orch-lab.cluster', home: 'orch-lab.home' } as const;

export interface LabNetwork {
  readonly name: string;
  /** A /24: node N is .N, as on process labs, and the gateway (the host) .254. */
  readonly subnet: string;
  readonly gateway: string;
}

/** The pods' range of a Docker lab (kind's default too): node N's pod CIDR is 10.244.N.0/24. */
export const DOCKER_CLUSTER_CIDR = '10.244.0.0/16';

/**
 * Where a Docker lab's load balancer takes external IPs from: outside the pod and service ranges,
 * and routed from the host to a node, as the service range is (see routeServices in the provider).
 */
export const DOCKER_LOAD_BALANCER_IP_RANGE = '10.250.0.0/24';

/** Node N's addresses on a docker lab: its container's IP on the lab network, and pod CIDR 10.244.N.0/24. */
export function dockerNodeAddresses(
  network: LabNetwork,
  index: number,
): { nodeIP: string; podCIDR: string; clusterCIDR: string } {
  if (!Number.isInteger(index) || index < 1 || index > 253) throw new Error(`no node addresses for ${index}`);
  const base = network.subnet.split('/')[0]!.split('.').slice(0, 3).join('.');
  return { nodeIP: `${base}.${index}`, podCIDR: `10.244.${index}.0/24`, clusterCIDR: DOCKER_CLUSTER_CIDR };
}

/** Candidate subnets for the lab network, tried in order until one overlaps no other network. */
const CANDIDATES = Array.from({ length: 256 }, (_, i) => `172.30.${i}.0/24`);

/**
 * ensureNetwork finds or creates the lab's user-defined bridge network. Its subnet is chosen here
 * (not left to Docker) because only then does Docker let each node container keep a fixed IP, which
 * its kubelet certificate names and which survives a restart. A network of that name made by
 * another lab home is a conflict, reported with the command that clears it.
 */
export async function ensureNetwork(
  docker: Dockerode,
  labels: { readonly cluster: string; readonly home: string },
  name: string,
): Promise<LabNetwork> {
  const existing = await inspectNetwork(docker, name);
  if (existing) {
    const owner = existing.Labels?.[LAB_LABELS.home];
    if (owner !== labels.home) throw await conflict(`network ${name}`, owner, name);
    return existing.lab;
  }
  const taken = (await docker.listNetworks())
    .flatMap((n) => n.IPAM?.Config ?? [])
    .map((c) => c.Subnet)
    .filter((s): s is string => typeof s === 'string' && s.includes('.'));
  const subnet = CANDIDATES.find((c) => !taken.some((t) => overlaps(c, t)));
  if (!subnet) throw new DockerEngineError('no free /24 in 172.30.0.0/16 for the lab network');
  const gateway = subnet.replace(/0\/24$/, '254');
  await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
    Labels: { [LAB_LABELS.cluster]: labels.cluster, [LAB_LABELS.home]: labels.home },
  });
  return { name, subnet, gateway };
}

/** The network, with its labels and addressing, or undefined when there is none of that name. */
export async function inspectNetwork(
  docker: Dockerode,
  name: string,
): Promise<{ lab: LabNetwork; Labels?: Record<string, string>; Id: string } | undefined> {
  const info = await docker
    .getNetwork(name)
    .inspect()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return undefined;
      throw err;
    });
  if (!info) return undefined;
  const config = (info.IPAM?.Config ?? [])[0] as { Subnet?: string; Gateway?: string } | undefined;
  return {
    Id: info.Id,
    Labels: info.Labels,
    lab: { name, subnet: config?.Subnet ?? '', gateway: config?.Gateway ?? '' },
  };
}

/**
 * The error for a Docker object in the lab's way, with the way out: another lab's (stop it with
 * down --purge), one left by a lab whose home is gone (a crashed or deleted run: the docker commands
 * that remove exactly what it left), or one orch-lab did not make (never touched: rename or remove it).
 */
export async function conflict(
  what: string,
  owner: string | undefined,
  network: string,
): Promise<DockerEngineError> {
  if (!owner) {
    return new DockerEngineError(
      `Docker ${what} is in the lab's way and orch-lab did not make it: remove or rename it.`,
    );
  }
  if (
    await access(owner).then(
      () => true,
      () => false,
    )
  ) {
    return new DockerEngineError(
      `Docker ${what} belongs to the lab in ${owner}, and only one lab's nodes run on an engine at a time.\n` +
        `Stop that lab and remove its nodes with: ORCH_LAB_HOME=${owner} orch-lab down --purge`,
    );
  }
  return new DockerEngineError(
    `Docker ${what} was left by a lab whose home ${owner} is gone (a run that crashed or was deleted). ` +
      'Remove what it left with:\n' +
      `  docker rm -f $(docker ps -aq --filter label=${LAB_LABELS.home}=${owner})\n` +
      `  docker network rm ${network}`,
  );
}

function overlaps(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const [ip = '', bits = '32'] = cidr.split('/');
    const start = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return [Math.floor(start / size) * size, Math.floor(start / size) * size + size] as const;
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 < b1 && b0 < a1;
}
