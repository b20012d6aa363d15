import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubectlResult, startTestLab, type TestLab } from '../support/lab.ts';

// Issue 4's walk through a three-node lab: the control plane in this process, three real node
// agent processes (kubelet and process runtime each), and real kubectl for every step.
// Nodes 4 to 6 (127.100.0.4-6): the CLI test in this folder uses node 1.

let lab: TestLab;
const kubectl = (...args: string[]) => lab.kubectl(args);

/** Polls `check` until it returns a value, for at most `timeoutMs`; the last value explains a failure. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const jsonpath = async (kind: string, name: string, path: string) =>
  (await kubectl('get', kind, name, '-o', `jsonpath={${path}}`)).stdout;

/** Waits for the pod's phase; a failure names the phase, reason and message it had instead. */
async function waitForPhase(name: string, phase: string, timeoutMs = 20_000): Promise<void> {
  let last = '';
  await eventually(async () => {
    const template = '{.status.phase}/{.status.reason}/{.status.message}';
    last = (await kubectl('get', 'pod', name, '-o', `jsonpath=${template}`)).stdout;
    return last.startsWith(`${phase}/`) ? true : undefined;
  }, timeoutMs).catch(() => {
    throw new Error(`pod ${name} is not ${phase} but ${last}`);
  });
}

/** The reason a container is waiting for (or terminated with last), once it is one of `reasons`. */
async function waitForReason(
  pod: string,
  field: string,
  reasons: string[],
  timeoutMs = 40_000,
): Promise<string> {
  return eventually(async () => {
    const reason = await jsonpath('pod', pod, `.status.containerStatuses[0].${field}.reason`);
    return reasons.includes(reason) ? reason : undefined;
  }, timeoutMs);
}

const ok = (result: KubectlResult) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
};

beforeAll(async () => {
  lab = await startTestLab({ nodes: { count: 3, firstNode: 4 } });
}, 60_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('a pod on a process node', () => {
  let podIP = '';

  it('runs nginx and reports its IP and node', async () => {
    expect(ok(await kubectl('run', 'nginx', '--image', 'nginx'))).toBe('pod/nginx created\n');
    await waitForPhase('nginx', 'Running');
    const wide = ok(await kubectl('get', 'pods', '-o', 'wide'));
    const row = wide.split('\n').find((line) => line.startsWith('nginx '));
    expect(row).toMatch(/^nginx\s+1\/1\s+Running\s+0\s+\S+\s+127\.244\.[4-6]\.\d+\s+node-[4-6]\s/);
    podIP = await jsonpath('pod', 'nginx', '.status.podIP');
  });

  it('serves the nginx page on the pod IP, and logs the request', async () => {
    const page = await (await fetch(`http://${podIP}/`)).text();
    expect(page).toContain('<title>Welcome to nginx!</title>');
    const logs = await eventually(async () => {
      const out = ok(await kubectl('logs', 'nginx'));
      return /"GET \/ HTTP\/1\.1" 200/.test(out) ? out : undefined;
    }, 10_000);
    expect(logs).toMatch(/"GET \/ HTTP\/1\.1" 200/);
  });

  it('streams the log with kubectl logs -f', async () => {
    const follow = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'logs', '-f', '--tail', '0', 'nginx']);
    let streamed = '';
    follow.stdout.on('data', (chunk) => {
      streamed += chunk;
    });
    try {
      // Requests keep coming until one shows up in the stream: the first may precede the stream.
      await eventually(async () => {
        await fetch(`http://${podIP}/?followed`);
        return streamed.includes('"GET /?followed HTTP/1.1" 200') ? true : undefined;
      }, 10_000);
    } finally {
      follow.kill();
    }
  });

  it('runs a command in the container with kubectl exec', async () => {
    expect(ok(await kubectl('exec', 'nginx', '--', 'ls', '/usr/share/nginx/html'))).toContain('index.html');
    const failing = await kubectl('exec', 'nginx', '--', 'sh', '-c', 'exit 3');
    expect(failing.code).toBe(3);
    expect(failing.stderr).toContain('command terminated with exit code 3');
    // The audit log records the switch of protocols, once the connection has closed.
    const audit = await readFile(join(lab.home, 'audit.log'), 'utf8');
    const execs = audit
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { requestURI: string; responseStatus: { code: number } })
      .filter((event) => event.requestURI.startsWith('/api/v1/namespaces/default/pods/nginx/exec?'));
    expect(execs.map((event) => event.responseStatus.code)).toEqual([101, 101]);
  });

  it('gives kubectl exec -it a terminal', async () => {
    const output = await inTerminal(
      ['kubectl', '--kubeconfig', lab.kubeconfig, 'exec', '-it', 'nginx', '--', 'sh'],
      ['echo hi-from-$((40 + 2))\r', 'exit\r'],
    );
    expect(output).toContain('hi-from-42');
  });

  it('describes the pod with its events in order', async () => {
    const describe = ok(await kubectl('describe', 'pod', 'nginx'));
    const events = describe.slice(describe.indexOf('Events:'));
    const order = ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'].map((reason) =>
      events.search(new RegExp(`\\s${reason}\\s`)),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('deletes the pod gracefully, stopping its process', async () => {
    expect(ok(await kubectl('delete', 'pod', 'nginx'))).toBe('pod "nginx" deleted\n');
    await expect(fetch(`http://${podIP}/`)).rejects.toThrow();
  });
});

describe('nodes as kubectl sees them', () => {
  it('lists the nodes Ready with their addresses and version', async () => {
    const rows = ok(await kubectl('get', 'nodes', '-o', 'wide'))
      .trim()
      .split('\n')
      .slice(1);
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatch(
        new RegExp(
          `^node-${i + 4}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.\\d+\\S*\\s+127\\.100\\.0\\.${i + 4}\\s`,
        ),
      );
    }
  });

  it('describes a node with its allocated resources', async () => {
    const describe = ok(await kubectl('describe', 'node', 'node-4'));
    expect(describe).toContain('Allocated resources:');
    expect(describe).toMatch(/PodCIDR:\s+127\.244\.4\.0\/24/);
  });

  it('cordons, uncordons and drains a node', async () => {
    ok(await kubectl('cordon', 'node-5'));
    expect(ok(await kubectl('get', 'node', 'node-5'))).toContain('Ready,SchedulingDisabled');
    await applyPod({ name: 'pinned', nodeSelector: { 'kubernetes.io/hostname': 'node-5' } });
    await eventually(async () =>
      (await jsonpath('pod', 'pinned', '.status.conditions[0].reason')) === 'Unschedulable'
        ? true
        : undefined,
    );
    ok(await kubectl('uncordon', 'node-5'));
    await waitForPhase('pinned', 'Running');
    // busybox's sleep, as PID 1, ignores SIGTERM: without a short grace period drain waits 30 s.
    const drain = await kubectl('drain', 'node-5', '--ignore-daemonsets', '--force', '--grace-period', '1');
    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain('pod/pinned evicted');
    expect(drain.stdout).toContain('node/node-5 drained');
    ok(await kubectl('uncordon', 'node-5'));
    // The node lifecycle controller takes its unschedulable taint off soon after.
    await eventually(async () =>
      ['', '[]'].includes(await jsonpath('node', 'node-5', '.spec.taints')) ? true : undefined,
    );
  });

  it('keeps a pod Pending until a node gets the label it selects', async () => {
    await applyPod({ name: 'wants-ssd', nodeSelector: { disk: 'ssd' } });
    const message = await eventually(async () => {
      const text = await jsonpath('pod', 'wants-ssd', '.status.conditions[0].message');
      return text || undefined;
    });
    expect(message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    ok(await kubectl('label', 'node', 'node-6', 'disk=ssd'));
    await waitForPhase('wants-ssd', 'Running');
    expect(await jsonpath('pod', 'wants-ssd', '.spec.nodeName')).toBe('node-6');
  });
});

describe('pods that fail', () => {
  it('reports an image the lab does not have', async () => {
    ok(await kubectl('run', 'ghost', '--image', 'no-such-image'));
    await waitForReason('ghost', 'state.waiting', ['ErrImagePull', 'ImagePullBackOff']);
    const events = ok(await kubectl('get', 'events', '--field-selector', 'involvedObject.name=ghost'));
    expect(events).toMatch(/Failed\s+pod\/ghost\s+.*no-such-image/);
    expect(events).toContain('nginx');
    expect(events).toContain('busybox');
  });

  it('backs off a crashing container', async () => {
    ok(await kubectl('run', 'crash', '--image', 'crasher', '--', '--after', '0.1s'));
    await waitForReason('crash', 'state.waiting', ['CrashLoopBackOff']);
    expect(
      Number(await jsonpath('pod', 'crash', '.status.containerStatuses[0].restartCount')),
    ).toBeGreaterThan(0);
  });

  it('kills a container over its memory limit', async () => {
    await applyPod({
      name: 'hog',
      containers: [
        {
          name: 'hog',
          image: 'stress',
          args: ['--vm', '1', '--vm-bytes', '150M', '--vm-hang', '0'],
          resources: { limits: { memory: '64Mi' } },
        },
      ],
    });
    const reason = await eventually(async () => {
      const last = await jsonpath('pod', 'hog', '.status.containerStatuses[0].lastState.terminated.reason');
      const now = await jsonpath('pod', 'hog', '.status.containerStatuses[0].state.terminated.reason');
      return last || now || undefined;
    });
    expect(reason).toBe('OOMKilled');
  });
});

describe('a pod of two containers', () => {
  it('shares the network namespace and an emptyDir between its containers', async () => {
    await applyPod({
      name: 'pair',
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        {
          name: 'web',
          image: 'nginx',
          volumeMounts: [{ name: 'shared', mountPath: '/usr/share/nginx/html' }],
        },
        {
          name: 'writer',
          image: 'busybox',
          command: ['sh', '-c', 'echo written-by-writer > /data/index.html; sleep 3600'],
          volumeMounts: [{ name: 'shared', mountPath: '/data' }],
        },
      ],
    });
    await waitForPhase('pair', 'Running');
    const fetched = await eventually(async () => {
      const out = await kubectl('exec', 'pair', '-c', 'writer', '--', 'wget', '-qO-', 'http://localhost/');
      return out.stdout.includes('written-by-writer') ? out.stdout : undefined;
    }, 15_000);
    expect(fetched.trim()).toBe('written-by-writer');
  });
});

/** Creates a bare pod (one busybox sleeping, unless containers are given). */
async function applyPod(spec: { name: string; [field: string]: unknown }): Promise<void> {
  const { name, ...rest } = spec;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name, image: 'busybox', command: ['sleep', '3600'] }], ...rest },
  };
  const result = await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  expect(result.stderr).toBe('');
}

/**
 * Runs a command in a pseudo-terminal (Python's pty module, as `script` would) and types `lines`
 * into it, one after the output settles; returns what the terminal showed.
 */
function inTerminal(command: string[], lines: string[]): Promise<string> {
  const driver = `
import os, pty, sys, select, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
lines = [l.encode() for l in sys.stdin.read().split('\\n') if l]
out = b''
quiet_since = time.time()
deadline = time.time() + 20
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        quiet_since = time.time()
    elif lines and time.time() - quiet_since > 0.5:
        os.write(fd, lines.pop(0))
sys.stdout.write(out.decode(errors='replace'))
`;
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', driver, ...command]);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', () => resolve(output));
    child.stdin.end(lines.join('\n'));
  });
}
