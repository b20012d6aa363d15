// `npm run bench -- docker`: a three-node lab of Docker nodes as `orch-lab up --runtime docker
// --nodes 3` starts it (in a temp $ORCH_LAB_HOME). Figures: the node image build (FROM scratch, no
// registry) and its check when it is there already; up until every node is Ready with the image
// built; pods created at once, create -> Running; a node container's memory with pods on it.
// Prints figures beside goals; never fails. The lab is purged at the end, its image with it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { connectEngine } from '../../src/cluster/nodes/docker/engine.ts';
import { ensureNodeImage } from '../../src/cluster/nodes/docker/image.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { createToRunning, deleteAll, orchLab, percentile, podOf } from '../nodes/main.ts';

/** Pods created one after another (startup as a learner sees it), then all at once. */
const ONE_BY_ONE = 30;
const BURST = 30;
const MEMORY_PODS = 20;

/** The steps `up` printed ("✓ <title> (1.23s)") whose titles match, summed, in ms. */
function stepsMs(out: string, titles: RegExp): number {
  return [...out.matchAll(/^✓ (.*) \((\d+\.\d+)s\)$/gm)]
    .filter(([, title]) => titles.test(title!))
    .reduce((sum, [, , s]) => sum + Number(s) * 1000, 0);
}

export async function run(): Promise<void> {
  console.log(
    'docker: `orch-lab up --runtime docker --nodes 3` (control plane on the host, nodes in containers)',
  );
  console.log(machineLine());
  let docker: Awaited<ReturnType<typeof connectEngine>>;
  try {
    docker = await connectEngine();
  } catch (err) {
    console.log(`skipped: ${(err as Error).message}`);
    return;
  }
  const rows: Row[] = [];
  const cluster = 'orch-lab';
  const image = await ensureNodeImage(docker, { cluster });
  // A fresh build: the image goes first unless a lab's containers use it (the engine refuses).
  const removed = await docker
    .getImage(image.tag)
    .remove()
    .then(
      () => true,
      () => false,
    );
  if (removed) {
    const started = performance.now();
    await ensureNodeImage(docker, { cluster });
    rows.push({
      label: '1. node image build (FROM scratch, no registry)',
      unit: 'ms',
      value: performance.now() - started,
    });
  } else {
    console.log(`  image build not measured: ${image.tag} is in use by a lab's containers`);
  }
  const checked = performance.now();
  await ensureNodeImage(docker, { cluster });
  rows.push({
    label: '   image check when built (bundle + hash)',
    unit: 'ms',
    value: performance.now() - checked,
  });

  const home = await mkdtemp(join(tmpdir(), 'orch-lab-bench-docker-'));
  try {
    const started = performance.now();
    const out = await orchLab(home, [
      'up',
      '--runtime',
      'docker',
      '--nodes',
      '3',
      '--api-port',
      '0',
      '--etcd-port',
      '0',
    ]);
    const upMs = performance.now() - started;
    for (const [, title, seconds] of out.matchAll(/^✓ (.*) \((\d+\.\d+)s\)$/gm)) {
      console.log(`  up: ${title}: ${(Number(seconds) * 1000).toFixed(0)} ms`);
    }
    rows.push({
      label: '2. up --runtime docker --nodes 3, until every node Ready',
      unit: 'ms',
      value: upMs,
      goal: { op: '<=', value: 8000 },
    });
    rows.push({
      label: '   of which the nodes (create, start, Ready)',
      unit: 'ms',
      value: stepsMs(out, /^(Adding|Starting node agents|Waiting for the nodes)/),
    });

    const client = await RestClient.fromKubeconfig(join(home, 'kubeconfig'), { component: 'bench-docker' });
    try {
      const single: number[] = [];
      for (let i = 0; i < ONE_BY_ONE; i++)
        single.push(...(await createToRunning(client, [podOf(`one-${i}`)])));
      single.sort((a, b) => a - b);
      rows.push({
        label: `3. pod startup, ${ONE_BY_ONE} pods one by one: p50`,
        unit: 'ms',
        value: percentile(single, 50),
      });
      rows.push({
        label: `   p99 (${single.length}/${ONE_BY_ONE} Running)`,
        unit: 'ms',
        value: single.length === ONE_BY_ONE ? percentile(single, 99) : Number.NaN,
        goal: { op: '<=', value: 1000 },
      });
      await deleteAll(client);
      const sorted = await createToRunning(
        client,
        Array.from({ length: BURST }, (_, i) => podOf(`burst-${i}`)),
      );
      rows.push({
        label: `4. ${BURST} pods at once (two cores' worth of load), create -> Running: p50`,
        unit: 'ms',
        value: percentile(sorted, 50),
      });
      rows.push({
        label: `   p99 (${sorted.length}/${BURST} Running)`,
        unit: 'ms',
        value: sorted.length === BURST ? percentile(sorted, 99) : Number.NaN,
      });
      await deleteAll(client);

      await createToRunning(
        client,
        Array.from({ length: MEMORY_PODS }, (_, i) => podOf(`mem-${i}`, 'node-1')),
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const stats = await docker.getContainer('orch-lab-node-1').stats({ stream: false });
      // What `docker stats` shows: usage less the page cache the kernel can drop.
      const memory = stats.memory_stats.usage - (stats.memory_stats.stats?.cache ?? 0);
      rows.push({
        label: `5. node container memory with ${MEMORY_PODS} pods (each pod a node process)`,
        unit: 'MB',
        value: memory / 1e6,
      });
      await deleteAll(client);
    } finally {
      client.close();
    }
  } finally {
    await orchLab(home, ['down', '--purge']).catch((err) => console.error(err.message));
    await rm(home, { recursive: true, force: true });
  }
  console.log('');
  console.log(formatTable(rows));
}
