import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pods } from '../../src/cluster/api/resources.ts';
import { eventually } from '../controllers/support.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { inTerminal } from '../support/terminal.ts';

// kubectl attach and run -i/-it against a real process node: kubectl -> pods/attach -> the
// kubelet's /attach -> the runtime, which holds the container's stdin and copies its output.
describe('kubectl attach on a process node', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startTestLab({ nodes: { count: 1, firstNode: 14 } });
  }, 120_000);
  afterAll(() => lab?.stop(), 60_000);

  const pod = (name: string) => lab.client.resource(pods, 'default').get(name);

  it("runs -i with kubectl's stdin as the container's, through pods/attach", async () => {
    const run = await lab.kubectl(
      [
        'run',
        '-i',
        '--rm',
        'reader',
        '--restart=Never',
        '--image=busybox',
        '--',
        'sh',
        '-c',
        'read line; echo got $line',
      ],
      { input: 'hello from stdin\n' },
    );
    expect(run.stderr).not.toContain('falling back to streaming logs');
    expect(run.stdout).toBe('got hello from stdin\npod "reader" deleted\n');
    expect(run.code).toBe(0);
    // The answer came over the attach stream, not from the logs (audited once the connection closed).
    const attachCodes = async () =>
      (await readFile(join(lab.home, 'audit.log'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { requestURI: string; responseStatus: { code: number } })
        .filter((event) => event.requestURI.startsWith('/api/v1/namespaces/default/pods/reader/attach?'))
        .map((event) => event.responseStatus.code);
    const codes = await eventually(async () => {
      const seen = await attachCodes();
      return seen.length > 0 ? seen : undefined;
    }, 'the audit record of the attach');
    expect(codes).toEqual([101]);
  }, 60_000);

  it('attaches to a running container and sees what it prints from then on', async () => {
    const created = await lab.kubectl([
      'run',
      'ticker',
      '--restart=Never',
      '--image=busybox',
      '--',
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo tick $i; echo tock $i >&2; sleep 1; done',
    ]);
    expect(created.code).toBe(0);
    await eventually(
      async () => ((await lab.kubectl(['logs', 'ticker'])).stdout.includes('tick 2') ? true : undefined),
      'the second tick in the logs',
      60_000,
    );
    const attach = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'attach', 'ticker']);
    let stdout = '';
    let stderr = '';
    attach.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    attach.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const ticks = () => [...stdout.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    await eventually(async () => (ticks().length >= 2 ? true : undefined), 'two ticks over attach', 30_000);
    attach.kill();
    // New output only: the ticks logged before the attach are not replayed, then they come in order.
    const [first, second] = ticks();
    expect(first).toBeGreaterThan(2);
    expect(second).toBe(first! + 1);
    // Without a tty, stderr stays apart.
    expect(stderr).toMatch(new RegExp(`^tock ${first}$`, 'm'));
    expect(stdout).not.toContain('tock');
    // Detaching leaves the container running.
    await new Promise((resolve) => attach.once('close', resolve));
    const status = (await pod('ticker')).status?.containerStatuses?.[0];
    expect(status?.state.running).toBeDefined();
    expect(status?.restartCount).toBe(0);
  }, 120_000);

  it('runs -it with a terminal: the shell answers and the pod completes when it exits', async () => {
    const { output, code } = await inTerminal(
      [
        'kubectl',
        '--kubeconfig',
        lab.kubeconfig,
        'run',
        '-it',
        'shell',
        '--restart=Never',
        '--image=busybox',
        '--',
        'sh',
      ],
      [
        { after: 'try pressing enter', type: 'echo $((6*7))\r' },
        { after: '\r\n42\r\n', type: 'exit\r' },
      ],
    );
    expect(output).toContain('echo $((6*7))\r\n42\r\n');
    expect(code).toBe(0);
    expect((await pod('shell')).spec.containers[0]).toMatchObject({
      stdin: true,
      stdinOnce: true,
      tty: true,
    });
    const phase = await eventually(
      async () => {
        const p = (await pod('shell')).status?.phase;
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      },
      'the shell pod to complete',
      30_000,
    );
    expect(phase).toBe('Succeeded');
    // A tty's output is the container's log, as the terminal showed it.
    expect((await lab.kubectl(['logs', 'shell'])).stdout).toContain('42\r\n');
  }, 120_000);
});
