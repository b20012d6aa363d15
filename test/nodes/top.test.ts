import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/cluster/api/core/node.ts';
import { parseQuantity } from '../../src/cluster/api/quantity.ts';
import { KubeletClient } from '../../src/cluster/apiserver/kubelet-client.ts';
import { ClusterPki } from '../../src/cluster/pki/pki.ts';
import { eventually } from '../controllers/support.ts';
import { kubeletGet } from '../kubelet/kubelet-api.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// kubectl top against two real process nodes (16 and 17: 127.100.0.16-17): the kubelets serve
// /metrics/resource from /proc, the API server scrapes them and serves metrics.k8s.io.

let lab: TestLab;

/** kubectl's table rows as cells (columns are separated by 2+ spaces). */
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));

/** Millicores from kubectl top's CPU column ("250m"). */
const millicores = (cell: string | undefined) => Number(/^(\d+)m$/.exec(cell ?? '')?.[1] ?? Number.NaN);

const notReady = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'waiting', labels: { app: 'waiting' } },
  spec: { nodeSelector: { 'no-such': 'node' }, containers: [{ name: 'main', image: 'nginx' }] },
};

beforeAll(async () => {
  lab = await startTestLab({ nodes: { count: 2, firstNode: 16 } });
  for (const args of [
    ['run', 'burner', '--image=stress', '--', '--cpu', '1'],
    ['run', 'idle', '--image=nginx'],
  ]) {
    const run = await lab.kubectl(args);
    expect(run.stderr).toBe('');
  }
  const waited = await lab.kubectl([
    'wait',
    '--for=condition=Ready',
    'pod/burner',
    'pod/idle',
    '--timeout=60s',
  ]);
  expect(waited.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('kubectl top', () => {
  it('shows every node with its usage and the share of its allocatable', async () => {
    const top = await lab.kubectl(['top', 'nodes']);
    expect(top.stderr).toBe('');
    const [header, ...nodes] = rows(top.stdout);
    expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(nodes.map((r) => r[0])).toEqual(['node-16', 'node-17']);
    for (const row of nodes) {
      expect(row.slice(1)).toEqual([
        expect.stringMatching(/^\d+m$/),
        expect.stringMatching(/^\d+%$/),
        expect.stringMatching(/^\d+Mi$/),
        expect.stringMatching(/^\d+%$/),
      ]);
    }
    // The burner's node runs a core flat out: at least a tenth of it shows, whichever node it is.
    expect(Math.max(...nodes.map((r) => millicores(r[1])))).toBeGreaterThan(100);
  });

  it('shows a pod burning CPU using much more than an idle one', async () => {
    const table = await eventually(async () => {
      const top = await lab.kubectl(['top', 'pods']);
      const found = rows(top.stdout);
      return found.length === 3 ? found : undefined;
    }, 'top pods lists both pods');
    expect(table[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const cpu = Object.fromEntries(table.slice(1).map((r) => [r[0], millicores(r[1])]));
    expect(Object.keys(cpu).sort()).toEqual(['burner', 'idle']);
    expect(cpu.burner).toBeGreaterThan((cpu.idle ?? 0) + 200);
    for (const row of table.slice(1)) expect(row[2]).toMatch(/^\d+Mi$/);
  });

  it('breaks pods down by container, across namespaces, by label and by name', async () => {
    const containers = await lab.kubectl(['top', 'pods', '--containers']);
    expect(containers.stderr).toBe('');
    const table = rows(containers.stdout);
    expect(table[0]).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(
      table
        .slice(1)
        .map((r) => `${r[0]}/${r[1]}`)
        .sort(),
    ).toEqual(['burner/burner', 'idle/idle']);

    const all = rows((await lab.kubectl(['top', 'pods', '-A'])).stdout);
    expect(all[0]).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(all.filter((r) => r[0] === 'default').map((r) => r[1])).toEqual(['burner', 'idle']);

    const labelled = rows((await lab.kubectl(['top', 'pods', '-l', 'run=burner', '-n', 'default'])).stdout);
    expect(labelled.slice(1).map((r) => r[0])).toEqual(['burner']);

    const named = rows((await lab.kubectl(['top', 'pod', 'idle'])).stdout);
    expect(named.slice(1).map((r) => r[0])).toEqual(['idle']);

    const none = await lab.kubectl(['top', 'pods', '-n', 'kube-public']);
    expect(none.stderr).toBe('No resources found in kube-public namespace.\n');
  });

  it('says metrics are not available yet for a pod that has none', async () => {
    expect((await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(notReady) })).stderr).toBe('');
    const listed = await lab.kubectl(['top', 'pods', '-l', 'app=waiting']);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toBe('error: metrics not available yet\n');
    const named = await lab.kubectl(['top', 'pod', 'waiting']);
    expect(named.stderr).toBe(
      'Error from server (NotFound): podmetrics.metrics.k8s.io "default/waiting" not found\n',
    );
  });

  it("has each kubelet serve /metrics/resource to the API server's credentials only", async () => {
    const burner = JSON.parse((await lab.kubectl(['get', 'pod', 'burner', '-o', 'json'])).stdout);
    const node: Node = JSON.parse(
      (await lab.kubectl(['get', 'node', burner.spec.nodeName, '-o', 'json'])).stdout,
    );
    const url = new URL('/metrics/resource', KubeletClient.location(node)).href;
    const pki = await ClusterPki.open({ dir: join(lab.home, 'pki') });
    const as = async (commonName: string, organizations: string[]) => ({
      ...(await pki.issueClientCertificate({ commonName, organizations })),
      ca: pki.caCertificate,
    });
    const scraped = await kubeletGet(url, await as('kube-apiserver-kubelet-client', ['system:masters']));
    expect(scraped.code).toBe(200);
    const line = (name: string) =>
      new RegExp(
        `^${name}\\{container="burner",namespace="default",pod="burner"\\} ([\\d.e+]+) \\d{13}$`,
        'm',
      );
    expect(scraped.body).toMatch(/^# TYPE container_cpu_usage_seconds_total counter$/m);
    expect(Number(line('container_cpu_usage_seconds_total').exec(scraped.body)?.[1])).toBeGreaterThan(0);
    expect(Number(line('container_memory_working_set_bytes').exec(scraped.body)?.[1])).toBeGreaterThan(0);
    expect(scraped.body).toMatch(/^node_cpu_usage_seconds_total [\d.e+]+ \d{13}$/m);
    expect(scraped.body).toMatch(/^node_memory_working_set_bytes [\d.e+]+ \d{13}$/m);
    const refused = await kubeletGet(url, await as('system:node:other', ['system:nodes']));
    expect(refused).toEqual({
      code: 403,
      body: 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource(s)=[metrics])\n',
    });
  });

  it('serves NodeMetrics and PodMetrics in metrics.k8s.io/v1beta1', async () => {
    const raw = await lab.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']);
    expect(raw.stderr).toBe('');
    const list = JSON.parse(raw.stdout);
    expect(list).toMatchObject({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(list.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([
      'node-16',
      'node-17',
    ]);
    for (const item of list.items) {
      expect(item).toEqual({
        metadata: {
          name: expect.any(String),
          creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          labels: expect.objectContaining({ 'kubernetes.io/hostname': item.metadata.name }),
        },
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        window: expect.stringMatching(/^(\d+m)?\d+(\.\d+)?s$/),
        usage: { cpu: expect.any(String), memory: expect.any(String) },
      });
      expect(parseQuantity(item.usage.memory).nanos).toBeGreaterThan(0n);
      parseQuantity(item.usage.cpu);
    }
    const pod = JSON.parse(
      (await lab.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burner']))
        .stdout,
    );
    expect(pod).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'burner', namespace: 'default', labels: { run: 'burner' } },
      containers: [{ name: 'burner', usage: { cpu: expect.any(String), memory: expect.any(String) } }],
    });
    const nodeTable = rows((await lab.kubectl(['get', 'nodes.metrics.k8s.io'])).stdout);
    expect(nodeTable[0]).toEqual(['NAME', 'CPU', 'MEMORY', 'WINDOW']);
    expect(nodeTable.slice(1).map((r) => r[0])).toEqual(['node-16', 'node-17']);
    const podTable = rows((await lab.kubectl(['get', 'pods.metrics.k8s.io'])).stdout);
    expect(podTable.slice(1).map((r) => r[0])).toEqual(['burner', 'idle']);
    const versions = await lab.kubectl(['api-versions']);
    expect(versions.stdout.split('\n')).toContain('metrics.k8s.io/v1beta1');
    const resources = await lab.kubectl(['api-resources', '--api-group=metrics.k8s.io']);
    expect(resources.stdout).toMatch(/\nnodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\n/);
    expect(resources.stdout).toMatch(/\npods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\n/);
  });

  it('lets view read pod metrics and refuses a user without a role', async () => {
    const nobody = await lab.kubectl(['top', 'nodes', '--as=nobody']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe(
      'Error from server (Forbidden): nodes.metrics.k8s.io is forbidden: User "nobody" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope\n',
    );
    const bound = await lab.kubectl([
      'create',
      'rolebinding',
      'viewer',
      '--clusterrole=view',
      '--user=viewer',
    ]);
    expect(bound.stderr).toBe('');
    const viewer = await lab.kubectl(['top', 'pods', '--as=viewer']);
    expect(viewer.stderr).toBe('');
    expect(
      rows(viewer.stdout)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(['burner', 'idle']);
  });
});
