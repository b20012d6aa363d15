import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../../../test/support/lab.ts';
import type { ReplicaSet } from '../api/apps/replica-set.ts';
import type { Scale } from '../api/autoscaling/scale.ts';
import type { ConfigMap } from '../api/core/config.ts';
import type { Namespace } from '../api/core/namespace.ts';
import type { Pod } from '../api/core/pod.ts';
import type { Status } from '../api/meta.ts';
import { configMaps, namespaces, pods, replicaSets } from '../api/resources.ts';
import { ClusterPki } from '../pki/pki.ts';
import { loadRestConfig, type RestConfig } from './kubeconfig.ts';
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  RequestTimeoutError,
  RestClient,
  type WatchEvent,
} from './rest-client.ts';

const NS = 'rest';

let lab: TestLab;
let config: RestConfig;
let client: RestClient;

const configMap = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data }) as ConfigMap;

const pod = (name: string) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'lab/app' }] },
  }) as Pod;

/** Runs `fn`, expecting it to fail; returns what it threw. */
async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  lab = await startTestLab();
  config = await loadRestConfig(lab.kubeconfig);
  client = new RestClient(config, { component: 'rest-client-test' });
  await client.resource(namespaces).create({ metadata: { name: NS } } as Namespace);
});

afterAll(async () => {
  client?.close();
  await lab?.stop();
});

describe('RestClient against the API server', () => {
  it('creates, reads, replaces and deletes, with typed errors for the usual failures', async () => {
    const cms = client.resource(configMaps, NS);
    const created = await cms.create(configMap('crud', { a: '1' }));
    expect(created.metadata.uid).toBeTruthy();
    expect((await cms.get('crud')).data).toEqual({ a: '1' });

    const updated = await cms.update({ ...created, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });

    const stale = await failure(() => cms.update({ ...created, data: { a: '3' } }));
    expect(isConflict(stale)).toBe(true);
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });

    const duplicate = await failure(() => cms.create(configMap('crud')));
    expect(isAlreadyExists(duplicate)).toBe(true);
    expect(isConflict(duplicate)).toBe(false);

    const missing = await failure(() => cms.get('nope'));
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).message).toBe('configmaps "nope" not found');
    expect((missing as ApiError).status.details?.name).toBe('nope');

    const wrongUid = await failure(() => cms.delete('crud', { preconditions: { uid: 'not-this-one' } }));
    expect(isConflict(wrongUid)).toBe(true);
    await cms.delete('crud', { preconditions: { uid: created.metadata.uid! } });
    expect(isNotFound(await failure(() => cms.get('crud')))).toBe(true);
  });

  it('patches with merge, strategic merge and JSON patches', async () => {
    const cms = client.resource(configMaps, NS);
    await cms.create(configMap('patched', { keep: 'x', drop: 'y' }));
    await cms.patch('patched', 'merge', { data: { drop: null, merged: '1' } });
    await cms.patch('patched', 'strategic', { metadata: { labels: { tier: 'web' } } });
    const result = await cms.patch('patched', 'json', [{ op: 'add', path: '/data/json', value: '2' }]);
    expect(result.data).toEqual({ keep: 'x', merged: '1', json: '2' });
    expect(result.metadata.labels).toEqual({ tier: 'web' });
  });

  it('lists with selectors and in pages, items typed like watched objects', async () => {
    const cms = client.resource(configMaps, NS);
    for (const name of ['l1', 'l2', 'l3']) await cms.create(configMap(name, {}, { list: 'yes' }));
    await cms.create(configMap('l4', {}, { list: 'no' }));

    const selected = await cms.list({ labelSelector: 'list=yes' });
    expect(selected.items.map((c) => c.metadata.name)).toEqual(['l1', 'l2', 'l3']);
    expect(selected.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect((await cms.list({ fieldSelector: 'metadata.name=l4' })).items).toHaveLength(1);

    const first = await cms.list({ labelSelector: 'list', limit: 3 });
    expect(first.items.map((c) => c.metadata.name)).toEqual(['l1', 'l2', 'l3']);
    const rest = await cms.list({ labelSelector: 'list', limit: 3, continue: first.metadata.continue });
    expect(rest.items.map((c) => c.metadata.name)).toEqual(['l4']);
    expect(rest.metadata.continue).toBeUndefined();

    const everywhere = await client.resource(configMaps).list({ labelSelector: 'list=no' });
    expect(everywhere.items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual([`${NS}/l4`]);
  });

  it('writes status and calls subresources: binding, eviction, scale', async () => {
    const podClient = client.resource(pods, NS);
    const created = await podClient.create(pod('running'));
    const withStatus = await podClient.updateStatus({
      ...created,
      status: { ...created.status, phase: 'Running' },
    });
    expect(withStatus.status?.phase).toBe('Running');

    // The binding handler is reached (and answers as Kubernetes does for a missing pod).
    const unbound = await failure(() =>
      podClient.createSubresource('missing', 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'missing' },
        target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
      }),
    );
    expect(isNotFound(unbound)).toBe(true);

    await podClient.create(pod('evicted'));
    const evicted = await podClient.createSubresource<Status>('evicted', 'eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'evicted' },
    });
    expect(evicted.status).toBe('Success');
    expect(isNotFound(await failure(() => podClient.get('evicted')))).toBe(true);

    const rsClient = client.resource(replicaSets, NS);
    await rsClient.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'scaled' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'scaled' } },
        template: { metadata: { labels: { app: 'scaled' } }, spec: pod('x').spec },
      },
    } as unknown as ReplicaSet);
    const scale = await rsClient.getSubresource<Scale>('scaled', 'scale');
    expect(scale.spec?.replicas).toBe(1);
    await rsClient.updateSubresource('scaled', 'scale', { ...scale, spec: { replicas: 3 } });
    expect((await rsClient.get('scaled')).spec.replicas).toBe(3);
    const patched = await rsClient.patch(
      'scaled',
      'merge',
      { spec: { replicas: 2 } },
      { subresource: 'scale' },
    );
    expect((patched as unknown as Scale).spec?.replicas).toBe(2);
  });

  it('streams watch events until the server ends the watch', async () => {
    const cms = client.resource(configMaps, NS);
    const start = await cms.list();
    const watcher = await cms.watch({
      resourceVersion: start.metadata.resourceVersion,
      timeoutSeconds: 1,
      labelSelector: 'watched',
    });
    await cms.create(configMap('w1', {}, { watched: 'yes' }));
    await cms.patch('w1', 'merge', { data: { a: '1' } });
    await cms.delete('w1');
    const seen: string[] = [];
    for await (const event of watcher) seen.push(`${event.type} ${nameOf(event)}`);
    expect(seen).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  it('ends an iteration quietly on stop() or abort', async () => {
    const cms = client.resource(configMaps, NS);
    const stopped = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion });
    setTimeout(() => stopped.stop(), 50);
    for await (const _ of stopped) expect.unreachable();

    const controller = new AbortController();
    const aborted = await cms.watch({ signal: controller.signal, labelSelector: 'none' });
    setTimeout(() => controller.abort(), 50);
    for await (const _ of aborted) expect.unreachable();
  });

  it('reports a compacted resourceVersion as 410, by ERROR event and by status code', async () => {
    const cms = client.resource(configMaps, NS);
    await cms.create(configMap('old-1', {}, { gone: 'yes' }));
    await cms.create(configMap('old-2', {}, { gone: 'yes' }));
    const page = await cms.list({ labelSelector: 'gone', limit: 1 });
    await cms.create(configMap('old-3'));
    await cms.create(configMap('old-4'));
    await lab.plane.store.compact({ revision: lab.plane.store.status().revision });

    const watcher = await cms.watch({ resourceVersion: page.metadata.resourceVersion });
    const events: WatchEvent<ConfigMap>[] = [];
    for await (const event of watcher) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });

    const expired = await failure(() => cms.list({ limit: 1, continue: page.metadata.continue }));
    expect(isGone(expired)).toBe(true);
  });
});

describe('RestClient on the wire', () => {
  it('sends the user agent and bearer token, and makes a Status of an answer without one', async () => {
    const pki = await ClusterPki.open({ dir: join(lab.home, 'pki') });
    const { cert, key } = await pki.ensureServingCertificate();
    let received: IncomingHttpHeaders = {};
    const server = createHttpsServer({ cert, key }, (req, res) => {
      received = req.headers;
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('upstream is down\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tokenClient = new RestClient(
      {
        contextName: 'fake',
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        certificateAuthority: pki.caCertificate,
        token: 'secret-token',
        insecureSkipTlsVerify: false,
        namespace: 'default',
      },
      { component: 'kubelet' },
    );
    try {
      const err = await failure(() => tokenClient.resource(pods, 'default').get('p'));
      expect(err).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: 'upstream is down' });
      expect(received['user-agent']).toBe('orch-lab/kubelet');
      expect(received.authorization).toBe('Bearer secret-token');
    } finally {
      tokenClient.close();
      server.close();
    }
  });

  it('gives up on a server that never answers, with RequestTimeoutError', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const slow = new RestClient(
      { ...config, server: `https://127.0.0.1:${port}` },
      { component: 'test', timeoutMs: 150 },
    );
    try {
      const started = Date.now();
      const err = await failure(() => slow.resource(configMaps, NS).list());
      expect(err).toBeInstanceOf(RequestTimeoutError);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await failure(() => slow.resource(configMaps, NS).watch())).toBeInstanceOf(RequestTimeoutError);
    } finally {
      slow.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

function nameOf(event: WatchEvent<ConfigMap>): string {
  return event.type === 'ERROR' ? '' : (event.object.metadata.name ?? '');
}
