// The lab bench/controllers measures: the control plane in its own process, as `orch-lab up` runs it,
// and three process nodes node-31..33 (127.100.0.31-33), numbers no test uses, so a run never meets
// the nodes of tests running at the same time. Everything it started goes on stop(), on an error
// and on Ctrl-C alike: the node agents are detached processes and would outlive this one.

import { readFile } from 'node:fs/promises';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { labPaths } from '../../src/cluster/lab.ts';
import { nodePaths } from '../../src/cluster/nodes/config.ts';
import { ProcessNodeProvider } from '../../src/cluster/nodes/process-provider.ts';
import { waitForNodesReady } from '../../src/cluster/nodes/ready.ts';
import { ClusterPki } from '../../src/cluster/pki/pki.ts';
import { type ControlPlaneProcess, startControlPlane } from '../apiserver/control-plane.ts';

export const NODE_NAMES = ['node-31', 'node-32', 'node-33'] as const;

export interface BenchLab {
  readonly controlPlane: ControlPlaneProcess;
  readonly nodes: ProcessNodeProvider;
  /** An admin client. */
  readonly client: RestClient;
  /** The node agents' process ids. */
  agentPids(): Promise<number[]>;
  stop(): Promise<void>;
}

/** Starts the lab and answers once every node is Ready; stops what it started if that fails. */
export async function startBenchLab(): Promise<BenchLab> {
  const controlPlane = await startControlPlane();
  const client = await RestClient.fromKubeconfig(labPaths(controlPlane.home).kubeconfig, {
    component: 'bench-controllers',
  });
  const access = {
    apiServer: controlPlane.rest.server,
    pki: await ClusterPki.open({ dir: labPaths(controlPlane.home).pki }),
    client,
  };
  const nodes = new ProcessNodeProvider({ home: controlPlane.home, cluster: async () => access });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      // Nodes first: each stops its pods, and the control plane's stop removes the home they live in.
      await Promise.all(
        (await nodes.list()).map((m) => nodes.stop(m.name).catch((err) => console.error(err.message))),
      );
      client.close();
      await controlPlane.stop();
    })();
    return stopping;
  };
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the lab`);
    void stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  try {
    await nodes.preflight();
    for (const name of NODE_NAMES) await nodes.add({ name });
    const started = Date.now();
    for (const name of NODE_NAMES) await nodes.start(name);
    await waitForNodesReady(client, NODE_NAMES, { timeoutMs: 60_000, since: started });
  } catch (err) {
    const logs = await Promise.all(
      NODE_NAMES.map((n) => readFile(nodePaths(controlPlane.home, n).log, 'utf8').catch(() => '')),
    );
    await stop();
    throw new Error(`the nodes did not get Ready: ${(err as Error).message}\n${logs.join('\n')}`, {
      cause: err,
    });
  }
  return {
    controlPlane,
    nodes,
    client,
    agentPids: async () => (await nodes.list()).flatMap((m) => (m.pid === undefined ? [] : [m.pid])),
    stop,
  };
}
