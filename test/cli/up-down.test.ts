import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/orch-lab.js');
let home: string;

function run(
  cmd: string,
  args: string[],
  input = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, ORCH_LAB_HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
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

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'orch-lab-cli-'));
});

afterAll(async () => {
  await orchLab('down');
  await rm(home, { recursive: true, force: true });
});

describe('orch-lab up, status, down', () => {
  it('starts the control plane in the background and writes a private kubeconfig', async () => {
    const up = await orchLab('up', '--nodes', '0', '--api-port', '0', '--etcd-port', '0');
    expect(up.stderr).toBe('');
    expect(up.stdout).toContain(`kubeconfig: ${join(home, 'kubeconfig')}`);
    expect((await stat(join(home, 'kubeconfig'))).mode & 0o777).toBe(0o600);
    expect((await orchLab('kubeconfig')).stdout.trim()).toBe(join(home, 'kubeconfig'));
    const status = await orchLab('status');
    expect(status.stdout).toMatch(/API server\s+https:\/\/127\.0\.0\.1:\d+ \(ready\)/);
    expect(status.stdout).toContain(
      'Node health:   NotReady after 20s without a heartbeat; its pods evicted 30s later',
    );
    const again = await orchLab('up', '--nodes', '0', '--api-port', '0', '--etcd-port', '0');
    expect(again.stdout).toContain('already running');
  });

  it('keeps objects across down and up', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept' },
      data: { a: '1' },
    });
    expect(
      (await run('kubectl', ['--kubeconfig', join(home, 'kubeconfig'), 'apply', '-f', '-'], manifest)).stdout,
    ).toBe('configmap/kept created\n');
    expect((await orchLab('down')).stdout).toMatch(/Stopped the lab/);
    expect((await orchLab('status')).code).toBe(1);
    // Shorter node-health clocks, as a learner in a hurry sets them (kube-controller-manager's and
    // kube-apiserver's flags).
    await orchLab(
      'up',
      '--nodes',
      '0',
      '--api-port',
      '0',
      '--etcd-port',
      '0',
      '--node-monitor-grace-period',
      '8',
      '--default-toleration-seconds',
      '5s',
    );
    expect((await orchLab('status')).stdout).toContain(
      'Node health:   NotReady after 8s without a heartbeat; its pods evicted 5s later',
    );
    const got = await kubectl('get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}');
    expect(got.stdout).toBe('1');
    const log = await readFile(join(home, 'logs', 'control-plane.log'), 'utf8');
    expect(log).toMatch(/control plane up/);
  });
});
