import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLabAddons } from '../../src/cluster/addons/index.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { SharedInformerFactory } from '../../src/cluster/client/shared-informer.ts';
import { type LessonEngine as Engine, LessonEngine, type LessonState } from '../../src/lessons/engine.ts';
import { detectFeatures } from '../../src/lessons/features.ts';
import { type LoadedLesson, loadLessons } from '../../src/lessons/loader.ts';
import { MESSAGES } from '../../src/lessons/messages.ts';
import { Progress, progressFile } from '../../src/lessons/progress.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// Every lesson's solution, typed step by step into one shared lab (three process nodes, 21 to 23),
// each lesson in its own namespace and reset afterwards. Each step must still be waiting before its
// solution runs and must turn green after it, by the engine's own watches.

const SERVICE_CIDR = '127.98.0.0/16';
const ORCH_LAB_BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
const lessons = await loadLessons();

let lab: TestLab;
let client: RestClient;
let engine: Engine;
let env: NodeJS.ProcessEnv;
const abort = new AbortController();

beforeAll(async () => {
  lab = await startTestLab({
    nodes: { count: 3, firstNode: 21 },
    // Service and load balancer addresses of this file's own, so no other lab's kube-proxy holds them.
    serviceClusterIPRange: SERVICE_CIDR,
    controllerManager: {
      serviceLB: { loadBalancerIPRange: '127.202.21.0/24' },
      // A killed node turns NotReady after 4 s and its pods are evicted 2 s later, not 20 + 30 s.
      nodeLifecycle: { nodeMonitorGracePeriodMs: 4000 },
    },
    defaultTolerationSeconds: 2,
  });
  // `orch-lab` on the PATH, as an installed CLI would be.
  const bin = join(lab.home, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'orch-lab'), `#!/bin/sh\nexec ${process.execPath} ${ORCH_LAB_BIN} "$@"\n`);
  await chmod(join(bin, 'orch-lab'), 0o755);
  env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    HOME: lab.home,
    KUBECONFIG: lab.kubeconfig,
    ORCH_LAB_HOME: lab.home,
    ETCDCTL_API: '3',
    ETCDCTL_ENDPOINTS: lab.plane.state.etcd,
  };
  client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'lesson-test' });
  // What `orch-lab up` installs on a lab with nodes: cluster DNS and the Ingress controller.
  await installLabAddons({ client, serviceCIDR: SERVICE_CIDR });
  const informers = new SharedInformerFactory({ client });
  engine = new LessonEngine({
    lessons,
    client,
    progress: await Progress.open(progressFile(lab.home)),
    features: await detectFeatures(client, { etcd: true }),
    etcd: lab.plane.store,
    informer: (type) => {
      const informer = informers.forResource(type);
      informers.start(abort.signal);
      return informer;
    },
    seesTyped: true,
  });
}, 90_000);

afterAll(async () => {
  engine?.close();
  abort.abort();
  client?.close();
  await lab?.stop();
}, 60_000);

/** Runs one solution line as a learner's shell would; a failing command fails the test with its output. */
function sh(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', line], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${line}\nexit ${err.code}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** Resolves once the engine, re-checking on its own, has moved past step `index`. */
function stepTurnsGreen(index: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let last: LessonState | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      const details = last?.results.map((r) => r.detail.en).join('; ');
      reject(new Error(`step ${index + 1} is not green after ${timeoutMs / 1000} s: ${details}`));
    }, timeoutMs);
    const unsubscribe = engine.subscribe((state) => {
      last = state;
      if (state && state.stepIndex > index) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}

async function walk(lesson: LoadedLesson): Promise<void> {
  const started = await engine.start(lesson.id);
  expect(started.stepIndex, `${lesson.id} starts green`).toBe(0);
  for (const [index, step] of lesson.steps.entries()) {
    const before = await engine.check();
    expect(before?.stepIndex, `${lesson.id}/${step.id} was green before its solution ran`).toBe(index);
    for (const line of step.solution) {
      await sh(line);
      engine.typed(line);
    }
    await stepTurnsGreen(index, 60_000).catch((err: Error) => {
      throw new Error(`${lesson.id}/${step.id}: ${err.message}`);
    });
  }
  const done = await engine.state();
  expect(done?.step).toBeUndefined();
  expect(done?.progress.completedAt).toBeDefined();
  expect(done?.progress.secondsSpent).toBeGreaterThan(0);
  await engine.reset(lesson.id, { wait: false });
  await expectCleanedUp(lesson);
}

/** What reset promises: the lesson's namespace is going, its labels are gone, its progress forgotten. */
async function expectCleanedUp(lesson: LoadedLesson): Promise<void> {
  if (lesson.namespace) {
    const ns = await lab.kubectl([
      'get',
      'namespace',
      lesson.namespace,
      '-o',
      'jsonpath={.metadata.deletionTimestamp}',
    ]);
    expect(ns.stdout || ns.stderr, `namespace ${lesson.namespace} after reset`).toMatch(/NotFound|^\d{4}-/);
  }
  for (const cleanup of lesson.cleanup) {
    if (!('removeLabel' in cleanup)) continue;
    const { kind, key } = cleanup.removeLabel;
    const labelled = await lab.kubectl(['get', kind, '-l', key, '-o', 'name']);
    expect(labelled.stdout, `${kind} labelled ${key} after reset`).toBe('');
  }
  expect((await engine.list()).find((e) => e.lesson.id === lesson.id)?.status).toBe('new');
}

describe('every lesson, by its solution', () => {
  for (const lesson of lessons) {
    it(lesson.id, async (ctx) => {
      // A lesson whose features the lab lacks is skipped, saying which and why.
      const missing = engine.missing(lesson);
      if (missing.length) return ctx.skip(missing.map((f) => MESSAGES.en.features[f]).join('; '));
      await walk(lesson);
    }, 180_000);
  }
});
