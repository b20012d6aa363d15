// Service allocation through real kubectl: cluster IPs, node ports, and the `kubernetes` Service.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, services } from '../../src/cluster/api/resources.ts';
import { ControlPlane } from '../../src/cluster/lab.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

let lab: TestLab;
let apiPort: number;

beforeAll(async () => {
  lab = await startTestLab();
  apiPort = lab.plane.api.port;
});

afterAll(async () => {
  await lab?.stop();
});

const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));

const jsonpath = async (args: string[], path: string) => {
  const result = await lab.kubectl([...args, '-o', `jsonpath=${path}`]);
  expect(result.stderr).toBe('');
  return result.stdout;
};

describe('services through real kubectl', () => {
  it('shows the kubernetes Service at the first IP of the service CIDR', async () => {
    const { stdout, stderr } = await lab.kubectl(['get', 'svc']);
    expect(stderr).toBe('');
    const table = rows(stdout);
    expect(table[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(table[1]?.slice(0, 5)).toEqual(['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    expect(table[1]?.[5]).toMatch(/^\d+s$/);
    const labels = await jsonpath(['get', 'svc', 'kubernetes'], '{.metadata.labels}');
    expect(JSON.parse(labels)).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(await jsonpath(['get', 'svc', 'kubernetes'], '{.spec.ports[0].targetPort}')).toBe(String(apiPort));
    expect(await jsonpath(['get', 'svc', 'kubernetes'], '{.spec.ports[0].name}')).toBe('https');
  });

  it('lists service/kubernetes in `get all`', async () => {
    const { stdout } = await lab.kubectl(['get', 'all']);
    expect(stdout).toMatch(/service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  });

  it('points the kubernetes Endpoints and EndpointSlice at this API server', async () => {
    const { stdout } = await lab.kubectl(['get', 'endpoints', 'kubernetes']);
    const table = rows(stdout);
    expect(table[0]).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(table[1]?.slice(0, 2)).toEqual(['kubernetes', `127.0.0.1:${apiPort}`]);
    const slices = await lab.kubectl(['get', 'endpointslices', 'kubernetes']);
    expect(slices.stderr).toBe('');
    expect(rows(slices.stdout)[1]?.slice(0, 4)).toEqual(['kubernetes', 'IPv4', String(apiPort), '127.0.0.1']);
  });

  it('gives a NodePort service a cluster IP and a node port in range', async () => {
    const created = await lab.kubectl(['create', 'service', 'nodeport', 'web', '--tcp=80:8080']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('service/web created\n');
    const row = rows((await lab.kubectl(['get', 'svc', 'web'])).stdout)[1] ?? [];
    expect(row[1]).toBe('NodePort');
    expect(row[2]).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(row[2]).not.toBe('10.96.0.1');
    const ports = /^80:(\d+)\/TCP$/.exec(row[4] ?? '');
    expect(ports).not.toBeNull();
    const nodePort = Number(ports?.[1]);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    // The same node port again is refused.
    const again = await lab.kubectl([
      'create',
      'service',
      'nodeport',
      'web-b',
      '--tcp=80:8080',
      `--node-port=${nodePort}`,
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(
      `spec.ports[0].nodePort: Invalid value: ${nodePort}: provided port is already allocated`,
    );
  });

  it('refuses a cluster IP that is already allocated, or outside the range', async () => {
    const taken = await lab.kubectl([
      'create',
      'service',
      'clusterip',
      'web2',
      '--tcp=80',
      '--clusterip=10.96.0.1',
    ]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toBe(
      'error: failed to create ClusterIP service: Service "web2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated\n',
    );
    const outside = await lab.kubectl([
      'create',
      'service',
      'clusterip',
      'web2',
      '--tcp=80',
      '--clusterip=1.1.1.1',
    ]);
    expect(outside.stderr).toContain(
      'failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
  });

  it('exposes a pod with its labels as the selector', async () => {
    const run = await lab.kubectl(['run', 'nginx', '--image=nginx', '--labels=app=nginx,tier=web']);
    expect(run.stderr).toBe('');
    const exposed = await lab.kubectl(['expose', 'pod', 'nginx', '--port=80', '--name=nginx']);
    expect(exposed.stderr).toBe('');
    expect(exposed.stdout).toBe('service/nginx exposed\n');
    const selector = JSON.parse(await jsonpath(['get', 'svc', 'nginx'], '{.spec.selector}'));
    expect(selector).toEqual({ app: 'nginx', tier: 'web' });
    expect(await jsonpath(['get', 'svc', 'nginx'], '{.spec.clusterIP}')).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('frees a deleted service’s IP for the next one that asks for it', async () => {
    await lab.kubectl(['create', 'service', 'clusterip', 'temp', '--tcp=80']);
    const ip = await jsonpath(['get', 'svc', 'temp'], '{.spec.clusterIP}');
    expect((await lab.kubectl(['delete', 'svc', 'temp'])).stdout).toBe('service "temp" deleted\n');
    const reuse = await lab.kubectl([
      'create',
      'service',
      'clusterip',
      'temp2',
      '--tcp=80',
      `--clusterip=${ip}`,
    ]);
    expect(reuse.stderr).toBe('');
    expect(await jsonpath(['get', 'svc', 'temp2'], '{.spec.clusterIP}')).toBe(ip);
  });

  it('keeps the cluster IP across an apply that leaves it out, and refuses a change', async () => {
    const manifest = (extra: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: applied\nspec:\n${extra}  ports:\n  - port: 80\n`;
    expect((await lab.kubectl(['apply', '-f', '-'], { input: manifest('') })).stderr).toBe('');
    const ip = await jsonpath(['get', 'svc', 'applied'], '{.spec.clusterIP}');
    const nodePort = await lab.kubectl(['apply', '-f', '-'], { input: manifest('  type: NodePort\n') });
    expect(nodePort.stderr).toBe('');
    expect(await jsonpath(['get', 'svc', 'applied'], '{.spec.clusterIP}')).toBe(ip);
    expect(
      Number(await jsonpath(['get', 'svc', 'applied'], '{.spec.ports[0].nodePort}')),
    ).toBeGreaterThanOrEqual(30000);
    const changed = await lab.kubectl(['apply', '-f', '-'], {
      input: manifest('  clusterIP: 10.96.200.200\n'),
    });
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('may not change once set');
  });
});

describe('the kubernetes Service across restarts', () => {
  it('is updated, not duplicated, when the lab starts again on another port', async () => {
    const home = await mkdtemp(join(tmpdir(), 'orch-lab-test-'));
    try {
      const first = await ControlPlane.start({ home, apiPort: 0, etcdPort: 0 });
      const firstPort = first.api.port;
      await first.stop();
      const second = await ControlPlane.start({ home, apiPort: 0, etcdPort: 0 });
      try {
        const scope = { namespace: 'default', dryRun: false, fieldValidation: 'Strict' as const };
        const svc = await second.api.stores(services).get('default', 'kubernetes');
        expect(svc.spec.clusterIP).toBe('10.96.0.1');
        expect(svc.spec.ports?.[0]?.targetPort).toBe(second.api.port);
        const ep = await second.api.stores(endpoints).get('default', 'kubernetes');
        const port = ep.subsets?.[0]?.ports?.[0]?.port;
        expect(port).toBe(second.api.port);
        expect(second.api.port === firstPort || port !== firstPort).toBe(true);
        // The first IP is still held: asking for it is refused.
        await expect(
          second.api.stores(services).create(
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'x' },
              spec: { clusterIP: '10.96.0.1', ports: [{ port: 1 }] },
            },
            scope,
          ),
        ).rejects.toThrow('provided IP is already allocated');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
