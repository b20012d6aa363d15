import { pods } from '../../cluster/api/resources.ts';
import { RestClient } from '../../cluster/client/rest-client.ts';
import { readDecision } from '../../cluster/scheduler/decision-annotations.ts';
import { printTable } from '../table.ts';

/**
 * `orch-lab explain schedule POD`: why the scheduler put a pod where it did (or nowhere), read
 * from the decision it wrote on the pod: each node's filter verdict and weighted scores.
 */
export async function explainSchedule(options: {
  kubeconfig: string;
  pod: string;
  namespace: string;
}): Promise<void> {
  const client = await RestClient.fromKubeconfig(options.kubeconfig, { component: 'orch-lab-explain' });
  try {
    const pod = await client.resource(pods, options.namespace).get(options.pod);
    const decision = readDecision(pod.metadata.annotations);
    const where = `${options.namespace}/${options.pod}`;
    if (!decision) {
      console.log(
        pod.spec.nodeName
          ? `Pod ${where} runs on ${pod.spec.nodeName}, with no decision record on it (spec.nodeName set by hand, or the record is still being written).`
          : `Pod ${where} has not been through the scheduler yet.`,
      );
      return;
    }
    console.log(
      decision.selectedNode
        ? `Pod ${where} was scheduled to ${decision.selectedNode}.`
        : `Pod ${where} could not be scheduled: no node passed every filter.`,
    );
    const rows = decision.nodes.map((v) => [
      v.node === decision.selectedNode ? `${v.node} *` : v.node,
      v.filter,
      v.total === undefined ? '-' : String(v.total),
      Object.entries(v.scores)
        .filter(([, score]) => score !== 0)
        .map(([plugin, score]) => `${plugin}=${score}`)
        .join(' '),
    ]);
    printTable(['NODE', 'FILTERS', 'SCORE', 'SCORE BY PLUGIN (weighted)'], rows);
  } finally {
    client.close();
  }
}
