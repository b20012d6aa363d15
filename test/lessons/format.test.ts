import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LESSONS_DIR, loadLesson, loadLessons } from '../../src/lessons/loader.ts';
import { matchField, valuesAt } from '../../src/lessons/paths.ts';

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
