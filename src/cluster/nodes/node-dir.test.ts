import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../../../test/support/lab.ts';
import { ClusterPki } from '../pki/pki.ts';
import { nodePaths, parseLabels, parseTaints } from './config.ts';
import { prepareNode, readNodeConfigs } from './node-dir.ts';

let lab: TestLab;
let pki: ClusterPki;

beforeAll(async () => {
  lab = await startTestLab({ scheduler: false });
  pki = await ClusterPki.open({ dir: join(lab.home, 'pki') });
}, 30_000);

afterAll(async () => {
  await lab?.stop();
});

const cluster = () => ({ apiServer: lab.plane.state.apiServer, pki });

describe('prepareNode', () => {
  it('gives node-N the addresses N, and other names the lowest free ones', async () => {
    const second = await prepareNode(lab.home, { name: 'node-2' }, cluster());
    expect([second.nodeIP, second.podCIDR, second.clusterCIDR]).toEqual([
      '127.100.0.2',
      '127.244.2.0/24',
      '127.244.0.0/16',
    ]);
    const worker = await prepareNode(lab.home, { name: 'worker' }, cluster());
    expect([worker.nodeIP, worker.podCIDR]).toEqual(['127.100.0.1', '127.244.1.0/24']);
    const taken = await prepareNode(lab.home, { name: 'node-1' }, cluster());
    expect(taken.nodeIP).toBe('127.100.0.3');
    await expect(prepareNode(lab.home, { name: 'node-2' }, cluster())).rejects.toThrow(/already exists/);
    expect((await readNodeConfigs(lab.home)).map((c) => c.name)).toEqual(['node-1', 'node-2', 'worker']);
    expect(second.capacity).toEqual({ cpu: '2', memory: '4Gi', pods: 110 });
  });

  it('writes a kubeconfig the API server takes as system:node:<name> in system:nodes', async () => {
    const kubeconfig = join(nodePaths(lab.home, 'node-2').dir, 'kubeconfig');
    const whoami = await new Promise<string>((resolve) =>
      execFile('kubectl', ['--kubeconfig', kubeconfig, 'auth', 'whoami', '-o', 'json'], (_err, stdout) =>
        resolve(stdout),
      ),
    );
    const { status } = JSON.parse(whoami) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(status.userInfo.username).toBe('system:node:node-2');
    expect(status.userInfo.groups).toContain('system:nodes');
  });

  it('issues a kubelet serving certificate that a client checking the node IP accepts', async () => {
    const dir = nodePaths(lab.home, 'node-2').dir;
    const server = createServer(
      {
        cert: await readFile(join(dir, 'pki/kubelet.crt')),
        key: await readFile(join(dir, 'pki/kubelet.key')),
      },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.100.0.2', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(`https://127.100.0.2:${port}/`, { ca: pki.caCertificate }, (res) => {
        res.setEncoding('utf8');
        res.on('data', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(answer).toBe('ok');
  });

  it('refuses a name that cannot be a node name', async () => {
    await expect(prepareNode(lab.home, { name: 'Node_1' }, cluster())).rejects.toThrow(/DNS-1123/);
  });
});

describe('node flags', () => {
  it('parses labels and taints as kubectl spells them', () => {
    expect(parseLabels('disk=ssd,zone=a')).toEqual({ disk: 'ssd', zone: 'a' });
    expect(parseTaints('gpu=true:NoSchedule,dedicated:NoExecute')).toEqual([
      { key: 'gpu', value: 'true', effect: 'NoSchedule' },
      { key: 'dedicated', effect: 'NoExecute' },
    ]);
    expect(() => parseLabels('disk')).toThrow(/invalid label "disk"/);
    expect(() => parseTaints('gpu=true:Sometimes')).toThrow(/effect one of NoSchedule/);
  });
});
