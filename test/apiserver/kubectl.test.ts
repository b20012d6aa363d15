import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

const seed = (name: string) => join(import.meta.dirname, '../fixtures/seed', name);

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab();
});

afterAll(async () => {
  await lab?.stop();
});

/** Splits kubectl's table output into rows of cells (columns are separated by 3+ spaces). */
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));

describe('real kubectl against the API server', () => {
  it('reports the server version and serves discovery', async () => {
    const version = await lab.kubectl(['version']);
    expect(version.stdout).toMatch(/Server Version: v1\.32\.\d+/);
    const resources = await lab.kubectl(['api-resources']);
    expect(resources.code).toBe(0);
    expect(resources.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
    expect(resources.stdout).toMatch(/\npods\s+po\s+v1\s+true\s+Pod\n/);
    expect(resources.stdout).toMatch(/\ndeployments\s+deploy\s+apps\/v1\s+true\s+Deployment\n/);
    const versions = await lab.kubectl(['api-versions']);
    expect(versions.stdout.split('\n')).toEqual(
      expect.arrayContaining(['apps/v1', 'v1', 'rbac.authorization.k8s.io/v1']),
    );
  });

  it("lists the system namespaces like a fresh cluster's", async () => {
    const { stdout, code } = await lab.kubectl(['get', 'namespaces']);
    expect(code).toBe(0);
    const table = rows(stdout);
    expect(table[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(table.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['default', 'Active'],
      ['kube-node-lease', 'Active'],
      ['kube-public', 'Active'],
      ['kube-system', 'Active'],
    ]);
  });

  it("creates the seed's pod and shows it Pending with no node", async () => {
    const created = await lab.kubectl(['create', '-f', seed('pod-definition.yaml')]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('pod/myapp-pod created\n');
    const pods = await lab.kubectl(['get', 'pods']);
    const table = rows(pods.stdout);
    expect(table[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(table[1]?.slice(0, 4)).toEqual(['myapp-pod', '0/1', 'Pending', '0']);
    const again = await lab.kubectl(['create', '-f', seed('pod-definition.yaml')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toBe(
      'Error from server (AlreadyExists): error when creating "' +
        seed('pod-definition.yaml') +
        '": pods "myapp-pod" already exists\n',
    );
  });

  it('answers a missing object with NotFound in Kubernetes words', async () => {
    const { stderr, code } = await lab.kubectl(['get', 'pod', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  it('creates a namespace, a configmap and a secret the way kubectl sends them (protobuf)', async () => {
    expect((await lab.kubectl(['create', 'namespace', 'team-a'])).stdout).toBe('namespace/team-a created\n');
    expect(
      (await lab.kubectl(['create', 'configmap', 'cfg', '-n', 'team-a', '--from-literal=color=blue'])).stdout,
    ).toBe('configmap/cfg created\n');
    expect(
      (
        await lab.kubectl([
          'create',
          'secret',
          'generic',
          'pw',
          '-n',
          'team-a',
          '--from-literal=password=s3cret',
        ])
      ).stdout,
    ).toBe('secret/pw created\n');
    const secrets = rows((await lab.kubectl(['get', 'secrets', '-n', 'team-a'])).stdout);
    expect(secrets[0]).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(secrets[1]?.slice(0, 3)).toEqual(['pw', 'Opaque', '1']);
    const value = await lab.kubectl([
      'get',
      'secret',
      'pw',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.data.password}',
    ]);
    expect(Buffer.from(value.stdout, 'base64').toString()).toBe('s3cret');
    expect((await lab.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'team-a'])).stdout).toBe(
      'yes\n',
    );
  });

  it('applies, labels, patches and deletes a configmap', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { color: 'blue' },
    });
    expect((await lab.kubectl(['apply', '-f', '-'], { input: manifest })).stdout).toBe(
      'configmap/settings created\n',
    );
    expect((await lab.kubectl(['apply', '-f', '-'], { input: manifest })).stdout).toBe(
      'configmap/settings unchanged\n',
    );
    expect((await lab.kubectl(['label', 'configmap', 'settings', 'tier=web'])).stdout).toBe(
      'configmap/settings labeled\n',
    );
    const patched = await lab.kubectl([
      'patch',
      'configmap',
      'settings',
      '--type=merge',
      '-p',
      '{"data":{"color":"green"}}',
    ]);
    expect(patched.stdout).toBe('configmap/settings patched\n');
    const value = await lab.kubectl([
      'get',
      'configmap',
      'settings',
      '-o',
      'jsonpath={.data.color} {.metadata.labels.tier}',
    ]);
    expect(value.stdout).toBe('green web');
    expect((await lab.kubectl(['get', 'cm', '-l', 'tier=web', '-o', 'name'])).stdout).toBe(
      'configmap/settings\n',
    );
    expect((await lab.kubectl(['delete', 'configmap', 'settings'])).stdout).toBe(
      'configmap "settings" deleted\n',
    );
  });
});
