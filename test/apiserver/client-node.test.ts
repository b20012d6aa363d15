import type { Agent, RequestOptions } from 'node:https';
import {
  CoreV1Api,
  KubeConfig,
  ListWatch,
  type V1ConfigMap,
  type V1Status,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../src/cluster/apiserver/audit.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// The official JavaScript client is a second judge besides kubectl: its informer (ListWatch) is
// a plain reflector, list then watch from the list's resourceVersion, relist after a 410, so it
// shows whether our list/watch contract is the one clients are written against.

type FetchInit = Awaited<ReturnType<KubeConfig['applyToFetchOptions']>>;

/** Remembers the agent of every watch request, so a test can cut the connection under it. */
class TrackingKubeConfig extends KubeConfig {
  readonly agents: Agent[] = [];

  override async applyToFetchOptions(opts: RequestOptions): Promise<FetchInit> {
    const init = await super.applyToFetchOptions(opts);
    if (init.agent && typeof init.agent === 'object') this.agents.push(init.agent as Agent);
    return init;
  }

  /** Destroys every open socket, as a dropped network connection would. */
  dropConnections(): void {
    for (const agent of this.agents) {
      for (const socket of Object.values(agent.sockets).flat()) socket?.destroy();
    }
  }
}

const PATH = '/api/v1/namespaces/default/configmaps';

let lab: TestLab;
let kc: TrackingKubeConfig;
let core: CoreV1Api;
let informer: ListWatch<V1ConfigMap>;
let stopping = false;
let lists = 0;
/** The resourceVersion of each list the informer made. */
const listVersions: string[] = [];
const seen: string[] = [];
const errors: unknown[] = [];
const audit: AuditEvent[] = [];

const configMap = (name: string, color: string, namespace = 'default'): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { color },
});

// Every namespace also holds kube-root-ca.crt (the root-ca-cert-publisher's), which is not this test's.
const record = (type: string) => (cm: V1ConfigMap) => {
  if (cm.metadata?.name !== 'kube-root-ca.crt')
    seen.push(`${type} ${cm.metadata?.name} ${cm.data?.color ?? ''}`.trim());
};

beforeAll(async () => {
  lab = await startTestLab();
  lab.plane.api.audit.subscribe((event) => audit.push(event));
  kc = new TrackingKubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  informer = new ListWatch<V1ConfigMap>(
    PATH,
    new Watch(kc),
    async () => {
      lists++;
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      listVersions.push(list.metadata?.resourceVersion ?? '');
      return list;
    },
    false,
  );
  informer.on('add', record('ADDED'));
  informer.on('update', record('MODIFIED'));
  informer.on('delete', record('DELETED'));
  // client-node's informer stops on any error but a 410 and leaves restarting to its user; this is
  // the restart its documentation shows (client-go's reflector does the same inside, with backoff).
  informer.on('error', (err) => {
    errors.push(err);
    if (!stopping) setTimeout(() => void informer.start(), 10);
  });
  await informer.start();
});

afterAll(async () => {
  stopping = true;
  await informer?.stop();
  await lab?.stop();
});

/** Audited watches of the informer's configmaps that started from `resourceVersion`. */
const watchesFrom = (events: readonly AuditEvent[], resourceVersion: string) =>
  events.filter(
    (e) =>
      e.verb === 'watch' &&
      e.objectRef?.resource === 'configmaps' &&
      e.objectRef.namespace === 'default' &&
      new URL(e.requestURI, 'https://apiserver').searchParams.get('resourceVersion') === resourceVersion,
  );

const waitForSeen = (expected: readonly string[]) =>
  vi.waitFor(() => expect(seen).toEqual(expected), { timeout: 5000, interval: 20 });

describe('@kubernetes/client-node informer against the API server', () => {
  it('lists, then delivers ADDED, MODIFIED and DELETED in order', async () => {
    expect(lists).toBe(1);
    expect(seen).toEqual([]);
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('settings', 'blue') });
    const current = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'default',
      body: { ...current, data: { color: 'green' } },
    });
    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    await waitForSeen(['ADDED settings blue', 'MODIFIED settings green', 'DELETED settings green']);
    expect(informer.list('default').filter((cm) => cm.metadata?.name !== 'kube-root-ca.crt')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('answers a watch from a compacted resourceVersion with an ERROR event: 410 Expired', async () => {
    const stale = informer.latestResourceVersion();
    expect(stale).toMatch(/^\d+$/);
    // Writes the informer does not see (another namespace) move the store past its resourceVersion.
    await core.createNamespacedConfigMap({
      namespace: 'kube-system',
      body: configMap('elsewhere', 'red', 'kube-system'),
    });
    await core.deleteNamespacedConfigMap({ name: 'elsewhere', namespace: 'kube-system' });
    const { revision } = lab.plane.store.status();
    expect(revision).toBeGreaterThan(Number(stale) + 1);
    await lab.plane.store.compact({ revision });

    // What the informer's next watch from its resourceVersion will hear.
    const events: { type: string; object: V1Status }[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        PATH,
        { resourceVersion: stale },
        (type, object) => events.push({ type, object }),
        resolve,
      );
    });
    expect(await ended).toBeNull();
    expect(events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${stale} (${revision})`,
          reason: 'Expired',
          code: 410,
        },
      },
    ]);
    // The live watch is synced, so compaction leaves it alone: nothing reached the informer.
    expect(seen).toHaveLength(3);
    expect(errors).toEqual([]);
    // The server audits a request once its response is over, which the client may notice first.
    await vi.waitFor(() => expect(watchesFrom(audit, stale)).toHaveLength(1), {
      timeout: 5000,
      interval: 20,
    });
  });

  it('relists after its connection drops and its resourceVersion has expired, then keeps going', async () => {
    const stale = informer.latestResourceVersion();
    const auditFrom = audit.length;
    kc.dropConnections();
    // Restarted, the informer watches from `stale`, hears 410, forgets its resourceVersion and lists.
    await vi.waitFor(() => expect(lists).toBe(2), { timeout: 5000, interval: 20 });
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after', 'yellow') });
    await waitForSeen([
      'ADDED settings blue',
      'MODIFIED settings green',
      'DELETED settings green',
      'ADDED after yellow',
    ]);
    expect(informer.get('after', 'default')?.data).toEqual({ color: 'yellow' });
    expect(Number(informer.latestResourceVersion())).toBeGreaterThan(Number(stale));

    // The audit log tells the story, each request once its response is over: the dropped watch
    // (from the first list's resourceVersion), the watch from the expired one, the relist. The
    // watch after the relist is still open, so it has no ResponseComplete event yet.
    const since = audit.slice(auditFrom);
    const [dropped] = watchesFrom(since, listVersions[0]!);
    const [expired] = watchesFrom(since, stale);
    const relist = since.find((e) => e.verb === 'list');
    expect(dropped?.responseStatus.code).toBe(200);
    expect(expired?.responseStatus.code).toBe(200);
    expect(relist?.responseStatus.code).toBe(200);
    expect(since.indexOf(expired!)).toBeLessThan(since.indexOf(relist!));
    expect(listVersions).toHaveLength(2);
    expect(Number(listVersions[1])).toBeGreaterThan(Number(stale));
  });
});
