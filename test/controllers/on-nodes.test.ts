import { afterAll, beforeAll } from 'vitest';
import { runControllerScenarios } from '../scenarios/controllers.case.ts';
import { processScenarioLab, type ScenarioLab } from '../scenarios/lab.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// The controllers' real-kubectl scenarios on three process nodes (11 to 13). Node health clocks are
// shortened (8 s of silence, then 5 s of toleration) so a killed node's pods move within seconds.

let testLab: TestLab;
let lab: ScenarioLab;

beforeAll(async () => {
  testLab = await startTestLab({
    nodes: { count: 3, firstNode: 11 },
    defaultTolerationSeconds: 5,
    controllerManager: { nodeLifecycle: { nodeMonitorGracePeriodMs: 8_000 } },
  });
  lab = processScenarioLab(testLab, ['node-11', 'node-12', 'node-13']);
}, 60_000);

afterAll(async () => {
  await testLab?.stop();
}, 60_000);

runControllerScenarios(() => lab);
