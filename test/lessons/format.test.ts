import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Language, type Text } from '../../src/lessons/language.ts';
import { LESSONS_DIR, loadLesson, loadLessons } from '../../src/lessons/loader.ts';
import { matchField, valuesAt } from '../../src/lessons/paths.ts';
import { Lesson } from '../../src/lessons/schema.ts';

const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

/** A copy of a shipped lesson whose lesson.yaml `edit` rewrote. */
async function brokenCopy(folder: string, edit: (yaml: string) => string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'orch-lab-lessons-'));
  temp.push(root);
  const dir = join(root, folder);
  await cp(join(LESSONS_DIR, folder), dir, { recursive: true });
  await writeFile(join(dir, 'lesson.yaml'), edit(await readFile(join(dir, 'lesson.yaml'), 'utf8')));
  return dir;
}

describe('the shipped lessons', () => {
  it('all load, at least 12, with unique ids and every manifest they name present', async () => {
    const lessons = await loadLessons();
    expect(lessons.length).toBeGreaterThanOrEqual(12);
    expect(new Set(lessons.map((l) => l.id)).size).toBe(lessons.length);
    for (const lesson of lessons) {
      for (const step of lesson.steps) {
        for (const line of [...step.commands, ...step.solution]) {
          for (const file of line.match(new RegExp(`${lesson.dir}/[\\w.-]+`, 'g')) ?? []) {
            await expect(readFile(file, 'utf8'), `${lesson.id}/${step.id}: ${file}`).resolves.toBeTruthy();
          }
        }
      }
    }
  });
});

describe('a broken lesson file', () => {
  it('names the file and the field of a wrong check', async () => {
    const dir = await brokenCopy('02-desired-state', (y) =>
      y.replace('ready: true, count: { atLeast: 3 } }', 'ready: yes, count: { atLeast: 3 } }'),
    );
    await expect(loadLesson(dir)).rejects.toThrow(
      `${join(dir, 'lesson.yaml')}: steps[0].check.objects.ready:`,
    );
  });

  it('names a missing field', async () => {
    const dir = await brokenCopy('01-cluster-tour', (y) => y.replace(/^estimatedMinutes: \d+\n/m, ''));
    await expect(loadLesson(dir)).rejects.toThrow(`${join(dir, 'lesson.yaml')}: estimatedMinutes:`);
  });

  it('names a step without hints, and an id that disagrees with its folder', async () => {
    const noHints = await brokenCopy('01-cluster-tour', (y) =>
      y.replace(/hints:\n(\s+(- )?(en|ko): .*\n)+/, 'hints: []\n'),
    );
    await expect(loadLesson(noHints)).rejects.toThrow(/steps\[0\]\.hints:/);
    const wrongId = await brokenCopy('01-cluster-tour', (y) => y.replace('id: cluster-tour', 'id: tour'));
    await expect(loadLesson(wrongId)).rejects.toThrow(
      /: id: the folder 01-cluster-tour says the id is cluster-tour/,
    );
  });
});

type Path = (string | number)[];

/** Where a lesson file holds text for the learner: every { en, ko } in it. */
function textPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => textPaths(item, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  if (Object.keys(value).sort().join() === Language.options.join()) return [path];
  return Object.entries(value).flatMap(([key, item]) => textPaths(item, [...path, key]));
}

const NAMES: Record<Language, string> = { en: 'English', ko: 'Korean' };
const HANGUL = /[\uac00-\ud7a3]/;

describe('lesson text in every language', () => {
  it('a shipped lesson without either language for any one of its texts does not load', async () => {
    const folders = (await readdir(LESSONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory());
    let checked = 0;
    for (const { name: folder } of folders) {
      const raw = parseYaml(await readFile(join(LESSONS_DIR, folder, 'lesson.yaml'), 'utf8'));
      const paths = textPaths(raw);
      // title, summary, objectives, and each step's title, body, hints and note underneath.
      expect(paths.length, folder).toBeGreaterThanOrEqual(2 + raw.objectives.length + 4 * raw.steps.length);
      for (const path of paths) {
        for (const language of Language.options) {
          const copy = structuredClone(raw);
          const text = path.reduce((at, key) => at[key], copy);
          delete text[language];
          const parsed = Lesson.safeParse(copy);
          expect(parsed.success, `${folder} ${path.join('.')} without ${language}`).toBe(false);
          expect(parsed.error?.issues).toContainEqual(
            expect.objectContaining({
              path: [...path, language],
              message: `the ${NAMES[language]} text is missing`,
            }),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('names the file, the field and the language that is missing, empty or not given', async () => {
    const missing = await brokenCopy('03-the-store', (y) =>
      y.replace('        ko: prompt 의 `etcdctl` 은 이미 lab 의 저장소를 가리키고 있다.\n', ''),
    );
    await expect(loadLesson(missing)).rejects.toThrow(
      `${join(missing, 'lesson.yaml')}: steps[1].hints[0].ko: the Korean text is missing`,
    );
    const empty = await brokenCopy('03-the-store', (y) =>
      y.replace('  ko: 모든 것의 바탕, 저장소', "  ko: ''"),
    );
    await expect(loadLesson(empty)).rejects.toThrow(': title.ko: the Korean text is empty');
    const english = await brokenCopy('03-the-store', (y) =>
      y.replace(/^title:\n {2}en: .*\n {2}ko: .*\n/m, 'title: The store under everything\n'),
    );
    await expect(loadLesson(english)).rejects.toThrow(
      ': title: text in every language: { en: ..., ko: ... }',
    );
  });

  it('reads as Korean in Korean and as English in English', async () => {
    for (const lesson of await loadLessons()) {
      for (const path of textPaths(lesson)) {
        const text = path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], lesson) as Text;
        const where = `${lesson.id} ${path.join('.')}`;
        expect(text.ko, where).toMatch(HANGUL);
        expect(text.en, where).not.toMatch(HANGUL);
      }
    }
  });
});

describe('paths', () => {
  const pod = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ image: 'nginx' }, { image: 'busybox' }] },
    status: {
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'False' },
      ],
    },
  };
  it('walk fields, indexes, wildcards and filters', () => {
    expect(valuesAt(pod, '.metadata.labels.app')).toEqual(['web']);
    expect(valuesAt(pod, 'spec.containers[-1].image')).toEqual(['busybox']);
    expect(valuesAt(pod, '.spec.containers[*].image')).toEqual(['nginx', 'busybox']);
    expect(valuesAt(pod, '.status.conditions[?(@.type=="Ready")].status')).toEqual(['False']);
    expect(valuesAt(pod, '.status.missing.deeper')).toEqual([]);
    expect(valuesAt({ data: { 'index.html': 'hi' } }, '.data["index.html"]')).toEqual(['hi']);
  });
  it('match equals, regular expressions and numbers, numeric strings included', () => {
    const obj = { metadata: { resourceVersion: '120' }, spec: { replicas: 3 } };
    expect(matchField(obj, { path: '.metadata.resourceVersion', atLeast: 100 }).ok).toBe(true);
    expect(matchField(obj, { path: '.metadata.resourceVersion', atLeast: 121 }).ok).toBe(false);
    expect(matchField(obj, { path: '.spec.replicas', equals: 3 }).ok).toBe(true);
    expect(matchField(obj, { path: '.spec.replicas', equals: '3' }).ok).toBe(true);
    expect(matchField(pod, { path: '.spec.containers[*].image', matches: '^busy' })).toEqual({
      ok: true,
      found: 'nginx, busybox',
    });
    expect(matchField(pod, { path: '.spec.nodeName', matches: '.' })).toEqual({ ok: false });
  });
});
