import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addLabCredentials,
  emptyKubeconfig,
  KubeconfigError,
  LAB_ADMIN_USER,
  labContextName,
  loadRestConfig,
  parseKubeconfig,
  readKubeconfig,
  resolveRestConfig,
  setContext,
  updateKubeconfig,
  writeKubeconfig,
} from './kubeconfig.ts';

const run = promisify(execFile);
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nadmin\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nadmin-key\n-----END PRIVATE KEY-----\n';
const SERVER = 'https://127.0.0.1:6443';

const withAdmin = () =>
  addLabCredentials(emptyKubeconfig(), {
    server: SERVER,
    caCertificate: CA,
    username: LAB_ADMIN_USER,
    credential: { cert: CERT, key: KEY },
    makeCurrent: true,
  });

describe('kubeconfig', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orch-lab-kubeconfig-'));
    path = join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the admin entries orch-lab and every other user orch-lab-<user>', () => {
    expect(labContextName(LAB_ADMIN_USER)).toBe('orch-lab');
    expect(labContextName('alice')).toBe('orch-lab-alice');
    const config = withAdmin();
    expect(config.clusters).toEqual([
      {
        name: 'orch-lab',
        cluster: { server: SERVER, 'certificate-authority-data': Buffer.from(CA).toString('base64') },
      },
    ]);
    expect(config.users.map((u) => u.name)).toEqual(['orch-lab-admin']);
    expect(config.contexts).toEqual([
      { name: 'orch-lab', context: { cluster: 'orch-lab', user: 'orch-lab-admin' } },
    ]);
    expect(config['current-context']).toBe('orch-lab');
  });

  it('round-trips through a file written with mode 0600', async () => {
    const config = withAdmin();
    await writeKubeconfig(path, config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readKubeconfig(path)).toEqual(config);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe('apiVersion: v1');
    expect(text).toContain(`certificate-authority-data: ${Buffer.from(CA).toString('base64')}\n`);
  });

  it('tightens the mode of a file that was readable by others', async () => {
    await writeFile(path, 'apiVersion: v1\nkind: Config\n', { mode: 0o644 });
    await chmod(path, 0o644);
    await updateKubeconfig(path, (config) => config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('adds a user beside the admin and keeps what else the file holds', async () => {
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: work',
        '  cluster:',
        '    server: https://127.0.0.1:7443',
        '    extensions:',
        '    - name: note',
        '      extension: keep-me',
        'contexts:',
        '- name: work',
        '  context: {cluster: work, user: me}',
        'users:',
        '- name: me',
        '  user:',
        '    exec: {command: get-token, apiVersion: client.authentication.k8s.io/v1}',
        'current-context: work',
        'preferences: {}',
        '',
      ].join('\n'),
    );
    const labUser =
      (username: string, makeCurrent = false) =>
      (config: Parameters<typeof addLabCredentials>[0]) =>
        addLabCredentials(config, {
          server: SERVER,
          caCertificate: CA,
          username,
          credential: { cert: CERT, key: KEY },
          makeCurrent,
        });
    await updateKubeconfig(path, labUser('alice'));
    const updated = await updateKubeconfig(path, labUser('bob'));
    expect(updated.clusters.map((c) => c.name)).toEqual(['work', 'orch-lab']);
    expect(updated.clusters[0]?.cluster.extensions).toEqual([{ name: 'note', extension: 'keep-me' }]);
    expect(updated.users.map((u) => u.name)).toEqual(['me', 'alice', 'bob']);
    expect(updated.users[0]?.user.exec).toEqual({
      command: 'get-token',
      apiVersion: 'client.authentication.k8s.io/v1',
    });
    expect(updated.contexts.map((c) => c.name)).toEqual(['work', 'orch-lab-alice', 'orch-lab-bob']);
    // Adding a user does not switch to it, unless asked.
    expect(updated['current-context']).toBe('work');
    expect(await readKubeconfig(path)).toEqual(updated);
    expect((await updateKubeconfig(path, labUser('bob', true)))['current-context']).toBe('orch-lab-bob');
  });

  it('replaces entries of the same name instead of repeating them', () => {
    const again = addLabCredentials(withAdmin(), {
      server: 'https://127.0.0.1:7000',
      caCertificate: CA,
      username: LAB_ADMIN_USER,
      credential: { token: 't' },
    });
    expect(again.clusters).toHaveLength(1);
    expect(again.clusters[0]?.cluster.server).toBe('https://127.0.0.1:7000');
    expect(again.users).toEqual([{ name: 'orch-lab-admin', user: { token: 't' } }]);
    expect(again.contexts).toHaveLength(1);
  });

  it('resolves the current context into PEM and a namespace', async () => {
    await writeKubeconfig(path, withAdmin());
    expect(await loadRestConfig(path)).toEqual({
      contextName: 'orch-lab',
      server: SERVER,
      certificateAuthority: CA,
      clientCertificate: CERT,
      clientKey: KEY,
      insecureSkipTlsVerify: false,
      namespace: 'default',
    });
  });

  it('resolves a named context with a token and a namespace', async () => {
    const config = addLabCredentials(withAdmin(), {
      server: SERVER,
      caCertificate: CA,
      username: 'system:serviceaccount:dev:ci',
      credential: { token: 'abc.def.ghi' },
      namespace: 'dev',
    });
    expect(await resolveRestConfig(config, { context: 'orch-lab-system:serviceaccount:dev:ci' })).toEqual({
      contextName: 'orch-lab-system:serviceaccount:dev:ci',
      server: SERVER,
      certificateAuthority: CA,
      token: 'abc.def.ghi',
      insecureSkipTlsVerify: false,
      namespace: 'dev',
    });
  });

  it('reads file references relative to the kubeconfig, as kubectl does', async () => {
    await writeFile(join(dir, 'ca.crt'), CA);
    await writeFile(join(dir, 'me.crt'), CERT);
    await writeFile(join(dir, 'me.key'), KEY);
    await writeFile(join(dir, 'token'), 'file-token\n');
    await writeFile(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: SERVER, 'certificate-authority': 'ca.crt' } }],
        users: [
          { name: 'cert', user: { 'client-certificate': 'me.crt', 'client-key': join(dir, 'me.key') } },
          { name: 'tok', user: { tokenFile: 'token' } },
        ],
        contexts: [
          { name: 'a', context: { cluster: 'c', user: 'cert' } },
          { name: 'b', context: { cluster: 'c', user: 'tok' } },
        ],
        'current-context': 'a',
      }),
    );
    expect(await loadRestConfig(path)).toMatchObject({
      certificateAuthority: CA,
      clientCertificate: CERT,
      clientKey: KEY,
    });
    expect(await loadRestConfig(path, 'b')).toMatchObject({ token: 'file-token' });
  });

  it('accepts the nulls Go writes for empty lists', () => {
    const config = parseKubeconfig(
      'apiVersion: v1\nkind: Config\nclusters: null\nusers: null\ncontexts: null\ncurrent-context: ""\npreferences: {}\n',
    );
    expect(config.clusters).toEqual([]);
    expect(parseKubeconfig('').contexts).toEqual([]);
  });

  it.each([
    ['a missing current context', emptyKubeconfig(), undefined, 'current-context is not set'],
    ['an unknown context', withAdmin(), 'nope', 'context "nope" does not exist'],
    [
      'a context naming an unknown cluster',
      setContext(withAdmin(), 'lost', { cluster: 'gone', user: LAB_ADMIN_USER }),
      'lost',
      'cluster "gone" does not exist',
    ],
  ])('reports %s', async (_, config, context, message) => {
    await expect(resolveRestConfig(config, { context })).rejects.toThrow(new KubeconfigError(message));
  });

  it('refuses credential plugins it cannot run', async () => {
    const config = parseKubeconfig(
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {exec: {command: x}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    await expect(resolveRestConfig(config)).rejects.toThrow(/plugin/);
  });

  it('reports malformed files with their name', () => {
    expect(() => parseKubeconfig('clusters: [oops', 'bad.yaml')).toThrow(/^bad\.yaml: not valid YAML/);
    expect(() => parseKubeconfig('kind: Pod', 'pod.yaml')).toThrow(/^pod\.yaml: /);
    expect(() => parseKubeconfig('contexts: [{name: x, context: {cluster: 1}}]', 'k')).toThrow(
      KubeconfigError,
    );
  });

  it('writes files that real kubectl reads', async () => {
    await writeKubeconfig(
      path,
      addLabCredentials(withAdmin(), {
        server: SERVER,
        caCertificate: CA,
        username: 'alice',
        credential: { token: 'secret-token' },
        namespace: 'dev',
      }),
    );
    const kubectl = (...args: string[]) =>
      run('kubectl', ['--kubeconfig', path, ...args], { env: { ...process.env, HOME: dir, KUBECONFIG: '' } });
    expect((await kubectl('config', 'current-context')).stdout.trim()).toBe('orch-lab');
    const contexts = (await kubectl('config', 'get-contexts', '-o', 'name')).stdout.trim().split('\n');
    expect(contexts).toEqual(['orch-lab', 'orch-lab-alice']);
    const view = JSON.parse(
      (await kubectl('config', 'view', '--raw', '--context', 'orch-lab-alice', '--minify', '-o', 'json'))
        .stdout,
    );
    expect(view.contexts[0].context).toEqual({ cluster: 'orch-lab', user: 'alice', namespace: 'dev' });
    expect(view.users[0].user.token).toBe('secret-token');
    expect(Buffer.from(view.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(CA);
  });
});
