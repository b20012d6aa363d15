import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

// `orch-lab lesson ...` as a learner runs it, one process per command against a control plane
// without nodes: the store lesson's first step needs none. Each command is a fresh process, so
// what one learns from progress.json the next must read back.

const ORCH_LAB_BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
let lab: TestLab;

function lesson(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ORCH_LAB_BIN, 'lesson', ...args],
      { env: { ...process.env, ORCH_LAB_HOME: lab.home }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  lab = await startTestLab();
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('orch-lab lesson', () => {
  it('lists the lessons, and names the feature a lesson waits for', async () => {
    const list = await lesson('list');
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^01 cluster-tour\s+8 min\s+The parts of a cluster, seen live — new$/m);
    // This lab has no nodes, so no addons: no cluster DNS, no Ingress controller.
    expect(list.stdout).toMatch(/^12 services\s+.* — needs Services: cluster DNS and kube-proxy/m);
    expect(list.stdout).toMatch(/^14 ingress\s+.* — needs Services: .*; needs an Ingress controller/m);
  });

  it('starts a lesson, checks it against the cluster, and says which steps only the UI can check', async () => {
    const started = await lesson('start', '3');
    expect(started.stdout).toContain('The store under everything — step 1/6');
    expect(started.stdout).toContain('… /registry/configmaps/lesson-store/greeting: no such key');
    const ns = await lab.kubectl(['get', 'namespace', 'lesson-store', '-o', 'jsonpath={.metadata.labels}']);
    expect(ns.stdout).toContain('"orch-lab/lesson":"the-store"');

    const still = await lesson('check');
    expect(still.stdout).toContain('▶ Write an object');
    await lab.kubectl(['create', 'configmap', 'greeting', '-n', 'lesson-store', '--from-literal=text=hello']);
    const checked = await lesson('check');
    expect(checked.stdout).toContain('✓ Write an object');
    expect(checked.stdout).toMatch(/… checked in the terminal UI only/);
    expect(checked.stdout).toContain('▶ Read the key straight from the store');
  });

  it('keeps hints and progress across processes', async () => {
    expect((await lesson('hint')).stdout).toContain(
      "Hint: At the prompt, `etcdctl` is already pointed at the lab's store.",
    );
    expect((await lesson('hint')).stdout).toContain('No more hints for this step.');
    const status = await lesson('status');
    expect(status.stdout).toContain('The store under everything — step 2/6');
    expect(status.stdout).toContain(
      "Hint 1: At the prompt, `etcdctl` is already pointed at the lab's store.",
    );
    expect((await lesson('list')).stdout).toMatch(/^03 the-store .* in progress \(1\/6\)$/m);
  });

  it('resets a lesson: its namespace and its progress go', async () => {
    const reset = await lesson('reset');
    expect(reset.stdout).toContain('Lesson the-store reset');
    const ns = await lab.kubectl(['get', 'namespace', 'lesson-store']);
    expect(ns.stderr).toContain('NotFound');
    expect((await lesson('list')).stdout).toMatch(/^03 the-store .* — new$/m);
  });
});
