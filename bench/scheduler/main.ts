// `npm run bench -- scheduler`: kube-scheduler's scheduler_perf SchedulingBasic shape against the lab's
// control plane (its own process, as `orch-lab up` runs it, scheduler included): virtual Nodes (Node
// objects with no kubelet behind them), a first batch of pods scheduled unmeasured, then the measured
// pods created by 16 clients while a watch records when each is bound. Throughput is measured pods
// over the time from the first measured create to the last binding. BENCH_QUICK=1 shrinks the counts.

import { ApiClient, percentile } from '../apiserver/client.ts';
import { startControlPlane } from '../apiserver/control-plane.ts';
import { workerPool } from '../apiserver/load.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { measure } from '../store/pair.ts';

const quick = process.env.BENCH_QUICK === '1';
const NODES = quick ? 500 : 5_000;
const INIT_PODS = quick ? 100 : 1_000;
const MEASURED_PODS = quick ? 1_000 : 10_000;
const CLIENTS = 16;
const NAMESPACE = 'sched-bench';

/** scheduler_perf's node-default.yaml: 4 CPUs, 32Gi, 110 pods, Ready. */
const node = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: {
    capacity: { cpu: '4', memory: '32Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'virtual node' }],
    phase: 'Running',
  },
});

/** scheduler_perf's pod-default.yaml: one container asking for 100m CPU and 500Mi. */
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    containers: [
      {
        name: 'pause',
        image: 'registry.k8s.io/pause:3.10',
        resources: { requests: { cpu: '100m', memory: '500Mi' } },
      },
    ],
  },
});

/** Creates pods prefix-0 .. prefix-(count-1) and resolves when every one of them is bound. */
async function scheduleBatch(
  client: ApiClient,
  prefix: string,
  count: number,
  bound: Map<string, number>,
): Promise<{ createdAt: Map<string, number>; firstCreate: number; lastBind: number }> {
  const createdAt = new Map<string, number>();
  const firstCreate = performance.now();
  const done = new Promise<void>((resolve) => {
    const check = setInterval(() => {
      let all = true;
      for (let i = 0; i < count && all; i++) all = bound.has(`${prefix}-${i}`);
      if (all) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  await workerPool(count, CLIENTS, async (i) => {
    const name = `${prefix}-${i}`;
    createdAt.set(name, performance.now());
    await client.expectOk('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, { body: pod(name) });
  });
  await done;
  let lastBind = 0;
  for (let i = 0; i < count; i++) lastBind = Math.max(lastBind, bound.get(`${prefix}-${i}`)!);
  return { createdAt, firstCreate, lastBind };
}

export async function run(): Promise<void> {
  console.log('scheduler: scheduler_perf SchedulingBasic against the lab control plane (its own process)');
  console.log(machineLine());
  console.log(
    `${NODES.toLocaleString('en-US')} virtual nodes, ${INIT_PODS.toLocaleString('en-US')} initial pods, ` +
      `${MEASURED_PODS.toLocaleString('en-US')} measured pods by ${CLIENTS} clients${quick ? ' (BENCH_QUICK=1)' : ''}`,
  );
  const cp = await startControlPlane();
  const client = new ApiClient(cp.rest, { connections: CLIENTS });
  try {
    await client.expectOk('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    });
    const nodesStarted = performance.now();
    await workerPool(NODES, CLIENTS, async (i) => {
      await client.expectOk('POST', '/api/v1/nodes', { body: node(`node-${i}`) });
    });
    const nodesMs = performance.now() - nodesStarted;

    const bound = new Map<string, number>();
    const watch = client.watch(`/api/v1/namespaces/${NAMESPACE}/pods?watch=1`, (event, at) => {
      const obj = event.object as { metadata: { name: string }; spec?: { nodeName?: string } };
      if (obj.spec?.nodeName && !bound.has(obj.metadata.name)) bound.set(obj.metadata.name, at);
    });
    await watch.ready;
    try {
      await scheduleBatch(client, 'init', INIT_PODS, bound);
      const m = await measure(cp, () => scheduleBatch(client, 'measured', MEASURED_PODS, bound));
      const { createdAt, firstCreate, lastBind } = m.result;
      const latencies = [...createdAt].map(([name, at]) => bound.get(name)! - at);
      // scheduler_perf's SchedulingThroughput: pods bound in each second of the measured phase.
      const perSecond = new Map<number, number>();
      for (const [name] of createdAt) {
        const second = Math.floor((bound.get(name)! - firstCreate) / 1_000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
      const bins = [...perSecond.values()];
      const cpu = { server: m.cpuPercent, client: m.clientCpuPercent };
      const rows: Row[] = [
        {
          label: `virtual node create, ${NODES.toLocaleString('en-US')}`,
          unit: 'nodes/s',
          value: (NODES * 1_000) / nodesMs,
        },
        {
          label: `pods scheduled, ${MEASURED_PODS.toLocaleString('en-US')} on ${NODES.toLocaleString('en-US')} nodes`,
          unit: 'pods/s',
          value: (MEASURED_PODS * 1_000) / (lastBind - firstCreate),
          goal: { op: '>=', value: 700 },
          cpu,
        },
        { label: 'throughput per second, p50', unit: 'pods/s', value: percentile(bins, 50) },
        { label: 'create to bound, p50', unit: 'ms', value: percentile(latencies, 50) },
        { label: 'create to bound, p99', unit: 'ms', value: percentile(latencies, 99) },
      ];
      console.log('');
      console.log(formatTable(rows));
      console.log('');
      console.log(
        'The scheduler runs in the control-plane process beside the API server and store, so the two ' +
          "cores here are shared by the creates, the store's writes and the scheduling.",
      );
    } finally {
      watch.close();
    }
  } finally {
    client.close();
    await cp.stop();
  }
}
