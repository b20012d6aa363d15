// `npm run bench -- controllers`: the controller-manager on a three-node process lab (control plane in
// its own process, nodes node-31..33). Three figures, each timed by watches of the real objects from
// the create or patch sent: a 100-replica Deployment until availableReplicas is 100; a rolling update
// of it from myapp:v1 to myapp:v2 (maxSurge 25%) until complete as `kubectl rollout status` decides,
// with the most pods seen meanwhile; and 100 Deployments of 10 replicas at once, as far as three
// nodes of 110 pods hold them. BENCH_QUICK=1 shrinks the counts. Prints figures; never fails.

import type { Deployment } from '../../src/cluster/api/apps/deployment.ts';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { deployments, nodes, pods, type ResourceType, replicaSets } from '../../src/cluster/api/resources.ts';
import type { RestClient } from '../../src/cluster/client/rest-client.ts';
import { deploymentComplete } from '../../src/cluster/controllers/deployment/util.ts';
import { workerPool } from '../apiserver/load.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { steadyRss } from '../proc.ts';
import { measure } from '../store/pair.ts';
import { type BenchLab, NODE_NAMES, startBenchLab } from './lab.ts';
import { agentsRss, podsMemory } from './memory.ts';
import { Watched } from './watched.ts';

const quick = process.env.BENCH_QUICK === '1';
const REPLICAS = quick ? 30 : 100;
const FLEET = quick ? 10 : 100;
const FLEET_REPLICAS = 10;
const NAMESPACE = 'default';
const TIMEOUT_MS = 180_000;
const MB = 1e6;

/** myapp, the lessons' web app: each container is a Node.js process, as every lab image is. */
const deployment = (name: string, replicas: number, group: string): Deployment =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { bench: group } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: name, bench: group } },
        spec: { containers: [{ name: 'myapp', image: 'myapp:v1' }] },
      },
    },
  }) as unknown as Deployment;

const sum = <T>(objects: ReadonlyMap<string, T>, value: (o: T) => number) => {
  let n = 0;
  for (const o of objects.values()) n += value(o);
  return n;
};
const count = <T>(objects: ReadonlyMap<string, T>, test: (o: T) => boolean) =>
  sum(objects, (o) => (test(o) ? 1 : 0));
const isBound = (p: Pod) => Boolean(p.spec.nodeName);
const isRunning = (p: Pod) => p.status?.phase === 'Running';
/** What the ReplicaSet controller counts as a replica: not terminating, not finished. */
const isActive = (p: Pod) =>
  !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const isUnschedulable = (p: Pod) =>
  p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false;

/**
 * Pulls myapp:v1 and v2 on every node before anything is timed: a node's first pull of an image
 * bundles its program, a cost of the runtime, not of the controllers.
 */
async function prePull(client: RestClient): Promise<void> {
  const podClient = client.resource(pods, NAMESPACE);
  const watched = await Watched.start(podClient, 'bench=pull');
  try {
    const list = NODE_NAMES.flatMap((node) =>
      ['v1', 'v2'].map(
        (tag) =>
          ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `pull-${node}-${tag}`, labels: { bench: 'pull' } },
            spec: { nodeName: node, containers: [{ name: 'myapp', image: `myapp:${tag}` }] },
          }) as unknown as Pod,
      ),
    );
    await Promise.all(list.map((pod) => podClient.create(pod)));
    if (Number.isNaN(await watched.until((o) => count(o, isRunning) === list.length, TIMEOUT_MS))) {
      throw new Error('the image pull pods did not get Running');
    }
    await deleteCollection(client, pods, 'bench=pull', 0);
    await allGone(watched, 'the pulls');
  } finally {
    watched.stop();
  }
}

/** Deletes every object of `type` that `labelSelector` selects, as `kubectl delete -l` does. */
async function deleteCollection(
  client: RestClient,
  type: ResourceType,
  labelSelector: string,
  gracePeriodSeconds?: number,
): Promise<void> {
  const path = client.resource(type, NAMESPACE).path();
  await client.request({ method: 'DELETE', path, query: { labelSelector, gracePeriodSeconds } });
}

/** Waits until the watch has seen every pod go. */
async function allGone(watched: Watched<Pod>, what: string): Promise<void> {
  if (Number.isNaN(await watched.until((o) => o.size === 0, TIMEOUT_MS))) {
    throw new Error(`the pods of ${what} were not deleted`);
  }
}

async function memoryRows(lab: BenchLab, pods: number): Promise<Row[]> {
  const pids = await lab.agentPids();
  const rss = await steadyRss({ rss: () => agentsRss(pids) }, 3_000);
  const own = await podsMemory(pids);
  return [
    { label: `   ${pids.length} node agents' RSS summed, ${pods} pods`, unit: 'MB', value: rss / MB },
    {
      label: `   pods' own memory (RssAnon+RssShmem) summed, ${own.processes} processes`,
      unit: 'MB',
      value: own.bytes / MB,
    },
  ];
}

/** One Deployment of REPLICAS pods until all are available, then its rolling update to myapp:v2. */
async function scaleAndRollOut(lab: BenchLab): Promise<Row[]> {
  const podsWatched = await Watched.start(lab.client.resource(pods, NAMESPACE), 'bench=web');
  const deploymentsWatched = await Watched.start(lab.client.resource(deployments, NAMESPACE), 'bench=web');
  const deploymentClient = lab.client.resource(deployments, NAMESPACE);
  const key = `${NAMESPACE}/web`;
  try {
    const up = await measure(lab.controlPlane, async () => {
      const start = performance.now();
      await deploymentClient.create(deployment('web', REPLICAS, 'web'));
      const [created, bound, running, available] = await Promise.all([
        podsWatched.until((o) => o.size >= REPLICAS, TIMEOUT_MS),
        podsWatched.until((o) => count(o, isBound) >= REPLICAS, TIMEOUT_MS),
        podsWatched.until((o) => count(o, isRunning) >= REPLICAS, TIMEOUT_MS),
        deploymentsWatched.until((o) => (o.get(key)?.status.availableReplicas ?? 0) >= REPLICAS, TIMEOUT_MS),
      ]);
      return {
        created: created - start,
        bound: bound - start,
        running: running - start,
        available: available - start,
      };
    });
    const { created, bound, running, available } = up.result;
    const rows: Row[] = [
      {
        label: `1. Deployment of ${REPLICAS} replicas: create -> ${REPLICAS} pods created`,
        unit: 'ms',
        value: created,
      },
      { label: `   -> ${REPLICAS} pods bound to nodes`, unit: 'ms', value: bound },
      { label: `   -> ${REPLICAS} pods Running`, unit: 'ms', value: running },
      {
        label: `   -> status.availableReplicas ${REPLICAS}`,
        unit: 'ms',
        value: available,
        goal: { op: '<=', value: 5_000 },
        cpu: { server: up.cpuPercent, client: up.clientCpuPercent },
      },
      ...(await memoryRows(lab, REPLICAS)),
    ];

    // Pods the ReplicaSet controller counts (maxSurge bounds these) and every pod still there,
    // terminating ones included (processes still running on the nodes).
    let peakActive = 0;
    let peakAll = 0;
    const off = podsWatched.onChange((o) => {
      peakActive = Math.max(peakActive, count(o, isActive));
      peakAll = Math.max(peakAll, o.size);
    });
    const rollout = await measure(lab.controlPlane, async () => {
      const start = performance.now();
      // What `kubectl set image deployment/web myapp=myapp:v2` sends.
      const patched = await deploymentClient.patch('web', 'strategic', {
        spec: { template: { spec: { containers: [{ name: 'myapp', image: 'myapp:v2' }] } } },
      });
      const generation = patched.metadata.generation ?? 0;
      const complete = await deploymentsWatched.until((o) => {
        const d = o.get(key);
        return (
          d !== undefined && (d.metadata.generation ?? 0) >= generation && deploymentComplete(d, d.status)
        );
      }, TIMEOUT_MS);
      return complete - start;
    });
    off();
    const surge = Math.ceil(REPLICAS * 0.25);
    rows.push(
      {
        label: `2. rolling update myapp:v1 -> v2 (maxSurge 25%), until rollout status complete`,
        unit: 'ms',
        value: rollout.result,
        goal: { op: '<=', value: 10_000 },
        cpu: { server: rollout.cpuPercent, client: rollout.clientCpuPercent },
      },
      {
        label: '   peak pods during it, not terminating',
        unit: 'pods',
        value: peakActive,
        goal: { op: '<=', value: REPLICAS + surge },
      },
      { label: '   peak pods during it, terminating ones included', unit: 'pods', value: peakAll },
    );
    await deleteCollection(lab.client, deployments, 'bench=web');
    await allGone(podsWatched, 'deployment/web');
    return rows;
  } finally {
    podsWatched.stop();
    deploymentsWatched.stop();
  }
}

/**
 * FLEET Deployments of FLEET_REPLICAS created at once, as far as the nodes' pod capacity goes; the
 * note says what did not fit.
 */
async function fleet(lab: BenchLab): Promise<{ rows: Row[]; note?: string }> {
  const total = FLEET * FLEET_REPLICAS;
  const selector = 'bench=fleet';
  const podsWatched = await Watched.start(lab.client.resource(pods, NAMESPACE), selector);
  const setsWatched = await Watched.start(lab.client.resource(replicaSets, NAMESPACE), selector);
  const deploymentsWatched = await Watched.start(lab.client.resource(deployments, NAMESPACE), selector);
  try {
    const room = (await lab.client.resource(nodes).list()).items.reduce(
      (slots, n) => slots + Number(n.status?.allocatable?.pods ?? 0),
      0,
    );
    const fits = Math.min(total, room);
    const decided = (p: Pod) => isBound(p) || isUnschedulable(p);
    const m = await measure(lab.controlPlane, async () => {
      const start = performance.now();
      const deploymentClient = lab.client.resource(deployments, NAMESPACE);
      await workerPool(FLEET, 16, async (i) => {
        await deploymentClient.create(deployment(`fleet-${i}`, FLEET_REPLICAS, 'fleet'));
      });
      const answered = performance.now();
      const [sets, created, scheduled, running, available] = await Promise.all([
        setsWatched.until((o) => o.size >= FLEET, TIMEOUT_MS),
        podsWatched.until((o) => o.size >= total, TIMEOUT_MS),
        podsWatched.until((o) => o.size >= total && count(o, decided) === total, TIMEOUT_MS),
        podsWatched.until((o) => count(o, isRunning) >= fits, TIMEOUT_MS),
        deploymentsWatched.until((o) => sum(o, (d) => d.status.availableReplicas ?? 0) >= fits, TIMEOUT_MS),
      ]);
      return {
        answered: answered - start,
        sets: sets - start,
        created: created - start,
        scheduled: scheduled - start,
        running: running - start,
        available: available - start,
      };
    });
    const { answered, sets, created, scheduled, running, available } = m.result;
    const objects = podsWatched.objects;
    const fullyAvailable = count(
      deploymentsWatched.objects,
      (d) => (d.status.availableReplicas ?? 0) === FLEET_REPLICAS,
    );
    const label = `${FLEET} Deployments x ${FLEET_REPLICAS} replicas`;
    const rows: Row[] = [
      { label: `3. ${label}, from the first create: all answered`, unit: 'ms', value: answered },
      { label: `   ${FLEET} ReplicaSets exist`, unit: 'ms', value: sets },
      { label: `   ${total.toLocaleString('en-US')} pods exist`, unit: 'ms', value: created },
      {
        label: `   every pod bound (${count(objects, isBound)}) or Unschedulable (${count(objects, isUnschedulable)})`,
        unit: 'ms',
        value: scheduled,
      },
      { label: `   the ${fits} that fit Running`, unit: 'ms', value: running },
      {
        label: `   Deployments' availableReplicas sum to ${fits} (${fullyAvailable} with all ${FLEET_REPLICAS})`,
        unit: 'ms',
        value: available,
        cpu: { server: m.cpuPercent, client: m.clientCpuPercent },
      },
      ...(await memoryRows(lab, count(objects, isRunning))),
    ];
    const note =
      fits < total
        ? `Of the ${total.toLocaleString('en-US')} pods, ${fits} fit on the ${NODE_NAMES.length} nodes: ` +
          `a node takes at most ${room / NODE_NAMES.length} pods (its max pods), and its /24 pod CIDR ` +
          'has 253 pod IPs, so not all can run. The rest are timed to creation and to the ' +
          "scheduler's Unschedulable verdict; they never run."
        : undefined;
    return { rows, note };
  } finally {
    podsWatched.stop();
    setsWatched.stop();
    deploymentsWatched.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `controllers: the controller-manager on a three-node process lab (${NODE_NAMES.join(', ')}; ` +
      `control plane in its own process)${quick ? ' (BENCH_QUICK=1)' : ''}`,
  );
  console.log(machineLine());
  const lab = await startBenchLab();
  const rows: Row[] = [];
  let note: string | undefined;
  try {
    await prePull(lab.client);
    rows.push(...(await scaleAndRollOut(lab)));
    const many = await fleet(lab);
    rows.push(...many.rows);
    note = many.note;
  } finally {
    await lab.stop();
  }
  console.log('');
  console.log(formatTable(rows));
  console.log('');
  console.log(
    'myapp:v1 and v2 were pulled on every node before timing (a first pull bundles the image); each ' +
      'container is a Node.js process.',
  );
  if (note) console.log(note);
}
