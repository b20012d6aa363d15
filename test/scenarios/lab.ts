import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { labPaths, runningLab } from '../../src/cluster/lab.ts';
import { containerName } from '../../src/cluster/nodes/docker/docker-provider.ts';
import { readProxySocket } from '../../src/cluster/proxy/index.ts';
import { type KubectlResult, runKubectl, runOrchLab, type TestLab } from '../support/lab.ts';

/**
 * What a shared scenario needs of a lab, whatever its nodes run on: the same real-kubectl
 * scenarios run on process nodes and on Docker nodes, as hono runs one router suite against every
 * router. A scenario reads addresses (pod IPs, node IPs, CIDRs) from the cluster, never assumes them.
 */
export interface ScenarioLab {
  readonly runtime: 'process' | 'docker';
  readonly home: string;
  readonly kubeconfig: string;
  /** The lab's worker nodes, by name, all Ready when the scenarios start. */
  readonly nodes: readonly string[];
  /** Runs the real kubectl against the lab; never throws, so a scenario can assert on failures. */
  kubectl(args: readonly string[], options?: { input?: string }): Promise<KubectlResult>;
  /** Runs `orch-lab` on the lab's home (node kill, node start, ...); never throws. */
  orchLab(args: readonly string[]): Promise<KubectlResult>;
  /** The rules a node's kube-proxy keeps, in iptables-save form, read where that node runs. */
  proxyRules(node: string): Promise<string>;
  /**
   * Takes the control plane down and brings it back on the same addresses (store, API server,
   * scheduler, controllers), leaving the nodes running.
   */
  restartControlPlane(): Promise<void>;
}

/** A getter, because scenarios register their cases before the lab (made in beforeAll) exists. */
export type ScenarioLabRef = () => ScenarioLab;

/** A test lab of process nodes (startTestLab with `nodes`) as a scenario lab. */
export function processScenarioLab(lab: TestLab, nodes: readonly string[]): ScenarioLab {
  return {
    runtime: 'process',
    home: lab.home,
    kubeconfig: lab.kubeconfig,
    nodes,
    kubectl: (args, options) => lab.kubectl(args, options),
    orchLab: (args) => lab.orchLab(args),
    proxyRules: (node) => readProxySocket(join(lab.home, 'nodes', node), '/rules'),
    restartControlPlane: () => lab.restartControlPlane(),
  };
}

/**
 * A lab of Docker nodes that `orch-lab up` started in `home` as a scenario lab. A node's kube-proxy
 * runs in its container, so its rules are read there, as one would run iptables-save on the node.
 * The control plane is `up`'s background process: it restarts as `up` after that process stops,
 * on the ports it had, so the running node containers keep reaching it.
 */
export function dockerScenarioLab(home: string, nodes: readonly string[]): ScenarioLab {
  const kubeconfig = labPaths(home).kubeconfig;
  return {
    runtime: 'docker',
    home,
    kubeconfig,
    nodes,
    kubectl: (args, options = {}) => runKubectl(kubeconfig, join(home, 'kube-cache'), args, options),
    orchLab: (args) => runOrchLab(home, args),
    proxyRules: async (node) =>
      (
        await promisify(execFile)('docker', [
          'exec',
          containerName(node),
          'orch-lab',
          'proxy',
          'rules',
          '--node',
          node,
        ])
      ).stdout,
    restartControlPlane: async () => {
      const state = await runningLab(home);
      if (!state) throw new Error(`no control plane runs in ${home}`);
      // A kill, not a stop: nothing gets the chance to flush or say goodbye.
      process.kill(state.pid, 'SIGKILL');
      while (await runningLab(home)) await sleep(100);
      // etcd is host:port, the API server a URL.
      const etcdPort = state.etcd.split(':').at(-1) ?? '';
      const ports = ['--api-port', new URL(state.apiServer).port, '--etcd-port', etcdPort];
      const clocks = [
        ...(state.nodeMonitorGracePeriodSeconds
          ? ['--node-monitor-grace-period', String(state.nodeMonitorGracePeriodSeconds)]
          : []),
        ...(state.defaultTolerationSeconds
          ? ['--default-toleration-seconds', String(state.defaultTolerationSeconds)]
          : []),
      ];
      // --nodes 0: no node added (up would add node-1..3); a stopped node is started again, though.
      const up = await runOrchLab(home, ['up', '--nodes', '0', ...ports, ...clocks]);
      if (up.code !== 0) throw new Error(`orch-lab up failed (${up.code}): ${up.stderr}${up.stdout}`);
    },
  };
}
