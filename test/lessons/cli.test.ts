import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

// `orch-lab lesson ...` as a learner runs it, one process per command against a control plane
// without nodes: the store lesson's first step needs none. Each command is a fresh process, so
// what one learns from progress.json the next must read back.

const ORCH_LAB_BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
let lab: TestLab;

type Run = { code: number; stdout: string; stderr: string };

/** `orch-lab lesson ARGS` in English unless `env` sets a language: the runner's own locale is unset. */
const lesson = (...args: string[]): Promise<Run> => lessonIn({}, ...args);

function lessonIn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  const unset = { ORCH_LAB_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: '' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ORCH_LAB_BIN, 'lesson', ...args],
      { env: { ...process.env, ...unset, ...env, ORCH_LAB_HOME: lab.home }, timeout: 60_000 },
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

  it('speaks Korean when asked by --lang, ORCH_LAB_LANG or the locale, in that order', async () => {
    const list = await lessonIn({}, 'list', '--lang', 'ko');
    expect(list.stdout).toMatch(/^01 cluster-tour\s+8분\s+클러스터 구성 요소 둘러보기 — 시작 전$/m);
    expect(list.stdout).toMatch(/^12 services\s+.* — Service 가 필요하다: cluster DNS 와 kube-proxy/m);
    const korean = /^01 cluster-tour .*클러스터 구성 요소 둘러보기/m;
    const english = /^01 cluster-tour .*The parts of a cluster, seen live/m;
    expect((await lessonIn({ LANG: 'ko_KR.UTF-8' }, 'list')).stdout).toMatch(korean);
    expect((await lessonIn({ LANG: 'ko_KR.UTF-8', LC_ALL: 'C' }, 'list')).stdout).toMatch(english);
    expect((await lessonIn({ ORCH_LAB_LANG: 'ko' }, 'list', '--lang', 'en')).stdout).toMatch(english);

    const started = await lessonIn({ ORCH_LAB_LANG: 'ko' }, 'start', 'the-store');
    expect(started.stdout).toContain('모든 것의 바탕, 저장소 — 1/6 단계');
    expect(started.stdout).toContain('▶ 오브젝트 하나 쓰기');
    expect(started.stdout).toContain(
      '  $ kubectl create configmap greeting -n lesson-store --from-literal=text=hello',
    );
    expect(started.stdout).toContain('  … /registry/configmaps/lesson-store/greeting: key 없음');
    expect((await lessonIn({ ORCH_LAB_LANG: 'ko' }, 'hint')).stdout).toContain(
      '힌트: ConfigMap 이름은 greeting, namespace 는 lesson-store 여야 한다.',
    );
    expect((await lessonIn({ ORCH_LAB_LANG: 'ko' }, 'reset')).stdout).toContain('레슨 the-store 초기화');
  });

  it("answers a mistake in the learner's language, and refuses a language it does not speak", async () => {
    const missing = await lessonIn({}, 'start', '99', '--lang', 'ko');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("orch-lab: 레슨 99 없음: 'orch-lab lesson list' 로 목록을 본다\n");
    const unknown = await lessonIn({}, 'list', '--lang', 'kr');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('orch-lab: --lang=kr: the lessons speak ko (Korean) or en (English)\n');
  });
});
