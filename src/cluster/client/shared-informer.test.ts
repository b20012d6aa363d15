import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../../../test/support/lab.ts';
import type { ConfigMap } from '../api/core/config.ts';
import type { Namespace } from '../api/core/namespace.ts';
import { configMaps, namespaces, pods } from '../api/resources.ts';
import { ControlPlane } from '../lab.ts';
import { loadRestConfig, type RestConfig } from './kubeconfig.ts';
import type { ReflectorTrace } from './reflector.ts';
import { type ResourceClient, RestClient } from './rest-client.ts';
import { SharedInformer, SharedInformerFactory } from './shared-informer.ts';
import { NAMESPACE_INDEX } from './thread-safe-store.ts';

let lab: TestLab;
let config: RestConfig;
let admin: RestClient;

/** Fast retries, so a test waits milliseconds rather than the production 800 ms and up. */
const tuning = { backoff: { initialMs: 20, maxMs: 100 } };

beforeAll(async () => {
  // No controller-manager: its root-ca-cert-publisher would add kube-root-ca.crt to every namespace.
  lab = await startTestLab({ controllers: false });
  config = await loadRestConfig(lab.kubeconfig);
  admin = new RestClient(config, { component: 'informer-test' });
});

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

const cm = (name: string, v: string) => ({ metadata: { name }, data: { v } }) as ConfigMap;

async function namespace(name: string): Promise<ResourceClient<ConfigMap>> {
  await admin.resource(namespaces).create({ metadata: { name } } as Namespace);
  return admin.resource(configMaps, name);
}

/** What handlers hear, as lines: "add a v1", "update a v1->v2", "delete b v1", "resync a v2". */
function record(informer: SharedInformer<ConfigMap>): string[] {
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (obj, initial) =>
      log.push(`add ${obj.metadata.name} ${obj.data?.v}${initial ? ' (initial)' : ''}`),
    onUpdate: (old, obj) =>
      log.push(
        old === obj
          ? `resync ${obj.metadata.name} ${obj.data?.v}`
          : `update ${obj.metadata.name} ${old.data?.v}->${obj.data?.v}`,
      ),
    onDelete: (obj) => log.push(`delete ${obj.metadata.name} ${obj.data?.v}`),
  });
  return log;
}

/** Runs the informer; the returned function stops it and waits until it has. */
function run<T>(informer: { run(signal: AbortSignal): Promise<T> }): () => Promise<T> {
  const controller = new AbortController();
  const done = informer.run(controller.signal);
  return () => {
    controller.abort();
    return done;
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const names = (objects: ConfigMap[]) => objects.map((o) => o.metadata.name).sort();

/**
 * A TCP proxy in front of the API server that a test can cut, as a network partition would: open
 * connections drop and new ones are refused until restore(). TLS passes through untouched.
 */
class Partition {
  private readonly sockets = new Set<Socket>();
  private open = true;
  private readonly server: Server;

  constructor(target: number) {
    this.server = createServer((client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = connect(target, '127.0.0.1');
      for (const [socket, peer] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          peer.destroy();
        });
        socket.pipe(peer);
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.open = true;
  }

  close(): void {
    this.cut();
    this.server.close();
  }
}

/**
 * Resolves when the API server has recorded the end of `count` watches of `component`. A test
 * stops a control plane only after its watches are over: ApiServer.close() with a watch still
 * open lets the audit log be written after it was closed, an uncaught error that would end the
 * test process.
 */
function watchesEnded(plane: ControlPlane, component: string, count = 1): Promise<void> {
  let seen = 0;
  return new Promise((resolve) =>
    plane.api.audit.subscribe((event) => {
      if (event.verb === 'watch' && event.userAgent === `orch-lab/${component}` && ++seen === count)
        resolve();
    }),
  );
}

describe('SharedInformer against the API server', () => {
  it('reports adds, updates and deletes in order, with the old and new objects, after syncing', async () => {
    const cms = await namespace('order');
    await cms.create(cm('a', 'v1'));
    await cms.create(cm('b', 'v1'));
    const informer = new SharedInformer({ listerWatcher: admin.resource(configMaps, 'order') });
    const log = record(informer);
    expect(informer.hasSynced()).toBe(false);
    const stop = run(informer);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.hasSynced()).toBe(true);
    expect(log).toEqual(['add a v1 (initial)', 'add b v1 (initial)']);

    const a = await cms.get('a');
    await cms.update({ ...a, data: { v: 'v2' } });
    await cms.delete('b');
    await cms.create(cm('c', 'v1'));
    const last = await cms.patch('a', 'merge', { data: { v: 'v3' } });
    await until(() => log.length === 6, 'four events');
    expect(log.slice(2)).toEqual(['update a v1->v2', 'delete b v1', 'add c v1', 'update a v2->v3']);
    expect(names(informer.store.byIndex(NAMESPACE_INDEX, 'order'))).toEqual(['a', 'c']);
    expect(informer.store.get('order/a')).toEqual(last);
    expect(informer.lastSyncResourceVersion()).toBe(last.metadata.resourceVersion);
    await stop();
  });

  it('hands existing objects to a late handler as adds, resyncs, and stops telling a removed handler', async () => {
    const cms = await namespace('late');
    await cms.create(cm('a', 'v1'));
    const informer = new SharedInformer({
      listerWatcher: admin.resource(configMaps, 'late'),
      resyncPeriodMs: 100,
    });
    const stop = run(informer);
    await informer.waitForSync();
    const log = record(informer);
    expect(log).toEqual(['add a v1 (initial)']);
    await until(() => log.length >= 2, 'a resync');
    expect(log[1]).toBe('resync a v1');

    const other: string[] = [];
    const registration = informer.addEventHandler({ onAdd: (obj) => other.push(obj.metadata.name!) });
    registration.remove();
    await cms.create(cm('b', 'v1'));
    await until(() => log.includes('add b v1'), 'the add of b');
    expect(other).toEqual(['a']);
    await stop();
  });

  it('relists after a 410 and reconciles the cache with what changed while it was cut off', async () => {
    const cms = await namespace('relist');
    await cms.create(cm('a', 'v1'));
    await cms.create(cm('b', 'v1'));
    const partition = new Partition(Number(new URL(config.server).port));
    const cutOff = new RestClient({ ...config, server: await partition.listen() }, { component: 'informer' });
    const traces: ReflectorTrace[] = [];
    const informer = new SharedInformer({
      listerWatcher: cutOff.resource(configMaps, 'relist'),
      reflector: { ...tuning, trace: (t) => traces.push(t) },
    });
    const log = record(informer);
    const stop = run(informer);
    try {
      await informer.waitForSync();
      await until(() => traces.some((t) => t.type === 'watching'), 'the watch');
      const synced = informer.lastSyncResourceVersion();

      partition.cut();
      await cms.update({ ...(await cms.get('a')), data: { v: 'v2' } });
      await cms.delete('b');
      await cms.create(cm('c', 'v1'));
      // Forget the history the informer would need to resume its watch.
      await lab.plane.store.compact({ revision: lab.plane.store.status().revision });
      await until(() => traces.some((t) => t.type === 'failed'), 'a failed retry');
      partition.restore();

      await until(() => log.length === 5, 'the relist');
      expect(log).toEqual([
        'add a v1 (initial)',
        'add b v1 (initial)',
        'update a v1->v2',
        'add c v1',
        'delete b v1',
      ]);
      const expired = traces.find((t) => t.type === 'expired');
      expect(expired).toMatchObject({ resourceVersion: synced });
      expect(traces.filter((t) => t.type === 'listed')).toHaveLength(2);
      expect(names(informer.store.list())).toEqual(['a', 'c']);

      // And it watches again from the new list: a later change arrives once.
      await cms.patch('a', 'merge', { data: { v: 'v3' } });
      await until(() => log.length === 6, 'the change after the relist');
      expect(log[5]).toBe('update a v2->v3');
    } finally {
      await stop();
      cutOff.close();
      partition.close();
    }
  });

  it('resumes from its resourceVersion after the API server is stopped and started again', async () => {
    const home = await mkdtemp(join(tmpdir(), 'orch-lab-informer-'));
    let plane = await ControlPlane.start({ home, apiPort: 0, etcdPort: 0, controllers: false });
    const port = Number(new URL(plane.state.apiServer).port);
    const planeConfig = await loadRestConfig(plane.state.kubeconfig);
    const partition = new Partition(port);
    const client = new RestClient(
      { ...planeConfig, server: await partition.listen() },
      { component: 'informer' },
    );
    const traces: ReflectorTrace[] = [];
    const informer = new SharedInformer({
      listerWatcher: client.resource(configMaps, 'default'),
      reflector: { ...tuning, trace: (t) => traces.push(t) },
    });
    const log = record(informer);
    let stop: (() => Promise<void>) | undefined;
    try {
      const before = new RestClient(planeConfig, { component: 'writer' });
      await before.resource(configMaps, 'default').create(cm('a', 'v1'));
      await before.resource(configMaps, 'default').create(cm('b', 'v1'));
      before.close();
      stop = run(informer);
      await informer.waitForSync();
      await until(() => traces.some((t) => t.type === 'watching'), 'the watch');

      const dropped = watchesEnded(plane, 'informer');
      partition.cut();
      await dropped;
      await plane.stop();
      partition.restore();
      await until(() => traces.some((t) => t.type === 'failed'), 'a failed retry');
      plane = await ControlPlane.start({ home, apiPort: port, etcdPort: 0, controllers: false });

      const writer = new RestClient(planeConfig, { component: 'writer' });
      const cms = writer.resource(configMaps, 'default');
      await cms.update({ ...(await cms.get('a')), data: { v: 'v2' } });
      await cms.delete('b');
      await cms.create(cm('c', 'v1'));
      await until(() => log.length === 5, 'the changes after the restart');
      expect(log).toEqual([
        'add a v1 (initial)',
        'add b v1 (initial)',
        'update a v1->v2',
        'delete b v1',
        'add c v1',
      ]);
      expect(names(informer.store.list())).toEqual(names((await cms.list()).items));
      expect(traces.filter((t) => t.type === 'listed')).toHaveLength(1);
      writer.close();

      const ended = watchesEnded(plane, 'informer');
      await stop();
      stop = undefined;
      await ended;
    } finally {
      await stop?.();
      client.close();
      partition.close();
      await plane.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer per resource and scope, and syncs and stops them together', async () => {
    await namespace('shared');
    const client = new RestClient(config, { component: 'factory' });
    let watching = 0;
    const trace = (t: ReflectorTrace) => {
      if (t.type === 'watching') watching++;
    };
    const factory = new SharedInformerFactory({ client, reflector: { ...tuning, trace } });
    const podsEverywhere = factory.forResource(pods);
    expect(factory.forResource(pods)).toBe(podsEverywhere);
    expect(factory.forResource(pods, { namespace: 'shared' })).not.toBe(podsEverywhere);
    expect(factory.forResource(pods, { labelSelector: 'app=web' })).not.toBe(podsEverywhere);
    expect(factory.forResource(namespaces, { namespace: 'ignored' })).toBe(factory.forResource(namespaces));

    const controller = new AbortController();
    factory.start(controller.signal);
    expect(await factory.waitForCacheSync(controller.signal)).toBe(true);
    expect(factory.forResource(namespaces).store.get('shared')).toBeDefined();

    const late = factory.forResource(configMaps);
    factory.start(controller.signal);
    expect(await factory.waitForCacheSync()).toBe(true);
    expect(late.hasSynced()).toBe(true);

    await until(() => watching === 5, 'five watches');
    const ended = watchesEnded(lab.plane, 'factory', 5);
    controller.abort();
    await factory.shutdown();
    await ended;
    client.close();
  });
});
