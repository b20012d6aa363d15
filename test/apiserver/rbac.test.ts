import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/cli/commands/user.ts';
import { loadRestConfig, type RestConfig } from '../../src/cluster/client/kubeconfig.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab();
  // The same code path as `orch-lab user add alice --group dev`.
  await addUser({ home: lab.home, name: 'alice', groups: ['dev'] });
});

afterAll(async () => {
  await lab?.stop();
});

/** One HTTPS request as the context's user, or with no credentials at all when `anonymous`. */
async function send(
  rest: RestConfig,
  method: string,
  path: string,
  options: { anonymous?: boolean; body?: unknown } = {},
): Promise<{ code: number; body: unknown }> {
  const credentials = options.anonymous ? {} : { cert: rest.clientCertificate, key: rest.clientKey };
  const data = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${rest.server}${path}`,
      {
        method,
        ca: rest.certificateAuthority,
        ...credentials,
        headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const pod = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
});

describe('RBAC with real kubectl', () => {
  it('adds alice beside the admin without changing the current context', async () => {
    const contexts = await lab.kubectl(['config', 'get-contexts', '-o', 'name']);
    expect(contexts.stdout.split('\n').filter(Boolean).sort()).toEqual(['orch-lab', 'orch-lab-alice']);
    expect((await lab.kubectl(['config', 'current-context'])).stdout).toBe('orch-lab\n');
  });

  it('refuses alice until a RoleBinding grants her pods', async () => {
    const refused = await lab.kubectl(['--context', 'orch-lab-alice', 'get', 'pods']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"\n',
    );

    expect((await lab.kubectl(['create', '-f', '-'], { input: pod })).stdout).toBe('pod/web created\n');
    // Typed kubectl commands send their objects as protobuf.
    const role = await lab.kubectl([
      'create',
      'role',
      'pod-reader',
      '--verb=get',
      '--verb=list',
      '--verb=watch',
      '--resource=pods',
    ]);
    expect(role.stderr).toBe('');
    expect(role.stdout).toBe('role.rbac.authorization.k8s.io/pod-reader created\n');
    const binding = await lab.kubectl([
      'create',
      'rolebinding',
      'alice-reads-pods',
      '--role=pod-reader',
      '--user=alice',
    ]);
    expect(binding.stderr).toBe('');
    expect(binding.stdout).toBe('rolebinding.rbac.authorization.k8s.io/alice-reads-pods created\n');

    const allowed = await lab.kubectl(['--context', 'orch-lab-alice', 'get', 'pods', '-o', 'name']);
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toBe('pod/web\n');
  });

  it('keeps the grant to its namespace and its resources', async () => {
    const nodes = await lab.kubectl(['--context', 'orch-lab-alice', 'get', 'nodes']);
    expect(nodes.code).toBe(1);
    expect(nodes.stderr).toBe(
      'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope\n',
    );
    const system = await lab.kubectl(['--context', 'orch-lab-alice', 'get', 'pods', '-n', 'kube-system']);
    expect(system.stderr).toBe(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"\n',
    );
    const remove = await lab.kubectl(['--context', 'orch-lab-alice', 'delete', 'pod', 'web']);
    expect(remove.stderr).toBe(
      'Error from server (Forbidden): pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"\n',
    );
  });

  it('grants through the groups `user add --group` puts in the certificate', async () => {
    await addUser({ home: lab.home, name: 'bob', groups: ['auditors'] });
    const binding = JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'auditors-view' },
      subjects: [{ kind: 'Group', name: 'auditors', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
    });
    expect((await lab.kubectl(['create', '-f', '-'], { input: binding })).code).toBe(0);
    const pods = await lab.kubectl(['--context', 'orch-lab-bob', 'get', 'pods', '-A', '-o', 'name']);
    expect(pods.stderr).toBe('');
    expect(pods.stdout).toBe('pod/web\n');
  });

  it('answers kubectl auth can-i for the admin and alice', async () => {
    const canI = async (context: string, ...args: string[]) => {
      const { stdout, code } = await lab.kubectl(['--context', context, 'auth', 'can-i', ...args]);
      expect(code).toBe(stdout === 'yes\n' ? 0 : 1);
      return stdout.trim();
    };
    expect(await canI('orch-lab', '*', '*')).toBe('yes');
    expect(await canI('orch-lab', 'delete', 'nodes')).toBe('yes');
    expect(await canI('orch-lab-alice', 'list', 'pods')).toBe('yes');
    expect(await canI('orch-lab-alice', 'watch', 'pods', '--subresource=log')).toBe('no');
    expect(await canI('orch-lab-alice', 'delete', 'pods')).toBe('no');
    expect(await canI('orch-lab-alice', 'list', 'pods', '-n', 'kube-system')).toBe('no');
    expect(await canI('orch-lab-alice', 'list', 'nodes')).toBe('no');
  });

  it('lists what each user may do (kubectl auth can-i --list)', async () => {
    // The rows every authenticated user has (system:basic-user, system:discovery and
    // system:public-info-viewer, which both grant /healthz and friends), as a real cluster lists them.
    const everyone = [
      'selfsubjectreviews.authentication.k8s.io        []                  []               [create]',
      'selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]',
      'selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]',
      ...['/api/*', '/api', '/apis/*', '/apis', '/healthz', '/healthz', '/livez', '/livez', '/openapi/*']
        .concat(['/openapi', '/readyz', '/readyz', '/version/', '/version/', '/version', '/version'])
        .map((url) => `${''.padEnd(48)}${`[${url}]`.padEnd(20)}[]               [get]`),
    ];
    const header =
      'Resources                                       Non-Resource URLs   Resource Names   Verbs';
    const admin = await lab.kubectl(['auth', 'can-i', '--list', '-n', 'kube-system']);
    expect(admin.stdout.split('\n')).toEqual([
      header,
      '*.*                                             []                  []               [*]',
      '                                                [*]                 []               [*]',
      ...everyone,
      '',
    ]);
    // alice holds the pod-reader Role in default only.
    const alice = await lab.kubectl(['--context', 'orch-lab-alice', 'auth', 'can-i', '--list']);
    expect(alice.stderr).toBe('');
    expect(alice.stdout.split('\n')).toEqual([
      header,
      ...everyone.slice(0, 3),
      'pods                                            []                  []               [get list watch]',
      ...everyone.slice(3),
      '',
    ]);
    const elsewhere = await lab.kubectl([
      '--context',
      'orch-lab-alice',
      'auth',
      'can-i',
      '--list',
      '-n',
      'kube-system',
    ]);
    expect(elsewhere.stdout.split('\n')).toEqual([header, ...everyone, '']);
  });

  it('tells each user who the server takes them to be (kubectl auth whoami)', async () => {
    const alice = await lab.kubectl(['--context', 'orch-lab-alice', 'auth', 'whoami']);
    expect(alice.stderr).toBe('');
    expect(alice.stdout).toMatch(
      /^ATTRIBUTE\s+VALUE\nUsername\s+alice\nGroups\s+\[dev system:authenticated\]\nExtra: authentication\.kubernetes\.io\/credential-id\s+\[X509SHA256=[0-9a-f]{64}\]\n$/,
    );
    const asBob = await lab.kubectl(['auth', 'whoami', '--as', 'bob', '--as-group', 'dev']);
    expect(asBob.stdout).toBe('ATTRIBUTE   VALUE\nUsername    bob\nGroups      [dev system:authenticated]\n');
  });

  it('lets the admin act as alice with --as, and refuses alice acting as the admin', async () => {
    const asAlice = await lab.kubectl(['auth', 'can-i', 'list', 'nodes', '--as', 'alice']);
    expect(asAlice.stdout).toBe('no\n');
    const nodes = await lab.kubectl(['get', 'nodes', '--as', 'alice']);
    expect(nodes.stderr).toBe(
      'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope\n',
    );
    const escalate = await lab.kubectl([
      '--context',
      'orch-lab-alice',
      'get',
      'nodes',
      '--as',
      'orch-lab-admin',
    ]);
    expect(escalate.stderr).toBe(
      'Error from server (Forbidden): users "orch-lab-admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope\n',
    );
  });

  it('answers a SelfSubjectAccessReview posted as JSON', async () => {
    const alice = await loadRestConfig(lab.kubeconfig, 'orch-lab-alice');
    const spec = { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods', name: 'web' } };
    const review = await send(alice, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec },
    });
    expect(review).toEqual({
      code: 201,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec,
        status: {
          allowed: true,
          reason:
            'RBAC: allowed by RoleBinding "alice-reads-pods/default" of Role "pod-reader" to User "alice"',
        },
      },
    });
  });

  it('answers a request without credentials with a 401 Status', async () => {
    const rest = await loadRestConfig(lab.kubeconfig);
    expect(await send(rest, 'GET', '/api/v1/namespaces/default/pods', { anonymous: true })).toEqual({
      code: 401,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
    });
  });
});
