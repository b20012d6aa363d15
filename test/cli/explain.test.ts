import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

const bin = join(import.meta.dirname, '../../bin/orch-lab.js');
let lab: TestLab;

const node = (name: string, taints: object[] = []) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { taints },
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });

function explain(pod: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [bin, 'explain', 'schedule', pod],
      { env: { ...process.env, ORCH_LAB_HOME: lab.home } },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
}

beforeAll(async () => {
  lab = await startTestLab();
});

afterAll(async () => {
  await lab?.stop();
});

describe('orch-lab explain schedule', () => {
  it("prints each node's filter verdict and score, and the node chosen", async () => {
    await lab.kubectl(['apply', '-f', '-'], { input: node('node-1') });
    await lab.kubectl(['apply', '-f', '-'], {
      input: node('node-2', [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }]),
    });
    await lab.kubectl(['run', 'web', '--image', 'nginx']);
    await expect
      .poll(
        async () => (await lab.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}'])).stdout,
        { timeout: 10_000 },
      )
      .toBe('node-1');
    // The scheduler binds first and writes its decision record right after.
    await expect
      .poll(() => explain('web'), { timeout: 10_000 })
      .toContain('Pod default/web was scheduled to node-1.');
    const out = await explain('web');
    expect(out).toMatch(/^NODE\s+FILTERS\s+SCORE/m);
    expect(out).toMatch(/^node-1 \*\s+passed/m);
    expect(out).toMatch(/^node-2\s+TaintToleration: node\(s\) had untolerated taint \{gpu: yes\}\s+-/m);
  });
});
