import { afterAll, beforeAll } from 'vitest';
import { processScenarioLab } from '../scenarios/lab.ts';
import { runNodeScenarios } from '../scenarios/nodes.case.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// Issue 4's walk (test/scenarios/nodes.case.ts) through a three-node process lab: the control plane
// in this process, three real node agent processes (kubelet and process runtime each), and real
// kubectl for every step. Nodes 4 to 6 (127.100.0.4-6): the CLI test in this folder uses node 1.

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab({ nodes: { count: 3, firstNode: 4 } });
}, 60_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

runNodeScenarios(() => processScenarioLab(lab, ['node-4', 'node-5', 'node-6']));
