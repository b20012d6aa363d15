import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane, type ControlPlaneOptions } from '../../src/cluster/lab.ts';

export interface TestLab {
  readonly home: string;
  readonly kubeconfig: string;
  readonly plane: ControlPlane;
  /** Runs the real kubectl against this lab; never throws, so a test can assert on failures too. */
  kubectl(
    args: readonly string[],
    options?: { input?: string; env?: Record<string, string> },
  ): Promise<KubectlResult>;
  stop(): Promise<void>;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts a control plane in this process on free loopback ports, with its own home; `options` adds
 * to that, such as `etcdEndpoints` to run it on a real etcd.
 */
export async function startTestLab(options: Partial<ControlPlaneOptions> = {}): Promise<TestLab> {
  const home = await mkdtemp(join(tmpdir(), 'orch-lab-test-'));
  const plane = await ControlPlane.start({ home, apiPort: 0, etcdPort: 0, ...options });
  const kubeconfig = plane.state.kubeconfig;
  return {
    home,
    kubeconfig,
    plane,
    kubectl: (args, options = {}) => runKubectl(kubeconfig, join(home, 'kube-cache'), args, options),
    stop: async () => {
      await plane.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

function runKubectl(
  kubeconfig: string,
  cacheDir: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> },
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { env: { ...process.env, ...options.env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
