import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

// pods/log and pods/exec before any kubelet answers: what kubectl prints must be what a real
// cluster prints for a pod with no node and for a node whose kubelet is down.
let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab({ scheduler: false });
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'gone' },
    status: {
      addresses: [{ type: 'InternalIP', address: '127.100.0.250' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
  const pod = (name: string, nodeName?: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'web', image: 'nginx' }] },
  });
  const created = await lab.kubectl(['create', '-f', '-'], {
    input: [node, pod('bound', 'gone'), pod('pending')].map((o) => JSON.stringify(o)).join('\n'),
  });
  expect(created.stderr).toBe('');
  // kubectl create leaves status out of a Node; the kubelet would write it.
  const patched = await lab.kubectl([
    'patch',
    'node',
    'gone',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: node.status }),
  ]);
  expect(patched.stderr).toBe('');
}, 30_000);

afterAll(async () => {
  await lab?.stop();
});

describe('the API server proxy to kubelets', () => {
  it('answers logs and exec for a pod without a node as kube-apiserver does', async () => {
    const logs = await lab.kubectl(['logs', 'pending']);
    expect(logs.stderr.trim()).toBe(
      'Error from server (BadRequest): pod pending does not have a host assigned',
    );
    const exec = await lab.kubectl(['exec', 'pending', '--', 'ls']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('pod pending does not have a host assigned');
  });

  it('reports a kubelet out of reach with the dial error', async () => {
    const logs = await lab.kubectl(['logs', 'bound']);
    expect(logs.stderr.trim()).toBe(
      'Error from server: Get "https://127.100.0.250:10250/containerLogs/default/bound/web": ' +
        'dial tcp 127.100.0.250:10250: connect: connection refused',
    );
    const exec = await lab.kubectl(['exec', 'bound', '--', 'ls']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('dial tcp 127.100.0.250:10250: connect: connection refused');
    // The upgrade request went through the same filters as any other, audit included.
    const audit = (await readFile(join(lab.home, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { requestURI: string; responseStatus: { code: number } });
    const execs = audit.filter((event) =>
      event.requestURI.startsWith('/api/v1/namespaces/default/pods/bound/exec?'),
    );
    expect(execs.map((event) => event.responseStatus.code)).toContain(500);
  });

  it('refuses a container the pod does not have', async () => {
    const logs = await lab.kubectl(['logs', 'bound', '-c', 'nope']);
    expect(logs.stderr).toContain('container nope is not valid for pod bound');
  });

  it('asks for create on pods/exec before upgrading', async () => {
    // get is what a WebSocket GET needs to pass the filters; running a command needs create too.
    for (const args of [
      ['create', 'role', 'peek', '--verb=get', '--resource=pods,pods/exec'],
      ['create', 'rolebinding', 'peek', '--role=peek', '--user=mallory'],
    ]) {
      expect((await lab.kubectl(args)).stderr).toBe('');
    }
    const exec = await lab.kubectl(['exec', 'bound', '--as', 'mallory', '--', 'ls']);
    expect(exec.stderr).toContain(
      'cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
  });
});
