// `npm run bench -- services`: a three-node process lab as `orch-lab up --nodes 3 --runtime process`
// starts it, with three nginx pods behind a NodePort Service. Two figures, side by side in one run:
// requests/s and latency through the NodePort (kube-proxy's userspace data path) against straight to
// one pod, each with a new connection per request (what the proxy balances) and over kept-alive
// connections; and the time from a pod turning Ready to the first request reaching it through its
// Service. Prints figures beside the goals; never fails.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { pods, services } from '../../src/cluster/api/resources.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';

const BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
const CONCURRENCY = 8;
const LOAD_MS = 3000;
const READY_ROUNDS = 5;

function exec(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
) {
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, ...options.env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(options.input ?? '');
  });
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function get(host: string, port: number, agent: Agent | false): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** CONCURRENCY clients requesting back to back for LOAD_MS: requests/s and sorted latencies (ms). */
async function load(host: string, port: number, keepAlive: boolean) {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) : false;
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + LOAD_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        if (await get(host, port, agent)) latencies.push(performance.now() - started);
        else failed++;
      }
    }),
  );
  if (agent) agent.destroy();
  return { perSecond: latencies.length / (LOAD_MS / 1000), sorted: latencies.sort((a, b) => a - b), failed };
}

/** ms from a watch seeing the pod Ready to the first request through the Service answered. */
async function readyToTraffic(client: RestClient, kubectl: (...a: string[]) => Promise<string>, ip: string) {
  const pod = (await client.resource(pods, 'default').list({ labelSelector: 'app=late' })).items[0] as Pod;
  const name = pod.metadata.name ?? '';
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const results: number[] = [];
  for (let round = 0; round < READY_ROUNDS; round++) {
    await kubectl('exec', name, '--', 'rm', '-f', '/tmp/ready');
    while (await get(ip, 80, false)) await new Promise((resolve) => setTimeout(resolve, 20));
    const abort = new AbortController();
    const watcher = await client
      .resource(pods, 'default')
      .watch({ fieldSelector: `metadata.name=${name}`, signal: abort.signal });
    const readyAt = (async () => {
      for await (const event of watcher) {
        if (event.type !== 'ERROR' && event.type !== 'BOOKMARK' && isReady(event.object))
          return performance.now();
      }
      return Number.NaN;
    })();
    await kubectl('exec', name, '--', 'touch', '/tmp/ready');
    const seenReady = await readyAt;
    watcher.stop();
    while (!(await get(ip, 80, false))) await new Promise((resolve) => setTimeout(resolve, 2));
    results.push(performance.now() - seenReady);
  }
  return results.sort((a, b) => a - b);
}

export async function run(): Promise<void> {
  console.log(
    'services: three nginx pods behind a NodePort on a three-node process lab (orch-lab up --nodes 3)',
  );
  console.log(machineLine());
  const home = await mkdtemp(join(tmpdir(), 'orch-lab-bench-services-'));
  const orchLab = (...args: string[]) =>
    exec(process.execPath, [BIN, ...args], { env: { ORCH_LAB_HOME: home } });
  const kubectlArgs = ['--kubeconfig', join(home, 'kubeconfig'), '--cache-dir', join(home, 'kube-cache')];
  const kubectl = (...args: string[]) => exec('kubectl', [...kubectlArgs, ...args]);
  const rows: Row[] = [];
  try {
    await orchLab('up', '--nodes', '3', '--runtime', 'process', '--api-port', '0', '--etcd-port', '0');
    await kubectl('create', 'deployment', 'web', '--image', 'nginx', '--replicas', '3');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout', '60s');
    await kubectl('expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort');
    const client = await RestClient.fromKubeconfig(join(home, 'kubeconfig'), { component: 'bench-services' });
    try {
      const svc = await client.resource(services, 'default').get('web');
      const nodePort = svc.spec.ports?.[0]?.nodePort ?? 0;
      const podIP = (await client.resource(pods, 'default').list({ labelSelector: 'app=web' })).items[0]
        ?.status?.podIP;
      while (!(await get('127.100.0.1', nodePort, false)))
        await new Promise((resolve) => setTimeout(resolve, 50));
      for (const keepAlive of [false, true]) {
        const how = keepAlive ? 'kept-alive connections' : 'a new connection per request';
        const direct = await load(podIP ?? '', 80, keepAlive);
        const proxied = await load('127.100.0.1', nodePort, keepAlive);
        const label = `${CONCURRENCY} clients, ${how}`;
        rows.push({
          label: `1${keepAlive ? 'b' : 'a'}. ${label}: straight to one pod`,
          unit: 'req/s',
          value: direct.perSecond,
        });
        rows.push({ label: '   through the NodePort to 3 pods', unit: 'req/s', value: proxied.perSecond });
        rows.push({ label: '   p99 straight to one pod', unit: 'ms', value: percentile(direct.sorted, 99) });
        rows.push({
          label: '   p99 through the NodePort',
          unit: 'ms',
          value: percentile(proxied.sorted, 99),
        });
        rows.push({
          label: `   added p99 (failed requests: ${direct.failed + proxied.failed})`,
          unit: 'ms',
          value: percentile(proxied.sorted, 99) - percentile(direct.sorted, 99),
          goal: { op: '<=', value: 1 },
        });
      }

      const late = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'late' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'late' } },
          template: {
            metadata: { labels: { app: 'late' } },
            spec: {
              containers: [
                {
                  name: 'myapp',
                  image: 'myapp:v1',
                  readinessProbe: {
                    exec: { command: ['cat', '/tmp/ready'] },
                    periodSeconds: 1,
                    failureThreshold: 1,
                  },
                },
              ],
            },
          },
        },
      };
      await exec('kubectl', [...kubectlArgs, 'apply', '-f', '-'], { input: JSON.stringify(late) });
      await kubectl('expose', 'deployment', 'late', '--port', '80');
      const lateIP = (await client.resource(services, 'default').get('late')).spec.clusterIP ?? '';
      while (
        (await client.resource(pods, 'default').list({ labelSelector: 'app=late' })).items[0]?.status
          ?.phase !== 'Running'
      )
        await new Promise((resolve) => setTimeout(resolve, 100));
      const propagation = await readyToTraffic(client, kubectl, lateIP);
      rows.push({
        label: `2. pod Ready -> traffic reaches it: p50 of ${READY_ROUNDS}`,
        unit: 'ms',
        value: percentile(propagation, 50),
      });
      rows.push({
        label: '   worst',
        unit: 'ms',
        value: propagation.at(-1) ?? Number.NaN,
        goal: { op: '<=', value: 200 },
      });
    } finally {
      client.close();
    }
  } finally {
    await orchLab('down').catch((err) => console.error(err.message));
    await rm(home, { recursive: true, force: true });
  }
  console.log('');
  console.log(formatTable(rows));
}
