// The control plane on a real etcd (`orch-lab up --etcd-endpoints`): real kubectl in front, real
// etcdctl behind, and the objects where kube-apiserver would keep them.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from '../../src/cluster/lab.ts';
import { type EtcdProcess, startEtcd } from '../support/etcd-process.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

const seed = (name: string) => join(import.meta.dirname, '../fixtures/seed', name);

let etcd: EtcdProcess;
let lab: TestLab;

beforeAll(async () => {
  etcd = await startEtcd();
  lab = await startTestLab({ etcdEndpoints: [`http://${etcd.endpoint}`] });
});

afterAll(async () => {
  await lab?.stop();
  await etcd?.stop();
});

const etcdctl = async (...args: string[]) =>
  (
    await promisify(execFile)('etcdctl', [`--endpoints=${etcd.endpoint}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    })
  ).stdout;

describe('a control plane on a real etcd', () => {
  it('records the endpoints and starts no store of its own', async () => {
    const state = JSON.parse(await readFile(labPaths(lab.home).state, 'utf8')) as { etcd: string };
    expect(state.etcd).toBe(`http://${etcd.endpoint}`);
    expect(() => lab.plane.store).toThrow('keeps its objects in etcd');
    // The system namespaces went to etcd.
    expect(await etcdctl('get', '/registry/namespaces/', '--prefix', '--keys-only')).toContain(
      '/registry/namespaces/kube-system',
    );
  });

  it('stores what kubectl creates in etcd, as JSON under /registry', async () => {
    const created = await lab.kubectl(['create', '-f', seed('pod-definition.yaml')]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('pod/myapp-pod created\n');

    const pods = await lab.kubectl(['get', 'pods']);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nmyapp-pod\s+0\/1\s+Pending\s+0\s+/);

    const stored = JSON.parse(await etcdctl('get', '/registry/pods/default/myapp-pod', '--print-value-only'));
    expect(stored).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'myapp-pod', namespace: 'default', labels: { app: 'myapp', type: 'front-end' } },
      spec: { containers: [{ name: 'nginx-container', image: 'nginx' }] },
    });
    // The resourceVersion is never stored: it is the key's mod_revision.
    expect(stored.metadata.resourceVersion).toBeUndefined();
    const rv = (await lab.kubectl(['get', 'pod', 'myapp-pod', '-o', 'jsonpath={.metadata.resourceVersion}']))
      .stdout;
    const revision = JSON.parse(await etcdctl('get', '/registry/pods/default/myapp-pod', '-w', 'json')) as {
      kvs: { mod_revision: number }[];
    };
    expect(rv).toBe(String(revision.kvs[0]?.mod_revision));
  });
});
