import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../../../test/support/lab.ts';
import type { Event } from '../api/core/event.ts';
import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { events, nodes, pods } from '../api/resources.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import {
  FilterResultAnnotation,
  FinalScoreResultAnnotation,
  ScoreResultAnnotation,
  SelectedNodeAnnotation,
} from './decision-annotations.ts';
import { Scheduler } from './scheduler.ts';

/** A virtual node: no kubelet, just the object a kubelet would register, Ready. */
function node(name: string, cpu: string, labels: Record<string, string> = {}): Node {
  const resources = { cpu, memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'virtual node' }],
    },
  } as unknown as Node;
}

function pod(name: string, cpu: string, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'app', image: 'lab/pause', resources: { requests: { cpu, memory: '256Mi' } } }],
      ...spec,
    },
  } as unknown as Pod;
}

async function eventually<T>(
  read: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Scheduler against a control plane', () => {
  let lab: TestLab;
  let client: RestClient;
  const abort = new AbortController();
  let running: Promise<void>;

  const podClient = () => client.resource(pods, 'default');
  const boundTo = (name: string) =>
    eventually(async () => (await podClient().get(name)).spec.nodeName || undefined, `${name} to be bound`);
  const eventFor = (name: string, reason: string) =>
    eventually(async () => {
      const list = await client
        .resource(events, 'default')
        .list({ fieldSelector: `involvedObject.name=${name},reason=${reason}` })
        .catch(() => client.resource(events, 'default').list());
      return list.items.find((e: Event) => e.involvedObject.name === name && e.reason === reason);
    }, `${reason} event for ${name}`);

  beforeAll(async () => {
    lab = await startTestLab({ scheduler: false });
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'scheduler-test' });
    for (const n of [node('node-1', '2'), node('node-2', '8'), node('node-3', '4')]) {
      await client.resource(nodes).create(n);
    }
    const schedulerClient = await RestClient.fromKubeconfig(lab.kubeconfig, {
      component: 'default-scheduler',
    });
    const informers = new SharedInformerFactory({ client: schedulerClient });
    const scheduler = new Scheduler(informers, schedulerClient, {
      queue: { podInitialBackoffMs: 100, podMaxBackoffMs: 200 },
      random: () => 0,
    });
    running = scheduler.run(abort.signal).finally(() => schedulerClient.close());
  });

  afterAll(async () => {
    abort.abort();
    await running;
    client?.close();
    await lab?.stop();
  });

  it('binds a pod to the least allocated node and shows why', async () => {
    await podClient().create(pod('web', '500m'));
    expect(await boundTo('web')).toBe('node-2');
    const scheduled = await eventFor('web', 'Scheduled');
    expect(scheduled.message).toBe('Successfully assigned default/web to node-2');
    expect(scheduled.type).toBe('Normal');
    expect(scheduled.source.component).toBe('default-scheduler');

    const web = await eventually(async () => {
      const p = await podClient().get('web');
      return p.metadata.annotations?.[SelectedNodeAnnotation] ? p : undefined;
    }, 'annotations');
    expect(web.status.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const annotations = web.metadata.annotations ?? {};
    expect(annotations[SelectedNodeAnnotation]).toBe('node-2');
    const filter = JSON.parse(annotations[FilterResultAnnotation] ?? '{}');
    expect(filter['node-1']).toMatchObject({ NodeResourcesFit: 'passed', TaintToleration: 'passed' });
    const score = JSON.parse(annotations[ScoreResultAnnotation] ?? '{}');
    // LeastAllocated with the pod on node-2: CPU (8000-500)*100/8000 = 93, memory
    // (8Gi-256Mi)*100/8Gi = 96, mean 94.
    expect(score['node-2'].NodeResourcesFit).toBe('94');
    expect(Number(score['node-1'].NodeResourcesFit)).toBeLessThan(94);
    const final = JSON.parse(annotations[FinalScoreResultAnnotation] ?? '{}');
    // TaintToleration: no PreferNoSchedule taints anywhere, so 100 everywhere, times weight 3.
    expect(final['node-3'].TaintToleration).toBe('300');
  });

  it('leaves a pod no node matches Pending with kube-scheduler’s words, then schedules it after a node changes', async () => {
    await podClient().create(pod('picky', '100m', { nodeSelector: { disk: 'ssd' } }));
    const failed = await eventFor('picky', 'FailedScheduling');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    const pending = await eventually(async () => {
      const p = await podClient().get('picky');
      return p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')
        ? p
        : undefined;
    }, 'PodScheduled=False');
    expect(pending.spec.nodeName).toBeUndefined();
    expect(pending.status.conditions?.find((c) => c.type === 'PodScheduled')?.reason).toBe('Unschedulable');
    expect(
      JSON.parse(pending.metadata.annotations?.[FilterResultAnnotation] ?? '{}')['node-3'],
    ).toMatchObject({
      NodeAffinity: "node(s) didn't match Pod's node affinity/selector",
    });

    await client.resource(nodes).patch('node-3', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    expect(await boundTo('picky')).toBe('node-3');
  });

  it('reports a pod bigger than every node', async () => {
    await podClient().create(pod('huge', '16'));
    const failed = await eventFor('huge', 'FailedScheduling');
    expect(failed.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    await podClient().delete('huge', { gracePeriodSeconds: 0 });
  });

  it('avoids a tainted node unless the pod tolerates the taint', async () => {
    await client.resource(nodes).patch('node-2', 'merge', {
      spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    });
    await podClient().create(pod('plain', '100m'));
    expect(await boundTo('plain')).not.toBe('node-2');
    const plain = await eventually(async () => {
      const p = await podClient().get('plain');
      return p.metadata.annotations?.[FilterResultAnnotation] ? p : undefined;
    }, 'plain annotations');
    expect(JSON.parse(plain.metadata.annotations?.[FilterResultAnnotation] ?? '{}')['node-2']).toMatchObject({
      TaintToleration: 'node(s) had untolerated taint {dedicated: gpu}',
    });

    const toleration = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
    const onlyNode2 = { 'kubernetes.io/hostname': 'node-2' };
    await podClient().create(pod('tolerant', '100m', { tolerations: [toleration], nodeSelector: onlyNode2 }));
    expect(await boundTo('tolerant')).toBe('node-2');
  });

  it('avoids a cordoned node', async () => {
    await client.resource(nodes).patch('node-2', 'merge', { spec: { taints: null, unschedulable: true } });
    await podClient().create(pod('after-cordon', '100m'));
    expect(await boundTo('after-cordon')).not.toBe('node-2');
    const p = await eventually(async () => {
      const got = await podClient().get('after-cordon');
      return got.metadata.annotations?.[FilterResultAnnotation] ? got : undefined;
    }, 'after-cordon annotations');
    expect(JSON.parse(p.metadata.annotations?.[FilterResultAnnotation] ?? '{}')['node-2']).toEqual({
      NodeUnschedulable: 'node(s) were unschedulable',
    });
  });
});
