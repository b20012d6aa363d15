import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Host routes to the pods: each node's pod CIDR via its container's IP, as a kubenet or
 * host-gw network routes pod ranges between machines. The host is the lab network's gateway, so a
 * pod's packet to a pod on another node goes through it and comes back to the right container.
 * Only routes via the lab's own node IPs are ever written or deleted: a route to the range that
 * goes elsewhere is someone else's, and is left alone with a warning.
 */
export async function replacePodRoute(podCIDR: string, nodeIP: string): Promise<void> {
  const { stdout } = await run('ip', ['route', 'show', 'exact', podCIDR]).catch(() => ({ stdout: '' }));
  if (stdout.trim() !== '' && !stdout.includes(`via ${nodeIP} `)) {
    throw new Error(
      `this host already routes ${podCIDR} elsewhere (${stdout.trim()}): pods of the node at ${nodeIP} ` +
        'are reachable from other nodes but not from here.',
    );
  }
  await run('ip', ['route', 'replace', podCIDR, 'via', nodeIP]).catch((err: { stderr?: string }) => {
    throw new Error(
      `could not route ${podCIDR} via ${nodeIP} on this host (${err.stderr?.trim() || String(err)}): ` +
        'pods of that node are reachable from other nodes but not from here; it needs root (CAP_NET_ADMIN).',
    );
  });
}

export async function deletePodRoute(podCIDR: string, nodeIP: string): Promise<void> {
  await run('ip', ['route', 'del', podCIDR, 'via', nodeIP]).catch(() => {});
}
