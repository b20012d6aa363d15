// `npm run bench -- nodes`: a three-node process lab as `orch-lab up --nodes 3 --runtime process`
// starts it (its own processes, in a temp $ORCH_LAB_HOME). Three figures: how long up takes until
// every node is Ready; how long 100 pods created at once take from create to Running, as a watch
// sees them; and a node agent's memory with 30 pods. Prints figures beside goals; never fails.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { pods } from '../../src/cluster/api/resources.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { readRss, steadyRss } from '../proc.ts';

const BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
const BURST = 100;
const RSS_PODS = 30;

export function orchLab(home: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ORCH_LAB_HOME: home }, timeout: 120_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`orch-lab ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

export const podOf = (name: string, nodeName?: string): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'nodes' } },
    spec: {
      ...(nodeName ? { nodeSelector: { 'kubernetes.io/hostname': nodeName } } : {}),
      containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }],
    },
  }) as unknown as Pod;

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** Creates the pods at once and answers, per pod, ms from its create being sent to Running seen by a watch. */
export async function createToRunning(client: RestClient, list: readonly Pod[]): Promise<number[]> {
  const podClient = client.resource(pods, 'default');
  const sent = new Map<string, number>();
  const running = new Map<string, number>();
  const abort = new AbortController();
  const watcher = await podClient.watch({ labelSelector: 'bench=nodes', signal: abort.signal });
  const seen = (async () => {
    for await (const event of watcher) {
      if (event.type === 'ERROR' || event.type === 'BOOKMARK') continue;
      const name = event.object.metadata.name ?? '';
      if (event.object.status?.phase === 'Running' && sent.has(name) && !running.has(name)) {
        running.set(name, performance.now());
        if (running.size === list.length) break;
      }
    }
  })();
  await Promise.all(
    list.map(async (pod) => {
      sent.set(pod.metadata.name ?? '', performance.now());
      await podClient.create(pod);
    }),
  );
  const timeout = setTimeout(() => watcher.stop(), 120_000);
  await seen.catch(() => {});
  clearTimeout(timeout);
  watcher.stop();
  return [...running].map(([name, at]) => at - sent.get(name)!).sort((a, b) => a - b);
}

export async function deleteAll(client: RestClient): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: '/api/v1/namespaces/default/pods',
    query: { labelSelector: 'bench=nodes', gracePeriodSeconds: 0 },
  });
  for (let left = 1; left > 0; ) {
    left = (await client.resource(pods, 'default').list({ labelSelector: 'bench=nodes' })).items.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function run(): Promise<void> {
  console.log(
    'nodes: `orch-lab up --nodes 3 --runtime process` (control plane and three node agents, each its own process)',
  );
  console.log(machineLine());
  const home = await mkdtemp(join(tmpdir(), 'orch-lab-bench-nodes-'));
  const rows: Row[] = [];
  try {
    const started = performance.now();
    const out = await orchLab(home, [
      'up',
      '--nodes',
      '3',
      '--runtime',
      'process',
      '--api-port',
      '0',
      '--etcd-port',
      '0',
    ]);
    const upMs = performance.now() - started;
    // up prints each step as "✓ <title> (1.23s)"; the node steps follow the control plane's.
    const steps = [...out.matchAll(/^✓ (.*) \((\d+\.\d+)s\)$/gm)].map(([, title, s]) => ({
      title: title!,
      ms: Number(s) * 1000,
    }));
    const nodeSteps = steps.filter((s) =>
      /^(Checking|Adding|Starting node agents|Waiting for the nodes)/.test(s.title),
    );
    const nodesMs = nodeSteps.reduce((sum, s) => sum + s.ms, 0);
    for (const s of steps) console.log(`  up: ${s.title}: ${s.ms.toFixed(0)} ms`);
    rows.push({
      label: '1. up --nodes 3, until every node Ready',
      unit: 'ms',
      value: upMs,
      goal: { op: '<=', value: 2000 },
    });
    rows.push({ label: '   of which the nodes (add, start, Ready)', unit: 'ms', value: nodesMs });

    const client = await RestClient.fromKubeconfig(join(home, 'kubeconfig'), { component: 'bench-nodes' });
    try {
      const latencies = createToRunning(
        client,
        Array.from({ length: BURST }, (_, i) => podOf(`burst-${i}`)),
      );
      const sorted = await latencies;
      rows.push({
        label: `2. ${BURST} pods at once, create -> Running: p50`,
        unit: 'ms',
        value: percentile(sorted, 50),
      });
      rows.push({
        label: `   p99 (${sorted.length}/${BURST} Running)`,
        unit: 'ms',
        value: sorted.length === BURST ? percentile(sorted, 99) : Number.NaN,
        goal: { op: '<=', value: 500 },
      });
      await deleteAll(client);

      await createToRunning(
        client,
        Array.from({ length: RSS_PODS }, (_, i) => podOf(`rss-${i}`, 'node-1')),
      );
      const pid = Number((await readFile(join(home, 'nodes', 'node-1', 'agent.pid'), 'utf8')).trim());
      const rss = await steadyRss({ rss: () => readRss(pid) }, 3_000);
      rows.push({
        label: `3. node agent RSS with ${RSS_PODS} pods`,
        unit: 'MB',
        value: rss / 1e6,
        goal: { op: '<=', value: 80 },
      });
      await deleteAll(client);
    } finally {
      client.close();
    }
  } finally {
    await orchLab(home, ['down']).catch((err) => console.error(err.message));
    await rm(home, { recursive: true, force: true });
  }
  console.log('');
  console.log(formatTable(rows));
}
