import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, literal, ok } from '../scenarios/steps.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// A process node whose pods containerd runs (node.json's containerRuntime), with real kubectl:
// the node agent starts a containerd of its own (root, state, socket and CNI bridge under the
// node's folder), the kubelet speaks CRI to it, and pods are OCI containers under runc, in a pause
// sandbox, on the bridge orchlab31 with IPs from 10.244.31.0/24. The images are the lab's own,
// built FROM scratch out of the host's busybox-static and imported at start: no registry.

const NODE = 'node-31';
/** Debian's docker-registry, on loopback, as kind's local-registry recipe runs one. */
const REGISTRY = '127.0.0.1:5000';
const BRIDGE = 'orchlab31';
let lab: TestLab;
let local: string;
const run = promisify(execFile);

const phase = (pod: string) => lab.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}']);
const running = (pod: string) =>
  eventually(async () => ((await phase(pod)).stdout === 'Running' ? true : undefined), 60_000);

/** The node's containerd and its shims: what the node's containers run under. */
async function nodeProcesses(): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  const socket = join(lab.home, 'nodes', NODE, 'runtime.sock');
  const config = join(lab.home, 'nodes', NODE, 'containerd', 'config.toml');
  return stdout.split('\n').filter((line) => line.includes(socket) || line.includes(config));
}

/** A registry of its own: plain HTTP on loopback, its storage in this test's folder. */
async function startRegistry() {
  const config = join(local, 'registry.yml');
  await writeFile(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(local, 'registry')}\nhttp:\n  addr: ${REGISTRY}\n`,
  );
  const registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await eventually(
    async () => ((await fetch(`http://${REGISTRY}/v2/`).catch(() => undefined))?.ok ? true : undefined),
    10_000,
  );
  return registry;
}

beforeAll(async () => {
  lab = await startTestLab({ nodes: { count: 1, firstNode: 31, containerRuntime: 'containerd' } });
  local = await mkdtemp(join(tmpdir(), 'orch-lab-containerd-'));
  ok(
    await lab.kubectl([
      'run',
      'box',
      '--image=busybox:1.35',
      '--restart=Never',
      '--',
      'sh',
      '-c',
      'echo started; exec httpd -f -p 8080 -h /tmp',
    ]),
  );
  await running('box');
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  if (local) await rm(local, { recursive: true, force: true });
}, 60_000);

describe('a containerd node', () => {
  it('reports containerd as its runtime, as kubectl get nodes -o wide shows it', async () => {
    const wide = ok(await lab.kubectl(['get', 'node', NODE, '-o', 'wide']));
    expect(wide).toMatch(/CONTAINER-RUNTIME\n/);
    expect(wide).toMatch(/ containerd:\/\/1\.6\.\S+\n$/);
  });

  it('runs a real busybox in namespaces of its own, its IP from the node pod CIDR on the bridge', async () => {
    const ip = ok(await lab.kubectl(['get', 'pod', 'box', '-o', 'jsonpath={.status.podIP}']));
    expect(ip).toMatch(/^10\.244\.31\.\d+$/);
    const { stdout: addresses } = await run('ip', ['-4', 'addr', 'show', BRIDGE]);
    expect(addresses).toContain('inet 10.244.31.1/24');
    // PID 1 is the container's own process; the hostname is the pod's; globs are busybox's sh.
    expect(ok(await lab.kubectl(['exec', 'box', '--', 'cat', '/proc/1/cmdline'])).split('\0')[0]).toBe(
      'httpd',
    );
    expect(ok(await lab.kubectl(['exec', 'box', '--', 'hostname']))).toBe('box\n');
    expect(ok(await lab.kubectl(['exec', 'box', '--', 'sh', '-c', 'echo /bin/*grep']))).toBe(
      '/bin/egrep /bin/fgrep /bin/grep\n',
    );
    // Its own server, reached at its pod IP from inside the pod.
    const fetched = await lab.kubectl([
      'exec',
      'box',
      '--',
      'sh',
      '-c',
      `echo hi > /tmp/hi.txt; wget -qO- http://${ip}:8080/hi.txt`,
    ]);
    expect(ok(fetched)).toBe('hi\n');
  });

  it('keeps container logs in CRI format under the pod log directory', async () => {
    expect(ok(await lab.kubectl(['logs', 'box']))).toBe('started\n');
    const uid = ok(await lab.kubectl(['get', 'pod', 'box', '-o', 'jsonpath={.metadata.uid}']));
    const dir = join(lab.home, 'nodes', NODE, 'pods', `default_box_${uid}`, 'box');
    expect(await readdir(dir)).toEqual(['0.log']);
    expect(await readFile(join(dir, '0.log'), 'utf8')).toMatch(/^\S+Z stdout F started\n$/);
  });

  it('gives a memory limit a real cgroup: over it the container is OOMKilled', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'hog',
            image: 'busybox:1.35',
            command: [
              'sh',
              '-c',
              'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us; x=a; while true; do x=$x$x; done',
            ],
            resources: { limits: { memory: '20Mi', cpu: '250m' } },
          },
        ],
      },
    };
    ok(await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) }));
    const terminated = await eventually(async () => {
      const state = await lab.kubectl([
        'get',
        'pod',
        'hog',
        '-o',
        'jsonpath={.status.containerStatuses[0].state.terminated}',
      ]);
      return state.stdout ? JSON.parse(state.stdout) : undefined;
    }, 60_000);
    expect(terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(terminated.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    // 250m of a 100 ms period: the CFS quota the kernel throttles the container to.
    expect(ok(await lab.kubectl(['logs', 'hog']))).toBe('25000\n');
  });

  it('refuses an image it does not have under pull policy Never, in the kubelet words', async () => {
    ok(
      await lab.kubectl([
        'run',
        'absent',
        '--image=busybox:0.1',
        '--restart=Never',
        '--image-pull-policy=Never',
      ]),
    );
    const waiting = await eventually(async () => {
      const out = await lab.kubectl([
        'get',
        'pod',
        'absent',
        '-o',
        'jsonpath={.status.containerStatuses[0].state.waiting}',
      ]);
      return out.stdout ? JSON.parse(out.stdout) : undefined;
    }, 30_000);
    expect(waiting).toEqual({
      reason: 'ErrImageNeverPull',
      message: 'Container image "busybox:0.1" is not present with pull policy of Never',
    });
  });

  it('copies files in and out, and forwards a port, through containerd streaming server', async () => {
    await writeFile(join(local, 'index.html'), 'served by busybox httpd\n');
    ok(await lab.kubectl(['cp', join(local, 'index.html'), 'box:/tmp/index.html']));
    ok(await lab.kubectl(['cp', 'box:/tmp/index.html', join(local, 'back.html')]));
    expect(await readFile(join(local, 'back.html'), 'utf8')).toBe('served by busybox httpd\n');
    const forward = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'port-forward', 'pod/box', ':8080']);
    try {
      let stdout = '';
      forward.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      const port = await eventually(async () => /127\.0\.0\.1:(\d+) -> 8080/.exec(stdout)?.[1], 20_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).toBe(
        'served by busybox httpd\n',
      );
    } finally {
      forward.kill();
    }
  });

  it('attaches to a container started with stdin', async () => {
    const result = await lab.kubectl(
      [
        'run',
        'cat',
        '--image=busybox:1.35',
        '--restart=Never',
        '-i',
        '--rm',
        '--quiet',
        '--',
        'sh',
        '-c',
        'read line; echo got $line',
      ],
      { input: 'hello\n' },
    );
    expect(ok(result)).toBe('got hello\n');
  });

  it('pulls from a registry on the host loopback over plain HTTP, and words a missing tag as containerd does', async () => {
    const registry = await startRegistry();
    try {
      // Publish busybox as team/app:v1 from the node's own containerd, then forget it there.
      const ctr = (...args: string[]) =>
        run('ctr', [
          '--address',
          join(lab.home, 'nodes', NODE, 'runtime.sock'),
          '-n',
          'k8s.io',
          'images',
          ...args,
        ]);
      await ctr('tag', 'docker.io/library/busybox:1.35', `${REGISTRY}/team/app:v1`);
      await ctr('push', '--plain-http', `${REGISTRY}/team/app:v1`);
      await ctr('rm', `${REGISTRY}/team/app:v1`);
      ok(
        await lab.kubectl([
          'run',
          'app',
          `--image=${REGISTRY}/team/app:v1`,
          '--restart=Never',
          '--',
          'sleep',
          '3600',
        ]),
      );
      await running('app');
      const events = ok(await lab.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=app']));
      expect(events).toMatch(
        new RegExp(`Successfully pulled image "${literal(REGISTRY)}/team/app:v1" in \\S+`),
      );
      ok(await lab.kubectl(['run', 'nope', `--image=${REGISTRY}/team/app:v2`, '--restart=Never']));
      const waiting = await eventually(async () => {
        const out = await lab.kubectl([
          'get',
          'pod',
          'nope',
          '-o',
          'jsonpath={.status.containerStatuses[0].state.waiting}',
        ]);
        const state = out.stdout ? JSON.parse(out.stdout) : undefined;
        return state?.reason === 'ErrImagePull' || state?.reason === 'ImagePullBackOff' ? state : undefined;
      }, 30_000);
      expect(waiting.message).toContain(
        `failed to pull and unpack image "${REGISTRY}/team/app:v2": failed to resolve reference "${REGISTRY}/team/app:v2": ${REGISTRY}/team/app:v2: not found`,
      );
    } finally {
      registry.kill();
    }
  });

  it('side-loads an image archive into every containerd node, as kind load does', async () => {
    const socket = join(lab.home, 'nodes', NODE, 'runtime.sock');
    const ctr = (...args: string[]) => run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', ...args]);
    const archive = join(local, 'loaded.tar');
    await ctr('tag', 'docker.io/library/busybox:1.35', 'docker.io/library/loaded:v1');
    await ctr('export', archive, 'docker.io/library/loaded:v1');
    await ctr('rm', 'docker.io/library/loaded:v1');
    expect(ok(await lab.orchLab(['image', 'load', archive]))).toBe(`${NODE}: loaded\n`);
    ok(await lab.kubectl(['run', 'loaded', '--image=loaded:v1', '--restart=Never', '--', 'sleep', '3600']));
    await running('loaded');
  });

  it('answers crictl and ctr run as on the node (orch-lab node exec)', async () => {
    const ps = ok(await lab.orchLab(['node', 'exec', NODE, '--', 'crictl', 'ps']));
    expect(ps).toMatch(/^CONTAINER +IMAGE +CREATED +STATE +NAME +ATTEMPT +POD ID +POD\n/);
    expect(ps).toMatch(/ Running +box +0 +[0-9a-f]{13} +box\n/);
    const images = ok(await lab.orchLab(['node', 'exec', NODE, '--', 'crictl', 'images']));
    expect(images).toMatch(/\ndocker\.io\/library\/busybox +1\.35 +[0-9a-f]{13} +2\.\d+MB\n/);
    expect(images).toMatch(/\nregistry\.k8s\.io\/pause +3\.9 /);
    const boxId = ok(
      await lab.kubectl(['get', 'pod', 'box', '-o', 'jsonpath={.status.containerStatuses[0].containerID}']),
    );
    const containers = ok(await lab.orchLab(['node', 'exec', NODE, '--', 'ctr', 'containers', 'ls']));
    expect(containers).toMatch(
      new RegExp(
        `\\n${boxId.replace('containerd://', '')}\\s+docker\\.io/library/busybox:1\\.35\\s+io\\.containerd\\.runc\\.v2\\s*\\n`,
      ),
    );
  });

  it('takes its containers with it when the node is killed, and runs pods again once started', async () => {
    expect((await nodeProcesses()).some((p) => p.includes('containerd-shim'))).toBe(true);
    ok(await lab.orchLab(['node', 'kill', NODE]));
    await eventually(async () => ((await nodeProcesses()).length === 0 ? true : undefined), 20_000);
    const { stdout: links } = await run('ip', ['link', 'show']);
    expect(links).not.toContain(BRIDGE);
    ok(await lab.orchLab(['node', 'start', NODE]));
    ok(await lab.kubectl(['run', 'again', '--image=busybox:1.35', '--restart=Never', '--', 'sleep', '3600']));
    await running('again');
    expect(ok(await lab.kubectl(['exec', 'again', '--', 'hostname']))).toBe('again\n');
  });
});
