import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The gateway the host routes `range` via, '' when it has no such route, undefined for any other route. */
export async function routeVia(range: string): Promise<string | undefined> {
  const { stdout } = await run('ip', ['route', 'show', 'exact', range]).catch(() => ({ stdout: '' }));
  if (stdout.trim() === '') return '';
  return /\bvia (\d+\.\d+\.\d+\.\d+) /.exec(stdout)?.[1];
}

/**
 * Host routes to the pods: each node's pod CIDR via its container's IP, as a kubenet or
 * host-gw network routes pod ranges between machines. The host is the lab network's gateway, so a
 * pod's packet to a pod on another node goes through it and comes back to the right container.
 * Only routes via the lab's own node IPs are ever written or deleted: a route to the range that
 * goes elsewhere is someone else's, and is left alone with a warning.
 */
export async function replacePodRoute(podCIDR: string, nodeIP: string): Promise<void> {
  await replaceRoute(podCIDR, nodeIP, [nodeIP], `pods of the node at ${nodeIP}`);
}

/**
 * A host route to a Service range (cluster IPs, or load-balancer IPs) via one of the lab's nodes,
 * as Calico advertises Service addresses to a bare-metal cluster's routers: every node's kube-proxy
 * serves every Service, so any running node will do. `nodeIPs` are the lab's nodes, whose routes
 * to the range may be moved; a route via anything else is someone else's.
 */
export async function replaceServiceRoute(
  range: string,
  nodeIP: string,
  nodeIPs: readonly string[],
): Promise<void> {
  await replaceRoute(range, nodeIP, nodeIPs, `the lab's Service addresses ${range}`);
}

async function replaceRoute(
  range: string,
  nodeIP: string,
  ours: readonly string[],
  what: string,
): Promise<void> {
  const via = await routeVia(range);
  if (via !== '' && !(via !== undefined && ours.includes(via))) {
    throw new Error(
      `this host already routes ${range} elsewhere (via ${via ?? 'no lab node'}): ${what} are reachable ` +
        'from the nodes but not from here.',
    );
  }
  await run('ip', ['route', 'replace', range, 'via', nodeIP]).catch((err: { stderr?: string }) => {
    throw new Error(
      `could not route ${range} via ${nodeIP} on this host (${err.stderr?.trim() || String(err)}): ` +
        `${what} are reachable from the nodes but not from here; it needs root (CAP_NET_ADMIN).`,
    );
  });
}

/** Deletes the host's route to `range`, if it goes via `nodeIP`. */
export async function deleteRoute(range: string, nodeIP: string): Promise<void> {
  await run('ip', ['route', 'del', range, 'via', nodeIP]).catch(() => {});
}
