import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { formatTime } from '../../src/cluster/api/meta.ts';
import { pods } from '../../src/cluster/api/resources.ts';
import type { RestClient } from '../../src/cluster/client/rest-client.ts';

/** Polls `read` until it returns something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Marks a pod Running and Ready through pods/status, as its kubelet would once its containers
 * pass their readiness probes; the control plane in these tests has no nodes of its own.
 */
export async function markReady(client: RestClient, pod: Pod): Promise<void> {
  const now = formatTime(Date.now());
  const podClient = client.resource(pods, pod.metadata.namespace);
  const current = await podClient.get(pod.metadata.name ?? '');
  await podClient.updateStatus({
    ...current,
    status: {
      ...current.status,
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ],
    },
  });
}

export const ownedBy = (pod: Pod, uid: string | undefined) =>
  pod.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) ?? false;

/**
 * Until stopped, marks every new pod of `namespace` Ready shortly after it appears, standing in for
 * the kubelets this control plane does not have.
 */
export function readyPodsAsTheyCome(client: RestClient, namespace: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const list = await client
        .resource(pods, namespace)
        .list()
        .catch(() => ({ items: [] as Pod[] }));
      for (const pod of list.items) {
        const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (!ready && !pod.metadata.deletionTimestamp) await markReady(client, pod).catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
