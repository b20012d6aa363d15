import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/cluster/api/coordination/lease.ts';
import type { Node } from '../../src/cluster/api/core/node.ts';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { ProcessRuntime } from '../../src/cluster/runtime/process-runtime.ts';
import { eventually, type KubeletLab, podManifest, startKubeletLab } from './harness.ts';
import { kubeletExec, kubeletGet } from './kubelet-api.ts';

/**
 * The kubelet with the lab's real runtime against a real control plane, judged by real kubectl:
 * node registration and heartbeats, pods with processes, pod IPs, probes, back-off, admission,
 * graceful deletion, and the kubelet server's logs and exec.
 */
describe('kubelet', () => {
  let k: KubeletLab;
  let base: string;
  const create = async (name: string, spec: Record<string, unknown>) => {
    const result = await k.lab.kubectl(['create', '-f', '-'], { input: podManifest(name, k.nodeName, spec) });
    expect(result.stderr).toBe('');
  };
  const pod = (name: string) => k.kubectlJson<Pod>(['get', 'pod', name]);
  const until = <T>(name: string, test: (p: Pod) => T | undefined) =>
    eventually(async () => test(await pod(name)), 20_000);
  const running = (name: string) =>
    until(name, (p) => (p.status?.containerStatuses?.every((c) => c.ready) ? p : undefined));
  const events = async (name: string) =>
    (
      await k.kubectlJson<{ items: { reason: string; message: string; type: string }[] }>([
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${name}`,
      ])
    ).items;
  const exec = (podName: string, container: string, command: string[], stdin?: string) => {
    const query = new URLSearchParams([
      ...command.map((c): [string, string] => ['command', c]),
      ['stdout', '1'],
      ['stderr', '1'],
    ]);
    if (stdin !== undefined) query.set('stdin', '1');
    return kubeletExec(
      `wss://${k.nodeIP}:${k.kubelet.port}/exec/default/${podName}/${container}?${query}`,
      k.masters,
      {
        stdin,
      },
    );
  };

  beforeAll(async () => {
    const runtime = new ProcessRuntime({
      rootDir: join(tmpdir(), `orch-lab-kubelet-runtime-${process.pid}`),
      podCIDR: '127.244.9.0/24',
      // Shared between runs: bundling the images is the slow part of a first start.
      imageCacheDir: join(tmpdir(), 'orch-lab-test-images'),
    });
    k = await startKubeletLab(Object.assign(runtime, { stopAll: () => runtime.shutdown() }), runtime);
    base = `https://${k.nodeIP}:${k.kubelet.port}`;
  }, 60_000);
  afterAll(async () => {
    await k?.stop();
  });

  it('registers its node, turns it Ready and renews its lease', async () => {
    const node = await eventually(async () => {
      const n = await k.kubectlJson<Node>(['get', 'node', k.nodeName]);
      return n.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': k.nodeName,
      'kubernetes.io/os': 'linux',
      'orch-lab.dev/test': 'true',
    });
    expect(node.spec.podCIDR).toBe('127.244.9.0/24');
    expect(node.status.addresses).toEqual([
      { type: 'InternalIP', address: k.nodeIP },
      { type: 'Hostname', address: k.nodeName },
    ]);
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBe(k.kubelet.port);
    expect(node.status.nodeInfo?.kubeletVersion).toMatch(/^v1\.32\./);
    expect(node.status.nodeInfo?.containerRuntimeVersion).toMatch(/^orch-lab:\/\/\d/);
    expect(node.status.capacity).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
    expect(node.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    });
    expect(node.status.conditions?.find((c) => c.type === 'MemoryPressure')).toMatchObject({
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
    });
    const table = await k.lab.kubectl(['get', 'node', k.nodeName]);
    expect(table.stdout).toMatch(new RegExp(`${k.nodeName}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.`));

    const lease = () => k.kubectlJson<Lease>(['get', 'lease', '-n', 'kube-node-lease', k.nodeName]);
    const first = await eventually(lease);
    expect(first.spec).toMatchObject({ holderIdentity: k.nodeName, leaseDurationSeconds: 40 });
    await eventually(async () =>
      (await lease()).spec.renewTime !== first.spec.renewTime ? true : undefined,
    );
    const reasons = (await events(k.nodeName)).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Starting', 'NodeHasSufficientMemory', 'NodeReady']));
  });

  it('runs nginx: status as the kubelet reports it, and it answers at the pod IP', async () => {
    await create('web', { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] });
    const p = await running('web');
    expect(p.status?.phase).toBe('Running');
    expect(p.status?.hostIP).toBe(k.nodeIP);
    expect(p.status?.podIPs).toEqual([{ ip: p.status?.podIP }]);
    expect(p.status?.podIP).toMatch(/^127\.244\.9\./);
    expect(p.status?.qosClass).toBe('BestEffort');
    expect(p.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
    const cs = p.status?.containerStatuses?.[0];
    expect(cs).toMatchObject({ name: 'web', image: 'nginx', restartCount: 0, started: true, ready: true });
    expect(cs?.containerID).toMatch(/^orch-lab:\/\/\S+/);
    expect(cs?.imageID).toMatch(/sha256:/);
    const answer = await fetch(`http://${p.status?.podIP}:80/`);
    expect(await answer.text()).toContain('Welcome to nginx!');
    expect((await k.lab.kubectl(['get', 'pod', 'web'])).stdout).toMatch(/web\s+1\/1\s+Running\s+0/);
    const pulled = (await events('web')).find((e) => e.reason === 'Pulled' || e.reason === 'Pulling');
    expect(pulled).toBeDefined();
    const reasons = (await events('web')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Created', 'Started']));
  }, 30_000);

  it('serves logs and exec over its HTTPS API to system:masters only', async () => {
    await running('web');
    const logs = await kubeletGet(`${base}/containerLogs/default/web/web`, k.masters);
    expect(logs.code).toBe(200);
    expect(logs.body).toContain('Configuration complete; ready for start up');
    const tail = await kubeletGet(`${base}/containerLogs/default/web/web?tailLines=1`, k.masters);
    expect(tail.body.trim().split('\n')).toHaveLength(1);

    const echo = await exec('web', 'web', ['cat'], 'hello from stdin\n');
    expect(echo.protocol).toBe('v5.channel.k8s.io');
    expect(echo.stdout).toBe('hello from stdin\n');
    expect(echo.status.status).toBe('Success');
    const failing = await exec('web', 'web', ['sh', '-c', 'echo oops >&2; exit 3']);
    expect(failing.stderr).toBe('oops\n');
    expect(failing.status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    const v4 = await kubeletExec(
      `wss://${k.nodeIP}:${k.kubelet.port}/exec/default/web/web?command=hostname&stdout=1`,
      k.masters,
      { protocols: ['v4.channel.k8s.io'] },
    );
    expect(v4).toMatchObject({ protocol: 'v4.channel.k8s.io', stdout: 'web\n' });

    // The same through the API server, as a learner runs them.
    expect((await k.lab.kubectl(['logs', 'web', '--tail=1'])).stdout).toBe(tail.body);
    const viaApi = await k.lab.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo $HOSTNAME']);
    expect(viaApi.stdout).toBe('web\n');

    const healthz = await kubeletGet(`${base}/healthz`, k.masters);
    expect(healthz).toEqual({ code: 200, body: 'ok' });
    const list = JSON.parse((await kubeletGet(`${base}/pods`, k.masters)).body);
    expect(list.kind).toBe('PodList');
    expect(list.items.map((i: Pod) => i.metadata.name)).toContain('web');
    const post = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ request }) =>
        request(`${base}/exec/default/web/web?command=ls`, { method: 'POST', ...k.masters }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
    });
    expect(post).toBe(400);
    const node = await k.pki.issueClientCertificate({
      commonName: 'system:node:other',
      organizations: ['system:nodes'],
    });
    const forbidden = await kubeletGet(`${base}/pods`, { ...node, ca: k.masters.ca });
    expect(forbidden.code).toBe(403);
    expect(forbidden.body).toContain('Forbidden (user=system:node:other, verb=get, resource=nodes');
  }, 30_000);

  it('gives containers env, ConfigMap and Secret values, and shared volumes', async () => {
    await k.lab.kubectl([
      'create',
      'configmap',
      'app-config',
      '--from-literal=color=blue',
      '--from-literal=size=large',
    ]);
    await k.lab.kubectl(['create', 'secret', 'generic', 'app-secret', '--from-literal=password=s3cret']);
    await create('envy', {
      volumes: [
        { name: 'config', configMap: { name: 'app-config' } },
        { name: 'secret', secret: { secretName: 'app-secret' } },
        { name: 'shared', emptyDir: {} },
      ],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sleep', '3600'],
          resources: { limits: { memory: '64Mi' } },
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'MESSAGE', value: '$(GREETING) world' },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'color' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
            {
              name: 'MEMORY_LIMIT',
              valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
            },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app-config' } }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/config' },
            { name: 'secret', mountPath: '/etc/secret', readOnly: true },
            { name: 'shared', mountPath: '/data' },
          ],
        },
        {
          name: 'writer',
          image: 'busybox',
          command: ['sh', '-c', 'echo written-by-writer > /data/note; sleep 3600'],
          volumeMounts: [{ name: 'shared', mountPath: '/data' }],
        },
      ],
    });
    const p = await running('envy');
    const env = (await exec('envy', 'main', ['env'])).stdout;
    expect(env).toContain('MESSAGE=hello world\n');
    expect(env).toContain(`POD_IP=${p.status?.podIP}\n`);
    expect(env).toContain('POD_NAME=envy\n');
    expect(env).toContain('COLOR=blue\n');
    expect(env).toContain('PASSWORD=s3cret\n');
    expect(env).toContain('MEMORY_LIMIT=64\n');
    expect(env).toContain('CFG_size=large\n');
    expect((await exec('envy', 'main', ['cat', '/etc/config/color'])).stdout).toBe('blue');
    expect((await exec('envy', 'main', ['cat', '/etc/secret/password'])).stdout).toBe('s3cret');
    await eventually(async () => {
      const note = await exec('envy', 'main', ['cat', '/data/note']);
      return note.stdout === 'written-by-writer\n' ? true : undefined;
    });
  }, 30_000);

  it('restarts a crashing container with CrashLoopBackOff and a growing back-off', async () => {
    await create('crash', {
      containers: [
        { name: 'crash', image: 'crasher', command: ['crasher', '--exit-code', '2', '--after', '0.1s'] },
      ],
    });
    const waiting = await until('crash', (p) => {
      const w = p.status?.containerStatuses?.[0]?.state.waiting;
      return w?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    const cs = waiting.status?.containerStatuses?.[0];
    expect(cs?.state.waiting?.message).toBe(
      `back-off 500ms restarting failed container=crash pod=crash_default(${waiting.metadata.uid})`,
    );
    expect(cs?.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(waiting.status?.phase).toBe('Running');
    const later = await until('crash', (p) => {
      const w = p.status?.containerStatuses?.[0]?.state.waiting;
      return w?.message?.startsWith('back-off 1s ') ? p : undefined;
    });
    expect(later.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(2);
    const backOff = (await events('crash')).find((e) => e.reason === 'BackOff');
    expect(backOff?.message).toBe(
      `Back-off restarting failed container crash in pod crash_default(${waiting.metadata.uid})`,
    );
    const previous = await kubeletGet(`${base}/containerLogs/default/crash/crash?previous=true`, k.masters);
    expect(previous.body).toContain('crasher: exiting with code 2');
  }, 30_000);

  it('reports ErrImagePull, then ImagePullBackOff, for an image the lab does not have', async () => {
    await create('typo', { containers: [{ name: 'typo', image: 'nginxx' }] });
    const waiting = await until('typo', (p) => {
      const w = p.status?.containerStatuses?.[0]?.state.waiting;
      return w?.reason === 'ImagePullBackOff' ? w : undefined;
    });
    expect(waiting.message).toMatch(/^Back-off pulling image "nginxx": ErrImagePull: .*nginx/);
    const failed = (await events('typo')).filter((e) => e.reason === 'Failed').map((e) => e.message);
    expect(failed.some((m) => m.startsWith('Failed to pull image "nginxx"') && m.includes('nginx'))).toBe(
      true,
    );
    expect(failed).toEqual(expect.arrayContaining(['Error: ErrImagePull', 'Error: ImagePullBackOff']));
    const logs = await kubeletGet(`${base}/containerLogs/default/typo/typo`, k.masters);
    expect(logs.code).toBe(400);
    expect(logs.body.trim()).toBe(
      'container "typo" in pod "typo" is waiting to start: trying and failing to pull image',
    );
  }, 30_000);

  it('reports a container over its memory limit as OOMKilled', async () => {
    await create('hog', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'hog',
          image: 'stress',
          command: ['stress', '--vm', '1', '--vm-bytes', '200M', '--vm-hang', '0'],
          resources: { limits: { memory: '50Mi' } },
        },
      ],
    });
    const p = await until('hog', (p) => (p.status?.phase === 'Failed' ? p : undefined));
    expect(p.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
    });
  }, 30_000);

  it('restarts a container whose liveness probe fails', async () => {
    await create('sick', {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          // nginx's default site has no /healthz: every probe after the first second answers 404.
          livenessProbe: {
            httpGet: { path: '/healthz', port: 80 },
            initialDelaySeconds: 1,
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      ],
    });
    await until('sick', (p) => ((p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined));
    const all = await events('sick');
    expect(all.find((e) => e.reason === 'Unhealthy')?.message).toBe(
      'Liveness probe failed: HTTP probe failed with statuscode: 404',
    );
    expect(all.find((e) => e.reason === 'Killing')?.message).toBe(
      'Container web failed liveness probe, will be restarted',
    );
  }, 30_000);

  it('flips Ready with the readiness probe', async () => {
    await create('gate', {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sleep', '3600'],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        },
      ],
    });
    const unready = await until('gate', (p) =>
      p.status?.containerStatuses?.[0]?.state.running ? p : undefined,
    );
    expect(unready.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [main]',
    });
    await exec('gate', 'main', ['touch', '/tmp/ready']);
    const ready = await until('gate', (p) =>
      p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined,
    );
    expect(ready.status?.containerStatuses?.[0]?.ready).toBe(true);
  }, 30_000);

  it('runs init containers in order, then the app, to Succeeded', async () => {
    await create('job', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo init done'] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo main done'] }],
    });
    const p = await until('job', (p) => (p.status?.phase === 'Succeeded' ? p : undefined));
    expect(p.status?.initContainerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(p.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    expect((await k.lab.kubectl(['logs', 'job', '-c', 'main'])).code).toBeDefined();
  }, 30_000);

  it('rejects a pod that does not fit the node with OutOfcpu', async () => {
    await create('big', {
      containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '3' } } }],
    });
    const p = await until('big', (p) => (p.status?.phase === 'Failed' ? p : undefined));
    expect(p.status?.reason).toBe('OutOfcpu');
    expect(p.status?.message).toBe(
      "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000",
    );
  });

  it('stops a deleted pod gracefully, then removes the object', async () => {
    const p = await running('web');
    const result = await k.lab.kubectl(['delete', 'pod', 'web', '--timeout=20s']);
    expect(result.stdout).toContain('pod "web" deleted');
    expect((await k.lab.kubectl(['get', 'pod', 'web'])).stderr).toContain('NotFound');
    expect((await events('web')).find((e) => e.reason === 'Killing')?.message).toBe('Stopping container web');
    await expect(fetch(`http://${p.status?.podIP}:80/`)).rejects.toThrow();
  }, 30_000);

  it('kills the containers of a pod removed by force, and orphans it finds after a restart', async () => {
    const podIP = async (name: string) => (await running(name)).status?.podIP;
    await create('forced', { containers: [{ name: 'web', image: 'nginx' }] });
    const forcedIP = await podIP('forced');
    await k.lab.kubectl(['delete', 'pod', 'forced', '--force', '--grace-period=0']);
    await eventually(() =>
      fetch(`http://${forcedIP}:80/`).then(
        () => undefined,
        () => true,
      ),
    );

    await create('orphan', { containers: [{ name: 'web', image: 'nginx' }] });
    const orphanIP = await podIP('orphan');
    await k.kubelet.stop();
    await k.lab.kubectl(['delete', 'pod', 'orphan', '--force', '--grace-period=0']);
    expect((await fetch(`http://${orphanIP}:80/`)).status).toBe(200);
    await k.restartKubelet();
    await eventually(() =>
      fetch(`http://${orphanIP}:80/`).then(
        () => undefined,
        () => true,
      ),
    );
  }, 30_000);
});
