// `npm run bench -- containerd`: the same three-node process lab twice in one run, its pods run by
// the lab runtime and then by containerd (`orch-lab up --container-runtime lab|containerd`): how
// long until three nodes are Ready, pod start-up (create -> Running as a watch sees it) one pod at
// a time and 30 at once, and memory per idle pod on node-1 (what the node's processes hold, the
// agent, containerd, shims and containers, with 30 pods, less what they held with none, over 30).
// Prints figures side by side; never fails.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pod, Pod as PodSchema } from '../../src/cluster/api/core/pod.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { createToRunning, deleteAll, orchLab, percentile } from '../nodes/main.ts';
import { steadyRss } from '../proc.ts';

const ONE_BY_ONE = 20;
const BURST = 30;
const IDLE_PODS = 30;
const RUNTIMES = ['lab', 'containerd'] as const;

/** busybox sleeping, pinned to a tag the node has, so containerd never asks a registry. */
const sleeper = (name: string, node?: string): Pod =>
  PodSchema.parse({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'nodes' } },
    spec: {
      ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
      containers: [
        {
          name: 'sleep',
          image: 'busybox:1.35',
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', '3600'],
        },
      ],
    },
  });

/** Every process on the machine: pid, parent, command line and resident bytes. */
async function processes() {
  const list: { pid: number; ppid: number; cmdline: string; rss: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      list.push({ pid: Number(entry), ppid: field('PPid'), cmdline, rss: field('VmRSS') * 1024 });
    } catch {
      // Gone while being read.
    }
  }
  return list;
}

/**
 * What a node holds in memory: its agent and everything under it, and the processes that name its
 * folder (containerd's shims leave the agent's tree) with everything under them.
 */
async function nodeRss(home: string, node: string): Promise<number> {
  const all = await processes();
  const nodeDir = join(home, 'nodes', node);
  const agent = Number((await readFile(join(nodeDir, 'agent.pid'), 'utf8')).trim());
  const members = new Set([agent, ...all.filter((p) => p.cmdline.includes(nodeDir)).map((p) => p.pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (members.has(p.ppid) && !members.has(p.pid)) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => members.has(p.pid)).reduce((sum, p) => sum + p.rss, 0);
}

async function measure(runtime: (typeof RUNTIMES)[number]): Promise<Record<string, number>> {
  const home = await mkdtemp(join(tmpdir(), `orch-lab-bench-${runtime}-`));
  const figures: Record<string, number> = {};
  try {
    const started = performance.now();
    const args = ['up', '--nodes', '3', '--runtime', 'process', '--container-runtime', runtime];
    await orchLab(home, [...args, '--api-port', '0', '--etcd-port', '0']);
    figures.up = performance.now() - started;
    const client = await RestClient.fromKubeconfig(join(home, 'kubeconfig'), {
      component: 'bench-containerd',
    });
    try {
      // The first pod of a node pays for things done once (image unpacked, bridge made): not counted.
      await createToRunning(
        client,
        ['node-1', 'node-2', 'node-3'].map((n) => sleeper(`warm-${n}`, n)),
      );
      await deleteAll(client);
      const oneByOne: number[] = [];
      for (let i = 0; i < ONE_BY_ONE; i++)
        oneByOne.push(...(await createToRunning(client, [sleeper(`one-${i}`)])));
      figures.oneP50 = percentile(
        oneByOne.sort((a, b) => a - b),
        50,
      );
      figures.oneP99 = percentile(oneByOne, 99);
      await deleteAll(client);
      const burst = await createToRunning(
        client,
        Array.from({ length: BURST }, (_, i) => sleeper(`burst-${i}`)),
      );
      figures.burstP50 = percentile(burst, 50);
      figures.burstP99 = burst.length === BURST ? percentile(burst, 99) : Number.NaN;
      await deleteAll(client);
      const idle = await steadyRss({ rss: () => nodeRss(home, 'node-1') }, 3_000);
      await createToRunning(
        client,
        Array.from({ length: IDLE_PODS }, (_, i) => sleeper(`idle-${i}`, 'node-1')),
      );
      const loaded = await steadyRss({ rss: () => nodeRss(home, 'node-1') }, 3_000);
      figures.perPod = (loaded - idle) / IDLE_PODS;
      await deleteAll(client);
    } finally {
      client.close();
    }
  } finally {
    await orchLab(home, ['down', '--purge']).catch((err) => console.error(err.message));
    await rm(home, { recursive: true, force: true });
  }
  return figures;
}

export async function run(): Promise<void> {
  console.log('containerd: a three-node process lab, pods by the lab runtime, then by containerd + runc');
  console.log(machineLine());
  const results = { lab: await measure('lab'), containerd: await measure('containerd') };
  const rows: Row[] = [];
  const both = (label: string, key: string, unit: string, scale = 1) => {
    for (const runtime of RUNTIMES) {
      rows.push({
        label: `${label} (${runtime})`,
        unit,
        value: (results[runtime][key] ?? Number.NaN) / scale,
      });
    }
  };
  both('1. up --nodes 3, until every node Ready', 'up', 'ms');
  both(`2. ${ONE_BY_ONE} pods one at a time, create -> Running p50`, 'oneP50', 'ms');
  both('   p99', 'oneP99', 'ms');
  both(`3. ${BURST} pods at once, create -> Running p50`, 'burstP50', 'ms');
  both('   p99', 'burstP99', 'ms');
  both(`4. node memory per idle pod (${IDLE_PODS} pods on node-1)`, 'perPod', 'MB', 1e6);
  console.log('');
  console.log(formatTable(rows));
}
