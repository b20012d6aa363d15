import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/cluster/api/coordination/lease.ts';
import type { Node } from '../../src/cluster/api/core/node.ts';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { formatTime } from '../../src/cluster/api/meta.ts';
import { events, leases, nodes, pods } from '../../src/cluster/api/resources.ts';
import { isNotFound, RestClient } from '../../src/cluster/client/rest-client.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually } from './support.ts';

const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

describe('node lifecycle, taint eviction and pod garbage collection', () => {
  let lab: TestLab;
  let client: RestClient;

  beforeAll(async () => {
    lab = await startTestLab({
      scheduler: false,
      defaultTolerationSeconds: 1,
      controllerManager: {
        nodeLifecycle: { nodeMonitorGracePeriodMs: 1500, nodeMonitorPeriodMs: 200 },
        podGC: { gcCheckPeriodMs: 200, quarantineMs: 0 },
      },
    });
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'nodelifecycle-test' });
  });
  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  /** What a kubelet does to say it is alive: renew its Lease and post Ready=True. */
  const heartbeat = async (name: string) => {
    const now = Date.now();
    const leaseClient = client.resource(leases, 'kube-node-lease');
    const lease = await leaseClient.get(name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) };
    if (lease) await leaseClient.update({ ...lease, spec: { ...lease.spec, ...spec } });
    else
      await leaseClient.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec,
      } as Lease);
    const node = await client.resource(nodes).get(name);
    const time = formatTime(now);
    const ready = {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: time,
      lastTransitionTime: time,
    };
    await client.resource(nodes).updateStatus({ ...node, status: { ...node.status, conditions: [ready] } });
  };
  const pod = (name: string, nodeName: string, tolerations?: Pod['spec']['tolerations']) =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        nodeName,
        containers: [{ name: 'app', image: 'nginx' }],
        ...(tolerations ? { tolerations } : {}),
      },
    }) as unknown as Pod;

  it('turns a silent node NotReady with unreachable taints, evicts its pods, and clears it when it comes back', async () => {
    await client.resource(nodes).create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
      spec: {},
      status: {},
    } as unknown as Node);
    await heartbeat('node-1');
    await client.resource(pods, 'default').create(pod('short', 'node-1'));
    await client
      .resource(pods, 'default')
      .create(
        pod('patient', 'node-1', [
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        ]),
      );
    // Alive: heartbeats for longer than the grace period keep it Ready and untainted.
    for (let i = 0; i < 8; i++) {
      await heartbeat('node-1');
      await new Promise((r) => setTimeout(r, 250));
    }
    let node = await client.resource(nodes).get('node-1');
    expect(node.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.spec.taints ?? []).toEqual([]);

    // Silent: within the grace period and a monitor period, Unknown and tainted.
    node = await eventually(
      async () => {
        const n = await client.resource(nodes).get('node-1');
        return n.spec.taints?.length === 2 ? n : undefined;
      },
      'the unreachable taints',
      5000,
    );
    expect(node.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(node.status.conditions?.find((c) => c.type === 'MemoryPressure')?.status).toBe('Unknown');
    expect(node.spec.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    expect((await lab.kubectl(['get', 'nodes'])).stdout).toMatch(/node-1\s+NotReady\s/);

    // The admitted 1 s toleration runs out; the pod tolerating forever stays.
    const evicted = await eventually(
      async () => {
        const p = await client.resource(pods, 'default').get('short');
        return p.metadata.deletionTimestamp ? p : undefined;
      },
      'the eviction of short',
      5000,
    );
    expect(evicted.spec.tolerations).toContainEqual({
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 1,
    });
    const patient = await client.resource(pods, 'default').get('patient');
    expect(patient.metadata.deletionTimestamp).toBeUndefined();
    const recorded = (await client.resource(events, 'default').list()).items;
    const said = (reason: string, message: string) =>
      recorded.some((e) => e.reason === reason && e.message === message);
    expect(said('RegisteredNode', 'Node node-1 event: Registered Node node-1 in Controller')).toBe(true);
    expect(said('NodeNotReady', 'Node node-1 status is now: NodeNotReady')).toBe(true);
    expect(said('TaintManagerEviction', 'Marking for deletion Pod default/short')).toBe(true);

    // Back: the kubelet posts again and the taints go.
    await heartbeat('node-1');
    await eventually(async () => {
      const n = await client.resource(nodes).get('node-1');
      return (n.spec.taints ?? []).length === 0 ? n : undefined;
    }, 'the taints to go');
    expect((await lab.kubectl(['get', 'nodes'])).stdout).toMatch(/node-1\s+Ready\s/);

    // A kubelet that says its node is not ready (Ready=False) gets the not-ready taints instead.
    const alive = await client.resource(nodes).get('node-1');
    const time = formatTime(Date.now());
    const notReady = {
      type: 'Ready',
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'runtime down',
      lastHeartbeatTime: time,
      lastTransitionTime: time,
    };
    await client
      .resource(nodes)
      .updateStatus({ ...alive, status: { ...alive.status, conditions: [notReady] } });
    const tainted = await eventually(async () => {
      const n = await client.resource(nodes).get('node-1');
      return n.spec.taints?.length === 2 ? n : undefined;
    }, 'the not-ready taints');
    expect(tainted.spec.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/not-ready:NoSchedule',
    ]);
  });

  it('podgc force-deletes the pods of a node that no longer exists', async () => {
    await client.resource(nodes).delete('node-1');
    await eventually(
      async () => {
        const left = (await client.resource(pods, 'default').list()).items.filter(
          (p) => p.spec.nodeName === 'node-1',
        );
        return left.length === 0 ? true : undefined;
      },
      'the orphaned pods to go',
      5000,
    );
    const removed = (await client.resource(events, 'default').list()).items.find(
      (e) => e.reason === 'RemovingNode',
    );
    expect(removed?.message).toBe('Node node-1 event: Removing Node node-1 from Controller');
  });
});
