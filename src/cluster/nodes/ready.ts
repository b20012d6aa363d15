import type { Node } from '../api/core/node.ts';
import { leases, nodes } from '../api/resources.ts';
import type { RestClient } from '../client/rest-client.ts';

/** Whether the kubelet reports the node Ready (its Ready condition is True). */
export const isNodeReady = (node: Node) =>
  node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export interface WaitForReadyOptions {
  readonly timeoutMs: number;
  /**
   * Only a node heard from at or after this time (ms) counts: a Node stopped a moment ago still
   * says Ready until the node lifecycle controller notices, so a restarted node's kubelet must have
   * renewed its Lease (renewTime has microseconds; the Ready condition only whole seconds).
   */
  readonly since?: number;
  /** Called once per node as it turns Ready. */
  readonly onReady?: (name: string) => void;
  /**
   * Checked between looks: a reason the wait cannot succeed (the agent process died), which
   * ends the wait at once instead of at the timeout.
   */
  readonly failure?: (waiting: readonly string[]) => Promise<string | undefined>;
}

/** The nodes whose kubelet renewed its Lease in kube-node-lease at or after `since`. */
async function renewedSince(client: RestClient, since: number): Promise<Set<string>> {
  const list = await client.resource(leases, 'kube-node-lease').list();
  return new Set(
    list.items
      .filter((lease) => Date.parse(lease.spec?.renewTime ?? '') >= since)
      .map((lease) => lease.metadata.name ?? ''),
  );
}

/** How often the Node objects are looked at: a Ready node is seen within this long. */
const POLL_MS = 100;

/** waitForNodesReady returns once every named Node is Ready, and throws when time runs out. */
export async function waitForNodesReady(
  client: RestClient,
  names: readonly string[],
  options: WaitForReadyOptions,
): Promise<void> {
  const waiting = new Set(names);
  const deadline = Date.now() + options.timeoutMs;
  while (waiting.size > 0) {
    const list = await client.resource(nodes).list();
    const renewed = options.since === undefined ? undefined : await renewedSince(client, options.since);
    for (const node of list.items) {
      const name = node.metadata.name ?? '';
      if (waiting.has(name) && isNodeReady(node) && (renewed?.has(name) ?? true)) {
        waiting.delete(name);
        options.onReady?.(name);
      }
    }
    if (waiting.size === 0) return;
    const failed = await options.failure?.([...waiting]);
    if (failed) throw new Error(failed);
    if (Date.now() > deadline) {
      throw new Error(`not Ready within ${options.timeoutMs / 1000}s: ${[...waiting].join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
