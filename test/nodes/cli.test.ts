import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { waitForNodesReady } from '../../src/cluster/nodes/ready.ts';

// orch-lab up, node and down as a learner types them, with real node agent processes.
// Nodes 1 and 7 (127.100.0.1 and .7): the e2e test in this folder uses nodes 4 to 6.

const bin = join(import.meta.dirname, '../../bin/orch-lab.js');
let home: string;

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ORCH_LAB_HOME: home }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const orchLab = (...args: string[]) => run(process.execPath, [bin, ...args]);
const kubectl = (...args: string[]) =>
  run('kubectl', [
    '--kubeconfig',
    join(home, 'kubeconfig'),
    '--cache-dir',
    join(home, 'kube-cache'),
    ...args,
  ]);

/** Whether a process with this pid exists (and is not a zombie). */
async function processExists(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && !/^\d+ \(.*\) Z/s.test(stat);
}

const agentPid = async (name: string) =>
  Number((await readFile(join(home, 'nodes', name, 'agent.pid'), 'utf8')).trim());

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'orch-lab-nodes-cli-'));
});

afterAll(async () => {
  await orchLab('down');
  await rm(home, { recursive: true, force: true });
}, 60_000);

describe('orch-lab with process nodes', () => {
  it('refuses a runtime it does not know', async () => {
    const up = await orchLab('up', '--nodes', '1', '--runtime', 'vm', '--api-port', '0', '--etcd-port', '0');
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('unknown runtime "vm": use auto, process or docker');
  });

  it('starts the control plane and a node, and waits until it is Ready', async () => {
    // Explicit: auto would take Docker nodes wherever an engine answers.
    const up = await orchLab(
      'up',
      '--nodes',
      '1',
      '--runtime',
      'process',
      '--api-port',
      '0',
      '--etcd-port',
      '0',
      '--labels',
      'tier=one',
    );
    expect(up.stderr).toBe('');
    expect(up.stdout).toMatch(/✓ Starting the control plane .*\(\d+\.\d\ds\)/);
    expect(up.stdout).toMatch(/✓ Waiting for the nodes to be Ready \(\d+\.\d\ds\)/);
    const nodes = await kubectl('get', 'nodes', '-L', 'tier');
    expect(nodes.stdout).toMatch(/node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.\d+\S*\s+one/);
    const status = await orchLab('status');
    expect(status.stdout).toMatch(/node-1\s+127\.100\.0\.1\s+127\.244\.1\.0\/24\s+running, pid \d+/);
  }, 60_000);

  it('adds, lists, kills, starts and removes a node', async () => {
    const add = await orchLab('node', 'add', 'node-7', '--cpu', '4', '--taints', 'gpu=yes:NoSchedule');
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain('Added node-7: node IP 127.100.0.7, pod CIDR 127.244.7.0/24');
    expect(add.stdout).toMatch(/node-7 is Ready/);
    expect((await kubectl('get', 'node', 'node-7', '-o', 'jsonpath={.status.capacity.cpu}')).stdout).toBe(
      '4',
    );
    expect((await kubectl('get', 'node', 'node-7', '-o', 'jsonpath={.spec.taints[0].key}')).stdout).toBe(
      'gpu',
    );

    const list = await orchLab('node', 'list');
    expect(list.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+VERSION\s+INTERNAL-IP\s+POD-CIDR\s+AGENT$/m);
    expect(list.stdout).toMatch(
      /^node-7\s+Ready\s+<none>\s+v1\.32\.\d+\S*\s+127\.100\.0\.7\s+127\.244\.7\.0\/24\s+running \(pid \d+\)$/m,
    );

    const pid = await agentPid('node-7');
    expect(await processExists(pid)).toBe(true);
    const kill = await orchLab('node', 'kill', 'node-7');
    expect(kill.stdout).toContain(`Killed the agent of node-7 (pid ${pid}, SIGKILL)`);
    expect(await processExists(pid)).toBe(false);
    expect((await orchLab('node', 'list')).stdout).toMatch(/^node-7\s+.*\s+stopped$/m);

    const start = await orchLab('node', 'start', 'node-7');
    expect(start.stderr).toBe('');
    expect(start.stdout).toMatch(/node-7 is Ready/);
    const remove = await orchLab('node', 'remove', 'node-7');
    expect(remove.stderr).toBe('');
    expect((await kubectl('get', 'node', 'node-7')).stderr).toContain('nodes "node-7" not found');
    expect((await orchLab('node', 'list')).stdout).not.toContain('node-7');
  }, 60_000);

  it('runs a node in the foreground with the hidden node-agent command, until SIGTERM', async () => {
    expect((await orchLab('node', 'stop', 'node-1')).stdout).toBe('Stopped node-1.\n');
    const started = Date.now();
    const agent = spawn(
      process.execPath,
      [bin, 'node-agent', '--config', join(home, 'nodes/node-1/node.json')],
      {
        env: { ...process.env, ORCH_LAB_HOME: home },
      },
    );
    let output = '';
    agent.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
    const client = await RestClient.fromKubeconfig(join(home, 'kubeconfig'), { component: 'cli-test' });
    try {
      await waitForNodesReady(client, ['node-1'], { timeoutMs: 20_000, since: started });
    } finally {
      client.close();
    }
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/node-1: kubelet on https:\/\/127\.100\.0\.1:10250/);
    expect(output).toMatch(/node-1: SIGTERM: stopping\n.*node-1: stopped\n$/);
    expect((await orchLab('node', 'start', 'node-1')).stdout).toMatch(/node-1 is Ready/);
  }, 60_000);

  it('stops nodes with the lab and brings them and their objects back', async () => {
    const pid = await agentPid('node-1');
    expect((await orchLab('down')).stdout).toContain(`Stopped node-1 (pid ${pid}).`);
    expect(await processExists(pid)).toBe(false);
    const up = await orchLab('up', '--nodes', '1', '--api-port', '0', '--etcd-port', '0');
    expect(up.stderr).toBe('');
    const nodes = await kubectl('get', 'nodes', '-L', 'tier');
    expect(nodes.stdout).toMatch(/node-1\s+Ready\s+.*\s+one\n/);
  }, 60_000);
});
