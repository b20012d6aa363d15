import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { ControlPlane, type ControlPlaneOptions } from '../../src/cluster/lab.ts';
import { nodePaths } from '../../src/cluster/nodes/config.ts';
import { ProcessNodeProvider } from '../../src/cluster/nodes/process-provider.ts';
import type { NodeSpec } from '../../src/cluster/nodes/provider.ts';
import { waitForNodesReady } from '../../src/cluster/nodes/ready.ts';
import { ClusterPki } from '../../src/cluster/pki/pki.ts';

export interface TestLab {
  readonly home: string;
  readonly kubeconfig: string;
  /** The running control plane (a new one after restartControlPlane). */
  readonly plane: ControlPlane;
  /** The lab's process nodes (started by `nodes`, or added by a test). */
  readonly nodes: ProcessNodeProvider;
  /** An admin client of the lab. */
  readonly client: RestClient;
  /** Runs the real kubectl against this lab; never throws, so a test can assert on failures too. */
  kubectl(
    args: readonly string[],
    options?: { input?: string; env?: Record<string, string> },
  ): Promise<KubectlResult>;
  /** Runs `orch-lab` (bin/orch-lab.js) with this lab's home, as a learner at a terminal would. */
  orchLab(args: readonly string[]): Promise<KubectlResult>;
  /**
   * Stops the control plane and starts it again on the same home and ports, so the nodes find it
   * where they left it. In-process, so a stop rather than a kill: what a restart must not lose or
   * duplicate is the same either way.
   */
  restartControlPlane(): Promise<void>;
  stop(): Promise<void>;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestLabOptions extends Partial<ControlPlaneOptions> {
  /**
   * Real node agent processes to start, ready before startTestLab returns, named node-N from
   * `firstNode` on (1 unless given). Node N has the fixed addresses 127.100.0.N and
   * 127.244.N.0/24, so test files that run at the same time must use different numbers.
   */
  readonly nodes?: { readonly count: number; readonly firstNode?: number } & Omit<NodeSpec, 'name'>;
}

/**
 * Starts a control plane in this process on free loopback ports, with its own home; `options` adds
 * to that, such as `etcdEndpoints` to run it on a real etcd, or `nodes`.
 */
export async function startTestLab(options: TestLabOptions = {}): Promise<TestLab> {
  const { nodes: nodeOptions, ...planeOptions } = options;
  const home = await mkdtemp(join(tmpdir(), 'orch-lab-test-'));
  let plane = await ControlPlane.start({ home, apiPort: 0, etcdPort: 0, ...planeOptions });
  const kubeconfig = plane.state.kubeconfig;
  const client = await RestClient.fromKubeconfig(kubeconfig, { component: 'test-lab' });
  const access = {
    apiServer: plane.state.apiServer,
    pki: await ClusterPki.open({ dir: join(home, 'pki') }),
    client,
  };
  const nodes = new ProcessNodeProvider({ home, cluster: async () => access });
  const stop = async () => {
    for (const machine of await nodes.list()) await nodes.stop(machine.name);
    client.close();
    await plane.stop();
    await rm(home, { recursive: true, force: true });
  };
  if (nodeOptions && nodeOptions.count > 0) {
    const { count, firstNode = 1, ...spec } = nodeOptions;
    const names = Array.from({ length: count }, (_, i) => `node-${firstNode + i}`);
    try {
      for (const name of names) await nodes.add({ ...spec, name });
      const started = Date.now();
      for (const name of names) await nodes.start(name);
      await waitForNodesReady(client, names, { timeoutMs: 30_000, since: started });
    } catch (err) {
      const logs = await Promise.all(
        names.map((n) => readFile(nodePaths(home, n).log, 'utf8').catch(() => '')),
      );
      await stop();
      throw new Error(
        `the test lab's nodes did not get Ready: ${(err as Error).message}\n${logs.join('\n')}`,
      );
    }
  }
  const restartControlPlane = async () => {
    const apiPort = Number(new URL(plane.state.apiServer).port);
    const etcdPort = Number(plane.state.etcd.split(':').at(-1));
    await plane.stop();
    plane = await ControlPlane.start({ home, ...planeOptions, apiPort, etcdPort });
  };
  return {
    home,
    kubeconfig,
    get plane() {
      return plane;
    },
    nodes,
    client,
    restartControlPlane,
    kubectl: (args, options = {}) => runKubectl(kubeconfig, join(home, 'kube-cache'), args, options),
    orchLab: (args) => runOrchLab(home, args),
    stop,
  };
}

const ORCH_LAB_BIN = join(import.meta.dirname, '../../bin/orch-lab.js');

/** Runs `orch-lab` with ORCH_LAB_HOME set to `home`; never throws. */
export function runOrchLab(
  home: string,
  args: readonly string[],
  timeoutMs = 150_000,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ORCH_LAB_BIN, ...args],
      { env: { ...process.env, ORCH_LAB_HOME: home }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function runKubectl(
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
