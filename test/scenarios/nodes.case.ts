import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inTerminal } from '../support/terminal.ts';
import type { ScenarioLabRef } from './lab.ts';
import { eventually, inCIDR, literal, ok, scenarioNamespace } from './steps.ts';

/** The namespace the node scenarios work in. */
export const NODE_SCENARIOS_NAMESPACE = 'scenario-nodes';

/**
 * Issue 4's walk through a lab of three worker nodes with real kubectl: a pod's life on a node
 * (logs, exec, a terminal, events, graceful deletion), nodes as kubectl sees them (addresses,
 * cordon, drain, selectors), pods that fail, and a pod of two containers. Every address is read
 * from the cluster, so the walk holds on process nodes and on Docker nodes alike.
 */
export function runNodeScenarios(lab: ScenarioLabRef): void {
  describe('node scenarios', () => {
    const ns = NODE_SCENARIOS_NAMESPACE;
    const { kubectl: inNs, jsonpath, apply } = scenarioNamespace(lab, ns);
    const kubectl = (...args: string[]) => inNs(args);
    const node = (i: number) => lab().nodes[i]!;

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
    const waitForReason = (pod: string, field: string, reasons: string[], timeoutMs = 40_000) =>
      eventually(async () => {
        const reason = await jsonpath('pod', pod, `.status.containerStatuses[0].${field}.reason`);
        return reasons.includes(reason) ? reason : undefined;
      }, timeoutMs);

    /** Creates a bare pod (one busybox sleeping, unless containers are given). */
    const applyPod = ({ name, ...rest }: { name: string; [field: string]: unknown }) =>
      apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name, image: 'busybox', command: ['sleep', '3600'] }], ...rest },
      });

    describe('a pod on a node', () => {
      let podIP = '';

      it('runs nginx and reports its IP, inside the pod CIDR of its node, and the node', async () => {
        expect(ok(await kubectl('run', 'nginx', '--image', 'nginx'))).toBe('pod/nginx created\n');
        await waitForPhase('nginx', 'Running');
        podIP = await jsonpath('pod', 'nginx', '.status.podIP');
        const nodeName = await jsonpath('pod', 'nginx', '.spec.nodeName');
        expect(lab().nodes).toContain(nodeName);
        expect(inCIDR(podIP, await jsonpath('node', nodeName, '.spec.podCIDR'))).toBe(true);
        const wide = ok(await kubectl('get', 'pods', '-o', 'wide'));
        const row = wide.split('\n').find((line) => line.startsWith('nginx '));
        expect(row).toMatch(
          new RegExp(`^nginx\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${literal(podIP)}\\s+${nodeName}\\s`),
        );
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
        const follow = spawn('kubectl', [
          '--kubeconfig',
          lab().kubeconfig,
          '-n',
          ns,
          'logs',
          '-f',
          '--tail',
          '0',
          'nginx',
        ]);
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
        expect(ok(await kubectl('exec', 'nginx', '--', 'ls', '/usr/share/nginx/html'))).toContain(
          'index.html',
        );
        const failing = await kubectl('exec', 'nginx', '--', 'sh', '-c', 'exit 3');
        expect(failing.code).toBe(3);
        expect(failing.stderr).toContain('command terminated with exit code 3');
        // The audit log records the switch of protocols once the API server has seen the connection
        // close, which may be a moment after kubectl has exited.
        const execCodes = async () =>
          (await readFile(join(lab().home, 'audit.log'), 'utf8'))
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { requestURI: string; responseStatus: { code: number } })
            .filter((event) => event.requestURI.startsWith(`/api/v1/namespaces/${ns}/pods/nginx/exec?`))
            .map((event) => event.responseStatus.code);
        const codes = await eventually(async () => {
          const seen = await execCodes();
          return seen.length >= 2 ? seen : undefined;
        }, 10_000);
        expect(codes).toEqual([101, 101]);
      });

      it('gives kubectl exec -it a terminal', async () => {
        const { output, code } = await inTerminal(
          ['kubectl', '--kubeconfig', lab().kubeconfig, '-n', ns, 'exec', '-it', 'nginx', '--', 'sh'],
          [
            { after: '# ', type: 'echo hi-from-$((40 + 2))\r' },
            { after: 'hi-from-42', type: 'exit\r' },
          ],
        );
        expect(output).toContain('hi-from-42');
        expect(code).toBe(0);
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
        await expect(fetch(`http://${podIP}/`, { signal: AbortSignal.timeout(3_000) })).rejects.toThrow();
      });
    });

    describe('what kubectl brings to a running pod: cp, port-forward, top, run -i', () => {
      it('copies a file in, serves it through a port-forward, and shows the pod in top', async () => {
        ok(await kubectl('run', 'tools', '--image', 'nginx'));
        await waitForPhase('tools', 'Running');
        const local = join(lab().home, 'copied.txt');
        await writeFile(local, 'copied-by-kubectl-cp\n');
        ok(await kubectl('cp', local, 'tools:/usr/share/nginx/html/copied.txt'));
        const forward = spawn('kubectl', [
          '--kubeconfig',
          lab().kubeconfig,
          '--namespace',
          ns,
          'port-forward',
          'pod/tools',
          ':80',
        ]);
        try {
          let said = '';
          forward.stdout.on('data', (chunk) => {
            said += chunk;
          });
          const port = await eventually(
            async () => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(said)?.[1],
            20_000,
          );
          const page = await (await fetch(`http://127.0.0.1:${port}/copied.txt`)).text();
          expect(page).toBe('copied-by-kubectl-cp\n');
        } finally {
          forward.kill();
        }
        // The metrics API answers once it has two scrapes of the pod's node.
        const top = await eventually(async () => {
          const out = await kubectl('top', 'pod', 'tools');
          return out.code === 0 ? out.stdout : undefined;
        }, 60_000);
        // kubectl pads every column, the last one too.
        expect(top).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\) *\ntools\s+\d+m\s+\d+Mi *\n$/);
      }, 120_000);

      it('runs a pod with kubectl run -i, reading what it is given', async () => {
        const out = await inNs(
          [
            'run',
            '-i',
            '--rm',
            'once',
            '--image=busybox',
            '--restart=Never',
            '--',
            'sh',
            '-c',
            'read line; echo "got $line"',
          ],
          { input: 'hello\n' },
        );
        expect(out.code).toBe(0);
        expect(out.stdout).toBe('got hello\npod "once" deleted\n');
      }, 60_000);
    });

    describe('nodes as kubectl sees them', () => {
      it('lists the nodes Ready with their InternalIPs and version', async () => {
        const rows = ok(await kubectl('get', 'nodes', '-o', 'wide'))
          .trim()
          .split('\n')
          .slice(1);
        expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual([...lab().nodes].sort());
        for (const name of lab().nodes) {
          const ip = await jsonpath('node', name, '.status.addresses[?(@.type=="InternalIP")].address');
          expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
          expect(rows.find((row) => row.startsWith(`${name} `))).toMatch(
            new RegExp(`^${name}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.\\d+\\S*\\s+${literal(ip)}\\s`),
          );
        }
      });

      it('describes a node with its allocated resources and pod CIDR', async () => {
        const podCIDR = await jsonpath('node', node(0), '.spec.podCIDR');
        expect(podCIDR).toMatch(/^\d+\.\d+\.\d+\.\d+\/24$/);
        const describe = ok(await kubectl('describe', 'node', node(0)));
        expect(describe).toContain('Allocated resources:');
        expect(describe).toMatch(new RegExp(`PodCIDR:\\s+${literal(podCIDR)}\\n`));
      });

      it('cordons, uncordons and drains a node', async () => {
        const target = node(1);
        ok(await kubectl('cordon', target));
        expect(ok(await kubectl('get', 'node', target))).toContain('Ready,SchedulingDisabled');
        await applyPod({ name: 'pinned', nodeSelector: { 'kubernetes.io/hostname': target } });
        await eventually(async () =>
          (await jsonpath('pod', 'pinned', '.status.conditions[0].reason')) === 'Unschedulable'
            ? true
            : undefined,
        );
        ok(await kubectl('uncordon', target));
        await waitForPhase('pinned', 'Running');
        // busybox's sleep, as PID 1, ignores SIGTERM: without a short grace period drain waits 30 s.
        // The node may run the lab's addons too (CoreDNS, the ingress controller): drain evicts them
        // and their Deployments make them anew elsewhere.
        const drain = await kubectl('drain', target, '--ignore-daemonsets', '--force', '--grace-period', '1');
        expect(drain.code).toBe(0);
        expect(drain.stdout).toContain('pod/pinned evicted');
        expect(drain.stdout).toContain(`node/${target} drained`);
        ok(await kubectl('uncordon', target));
        // The node lifecycle controller takes its unschedulable taint off soon after.
        await eventually(async () =>
          ['', '[]'].includes(await jsonpath('node', target, '.spec.taints')) ? true : undefined,
        );
      }, 60_000);

      it('keeps a pod Pending until a node gets the label it selects', async () => {
        const count = lab().nodes.length;
        await applyPod({ name: 'wants-ssd', nodeSelector: { disk: 'ssd' } });
        const message = await eventually(async () => {
          const text = await jsonpath('pod', 'wants-ssd', '.status.conditions[0].message');
          return text || undefined;
        });
        expect(message).toBe(
          `0/${count} nodes are available: ${count} node(s) didn't match Pod's node affinity/selector. ` +
            `preemption: 0/${count} nodes are available: ${count} Preemption is not helpful for scheduling.`,
        );
        ok(await kubectl('label', 'node', node(2), 'disk=ssd'));
        try {
          await waitForPhase('wants-ssd', 'Running');
          expect(await jsonpath('pod', 'wants-ssd', '.spec.nodeName')).toBe(node(2));
        } finally {
          ok(await kubectl('label', 'node', node(2), 'disk-'));
        }
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
          const last = await jsonpath(
            'pod',
            'hog',
            '.status.containerStatuses[0].lastState.terminated.reason',
          );
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
          const out = await kubectl(
            'exec',
            'pair',
            '-c',
            'writer',
            '--',
            'wget',
            '-qO-',
            'http://localhost/',
          );
          return out.stdout.includes('written-by-writer') ? out.stdout : undefined;
        }, 15_000);
        expect(fetched.trim()).toBe('written-by-writer');
      });
    });
  });
}
