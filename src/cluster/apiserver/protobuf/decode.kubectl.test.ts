// Real kubectl against a recording HTTPS server: each case captures the protobuf body kubectl sends,
// decodes it, and compares it with the JSON kubectl prints for the same command with
// `--dry-run=client -o json` (the object it would have sent), byte for byte, key order included.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterPki } from '../../pki/pki.ts';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './decode.ts';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What the recorder answers besides echoing writes: just enough discovery for kubectl's mapper. */
const ROUTES: Record<string, unknown> = {
  'GET /version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  'GET /api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  'GET /api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'get', 'list'] },
      { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get'] },
    ],
  },
  'GET /apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'apps',
        versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      },
    ],
  },
  'GET /apis/apps/v1': {
    kind: 'APIResourceList',
    groupVersion: 'apps/v1',
    resources: [
      {
        name: 'deployments',
        singularName: 'deployment',
        namespaced: true,
        kind: 'Deployment',
        verbs: ['get'],
      },
      {
        name: 'deployments/scale',
        singularName: '',
        namespaced: true,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'update'],
      },
    ],
  },
  'GET /apis/apps/v1/namespaces/default/deployments/web': {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', namespace: 'default', uid: 'd0c1a5e2-0000-4000-8000-000000000001' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
      },
    },
  },
};

let dir: string;
let server: Server;
let kubeconfig: string;
let tls: { cert: string; key: string };
const recorded: Recorded[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orch-lab-protobuf-'));
  const pki = await ClusterPki.open({ dir: join(dir, 'pki') });
  tls = await pki.ensureServingCertificate();
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const answer = (code: number, obj: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const route = ROUTES[`${req.method} ${path}`];
      if (route) return answer(200, route);
      if (req.method === 'POST' || req.method === 'PUT') {
        const body = Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        recorded.push({ method: req.method, path, contentType, body });
        if (contentType !== KUBERNETES_PROTOBUF) return answer(201, JSON.parse(body.toString('utf8')));
        return answer(201, answerTo(decodeKubernetesProtobuf(body) as Record<string, unknown>));
      }
      answer(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'recorder',
          cluster: {
            server: `https://127.0.0.1:${port}`,
            'certificate-authority-data': Buffer.from(pki.caCertificate).toString('base64'),
          },
        },
      ],
      users: [{ name: 'tester', user: { token: 'test-token' } }],
      contexts: [
        { name: 'recorder', context: { cluster: 'recorder', user: 'tester', namespace: 'default' } },
      ],
      'current-context': 'recorder',
    }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The echo kubectl needs to be content: reviews get an answer, a token request gets a token. */
function answerTo(obj: Record<string, unknown>): Record<string, unknown> {
  if (obj.kind === 'SelfSubjectAccessReview') return { ...obj, status: { allowed: true } };
  if (obj.kind === 'TokenRequest') {
    return { ...obj, status: { token: 'abc', expirationTimestamp: '2030-01-01T00:00:00Z' } };
  }
  if (obj.kind === 'SelfSubjectReview') return { ...obj, status: { userInfo: { username: 'tester' } } };
  return obj;
}

function kubectl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** Runs kubectl and gives the one write it made, which must be protobuf. */
async function sentBy(args: readonly string[]): Promise<Recorded> {
  const before = recorded.length;
  const run = await kubectl(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const writes = recorded.slice(before);
  expect(writes).toHaveLength(1);
  expect(writes[0]!.contentType).toBe(KUBERNETES_PROTOBUF);
  return writes[0]!;
}

/** `--dry-run=client -o json` goes before a `--` that starts a container command. */
function dryRun(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  const flags = ['--dry-run=client', '-o', 'json'];
  return end < 0 ? [...args, ...flags] : [...args.slice(0, end), ...flags, ...args.slice(end)];
}

const CREATES: readonly (readonly string[])[] = [
  ['create', 'configmap', 'settings', '--from-literal=color=blue', '--from-literal=size=L'],
  ['create', 'secret', 'generic', 's', '--from-literal=k=v', '--type=Opaque'],
  [
    'create',
    'secret',
    'docker-registry',
    'reg',
    '--docker-server=r.example',
    '--docker-username=u',
    '--docker-password=p',
  ],
  ['create', 'namespace', 'team-a'],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'],
  ['create', 'deployment', 'idle', '--image=nginx', '--replicas=0'],
  ['create', 'service', 'nodeport', 'web', '--tcp=80:8080'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None', '--tcp=443:8443'],
  ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
  ['create', 'service', 'loadbalancer', 'lb', '--tcp=80'],
  ['create', 'serviceaccount', 'robot'],
  [
    'create',
    'role',
    'reader',
    '--verb=get',
    '--verb=list',
    '--resource=pods',
    '--resource=configmaps',
    '--resource-name=x',
  ],
  [
    'create',
    'rolebinding',
    'rb',
    '--role=reader',
    '--user=alice',
    '--serviceaccount=default:robot',
    '--group=devs',
  ],
  ['create', 'clusterrole', 'logs', '--verb=get', '--non-resource-url=/logs'],
  ['create', 'clusterrole', 'aggregate', '--aggregation-rule=rbac.example.com/aggregate=true'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=logs', '--user=bob'],
  ['create', 'quota', 'q', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=NotTerminating'],
  ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%'],
  ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'],
  ['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'],
  ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
  [
    'create',
    'ingress',
    'ing',
    '--rule=foo.com/bar*=svc:8080,tls=my-cert',
    '--class=nginx',
    '--annotation=a=b',
  ],
  ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'],
];

describe('protobuf bodies from real kubectl', () => {
  it.each(CREATES.map((args) => [args.join(' '), args] as const))('%s', async (_name, args) => {
    const sent = await sentBy(args);
    const dry = await kubectl(dryRun(args));
    expect(dry.code).toBe(0);
    const expected = JSON.parse(dry.stdout) as unknown;
    const decoded = decodeKubernetesProtobuf(sent.body);
    expect(decoded).toEqual(expected);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(expected));
  });

  it('decodes the bytes of a TLS secret as base64', async () => {
    const [cert, key] = [join(dir, 'pki', 'apiserver.crt'), join(dir, 'pki', 'apiserver.key')];
    const args = ['create', 'secret', 'tls', 'web-tls', `--cert=${cert}`, `--key=${key}`];
    const decoded = decodeKubernetesProtobuf((await sentBy(args)).body) as { data: Record<string, string> };
    expect(Buffer.from(decoded.data['tls.crt']!, 'base64').toString()).toBe(tls.cert);
    expect(Buffer.from(decoded.data['tls.key']!, 'base64').toString()).toBe(tls.key);
    expect(decoded).toEqual(JSON.parse((await kubectl(dryRun(args))).stdout));
  });

  it('decodes kubectl auth can-i as a SelfSubjectAccessReview', async () => {
    const before = recorded.length;
    const run = await kubectl(['auth', 'can-i', 'list', 'pods']);
    expect(run.stdout).toBe('yes\n');
    const writes = recorded.slice(before);
    expect(writes.map((w) => [w.path, w.contentType])).toEqual([
      ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', KUBERNETES_PROTOBUF],
    ]);
    expect(JSON.stringify(decodeKubernetesProtobuf(writes[0]!.body))).toBe(
      JSON.stringify({
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
        status: { allowed: false },
      }),
    );
  });

  it('decodes kubectl auth can-i --list as a SelfSubjectRulesReview', async () => {
    const sent = await sentBy(['auth', 'can-i', '--list']);
    expect(sent.path).toBe('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews');
    expect(decodeKubernetesProtobuf(sent.body)).toEqual({
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'default' },
      status: { resourceRules: null, nonResourceRules: null, incomplete: false },
    });
  });

  it('decodes kubectl create token as a TokenRequest', async () => {
    const sent = await sentBy(['create', 'token', 'robot', '--duration=10m']);
    expect(sent.path).toBe('/api/v1/namespaces/default/serviceaccounts/robot/token');
    expect(decodeKubernetesProtobuf(sent.body)).toEqual({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { audiences: null, expirationSeconds: 600, boundObjectRef: null },
      status: { token: '', expirationTimestamp: null },
    });
  });

  it('decodes kubectl auth whoami as a SelfSubjectReview', async () => {
    const sent = await sentBy(['auth', 'whoami']);
    expect(decodeKubernetesProtobuf(sent.body)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
  });
});
