import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../controllers/support.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// kubectl port-forward against a real process node: kubectl -> pods/portforward (a WebSocket
// tunneling SPDY/3.1) -> the kubelet's /portForward -> a TCP connection to the pod's IP and port.
describe('kubectl port-forward on a process node', () => {
  let lab: TestLab;
  const forwards: ChildProcess[] = [];

  beforeAll(async () => {
    lab = await startTestLab({ nodes: { count: 1, firstNode: 18 } });
    expect((await lab.kubectl(['run', 'nginx', '--image=nginx'])).code).toBe(0);
    expect((await lab.kubectl(['create', 'deployment', 'web', '--image=httpd'])).code).toBe(0);
    for (const selector of ['run=nginx', 'app=web']) {
      await eventually(
        async () => {
          const phases = await lab.kubectl([
            'get',
            'pods',
            '-l',
            selector,
            '-o',
            'jsonpath={.items[*].status.phase}',
          ]);
          return phases.stdout === 'Running' ? true : undefined;
        },
        `the ${selector} pod Running`,
        60_000,
      );
    }
  }, 120_000);
  afterEach(() => {
    for (const child of forwards.splice(0)) child.kill();
  });
  afterAll(() => lab?.stop(), 60_000);

  /** Starts `kubectl port-forward` and waits for the local port it listens on. */
  async function portForward(target: string, ports: string, env: Record<string, string> = {}) {
    const child = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'port-forward', target, ports], {
      env: { ...process.env, KUBECACHEDIR: join(lab.home, 'kube-cache'), ...env },
    });
    forwards.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const port = await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`kubectl exited ${child.exitCode}: ${stderr}`);
        const match = /^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)$/m.exec(stdout);
        return match ? Number(match[1]) : undefined;
      },
      `kubectl port-forward ${target} to listen`,
      30_000,
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const stop = async () => {
      child.kill();
      await exited;
    };
    return { port, output: () => ({ stdout, stderr }), stop };
  }

  /** How the API server saw the pod's port-forward requests: verb and response code, in order. */
  const portForwardRequests = async (pod: string) =>
    (await readFile(join(lab.home, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { requestURI: string; verb: string; responseStatus: { code: number } },
      )
      .filter((event) => event.requestURI === `/api/v1/namespaces/default/pods/${pod}/portforward`)
      .map((event) => `${event.verb} ${event.responseStatus.code}`);

  const get = async (port: number, path = '/') => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.text() };
  };

  it('forwards a local port to the pod: one connection after another, and several at once', async () => {
    const { port, output, stop } = await portForward('pod/nginx', '0:80');
    for (let i = 0; i < 3; i++) {
      const page = await get(port);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Welcome to nginx!</title>');
    }
    const pages = await Promise.all([get(port), get(port), get(port)]);
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    for (const page of pages) expect(page.body).toContain('Welcome to nginx!');
    expect(output().stdout).toContain('Handling connection for');
    // kubectl's first choice worked: a WebSocket (a GET) tunneling SPDY, no fallback. The API
    // server writes its audit record once the connection has closed.
    await stop();
    await eventually(
      async () => ((await portForwardRequests('nginx')).length > 0 ? true : undefined),
      'the audit record of the port-forward',
    );
    expect(await portForwardRequests('nginx')).toEqual(['get 101']);
  }, 60_000);

  it('falls back to a plain SPDY upgrade when kubectl is told not to use WebSockets', async () => {
    const before = (await portForwardRequests('nginx')).length;
    const { port, stop } = await portForward('pod/nginx', '0:80', {
      KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false',
    });
    const pages = await Promise.all([get(port), get(port)]);
    for (const page of pages) expect(page.body).toContain('Welcome to nginx!');
    await stop();
    const requests = await eventually(async () => {
      const all = await portForwardRequests('nginx');
      return all.length > before ? all.slice(before) : undefined;
    }, 'the audit record of the port-forward');
    // A POST with Upgrade: SPDY/3.1, and no WebSocket tried first.
    expect(requests).toEqual(['create 101']);
  }, 60_000);

  it('carries a body larger than the 64 KiB SPDY window', async () => {
    const written = await lab.kubectl([
      'exec',
      'nginx',
      '--',
      'sh',
      '-c',
      'seq 1 40000 > /usr/share/nginx/html/big.txt',
    ]);
    expect(written.code).toBe(0);
    const expected = `${Array.from({ length: 40000 }, (_, i) => i + 1).join('\n')}\n`;
    expect(expected.length).toBeGreaterThan(3 * 64 * 1024);
    const { port } = await portForward('pod/nginx', '0:80');
    const [first, second] = await Promise.all([get(port, '/big.txt'), get(port, '/big.txt')]);
    expect(first.body.length).toBe(expected.length);
    expect(first.body).toBe(expected);
    expect(second.body).toBe(expected);
  }, 60_000);

  it('reports a port nothing listens on as kubectl shows a cluster error', async () => {
    const { port, output } = await portForward('pod/nginx', '0:81');
    await expect(get(port)).rejects.toThrow();
    const reported = await eventually(
      async () => (/connection refused/.test(output().stderr) ? output().stderr : undefined),
      'kubectl to report the failed connection',
      30_000,
    );
    expect(reported).toMatch(
      /error forwarding port 81 to pod [0-9a-f]+, uid : .*connect: connection refused/,
    );
    expect(reported).toContain(`an error occurred forwarding ${port} -> 81`);
  }, 60_000);

  it('asks for create on pods/portforward, as kube-apiserver does for the WebSocket GET too', async () => {
    for (const args of [
      ['create', 'role', 'peek', '--verb=get', '--resource=pods,pods/portforward'],
      ['create', 'rolebinding', 'peek', '--role=peek', '--user=mallory'],
    ]) {
      expect((await lab.kubectl(args)).stderr).toBe('');
    }
    const refused = await lab.kubectl(['port-forward', 'pod/nginx', '0:80', '--as', 'mallory']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'cannot create resource "pods/portforward" in API group "" in the namespace "default"',
    );
  }, 60_000);

  it('resolves deployment/web and service/web to one of their pods', async () => {
    const deployment = await portForward('deployment/web', '0:80');
    const page = await get(deployment.port);
    expect(page.status).toBe(200);
    expect(page.body).toContain('It works!');
    // Through a service, kubectl picks a pod by its selector and maps the service port to the targetPort.
    expect((await lab.kubectl(['expose', 'deployment', 'web', '--port=8080', '--target-port=80'])).code).toBe(
      0,
    );
    const service = await portForward('service/web', '0:8080');
    expect(service.output().stdout).toMatch(/Forwarding from 127\.0\.0\.1:\d+ -> 80$/m);
    expect((await get(service.port)).body).toContain('It works!');
  }, 60_000);
});
