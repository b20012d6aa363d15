import { join } from 'node:path';
import { readProxySocket } from '../../src/cluster/proxy/index.ts';
import type { KubectlResult, TestLab } from '../support/lab.ts';

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
    restartControlPlane: () => lab.restartControlPlane(),
  };
}
