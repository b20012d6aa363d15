import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { Lesson } from './schema.ts';

/** A lesson as loaded: its folder, and `{{dir}}` in commands and solutions replaced by that folder. */
export interface LoadedLesson extends Lesson {
  readonly dir: string;
  readonly file: string;
}

/** The lessons that ship with orch-lab, at the repository's root. */
export const LESSONS_DIR = new URL('../../lessons/', import.meta.url).pathname;

/** A lesson file that is not valid: the message names the file and the field. */
export class LessonFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${message}`);
    this.name = 'LessonFileError';
  }
}

/** Loads every lessons/<NN-slug>/lesson.yaml in folder order; the first bad file throws. */
export async function loadLessons(dir = LESSONS_DIR): Promise<LoadedLesson[]> {
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lessons: LoadedLesson[] = [];
  for (const folder of folders) lessons.push(await loadLesson(join(dir, folder)));
  const ids = new Set(lessons.map((l) => l.id));
  for (const lesson of lessons) {
    for (const [i, prerequisite] of lesson.prerequisites.entries()) {
      if (!ids.has(prerequisite)) {
        throw new LessonFileError(lesson.file, `prerequisites[${i}]`, `no lesson ${prerequisite}`);
      }
    }
  }
  return lessons;
}

/** Loads one lesson folder: its lesson.yaml must say the id the folder name carries after NN-. */
export async function loadLesson(dir: string): Promise<LoadedLesson> {
  const file = join(dir, 'lesson.yaml');
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new LessonFileError(file, '', (err as Error).message);
  }
  const parsed = Lesson.safeParse(raw);
  if (!parsed.success) {
    const issue = deepest(parsed.error.issues[0]!);
    throw new LessonFileError(file, fieldPath(issue.path), issue.message);
  }
  const folder = dir.replace(/\/+$/, '').split('/').pop() ?? '';
  const slug = folder.replace(/^\d+-/, '');
  if (slug !== parsed.data.id) {
    throw new LessonFileError(
      file,
      'id',
      `the folder ${folder} says the id is ${slug}, not ${parsed.data.id}`,
    );
  }
  const withDir = (text: string) => text.replaceAll('{{dir}}', dir);
  return {
    ...parsed.data,
    steps: parsed.data.steps.map((step) => ({
      ...step,
      commands: step.commands.map(withDir),
      solution: step.solution.map(withDir),
    })),
    dir,
    file,
  };
}

type Issue = z.core.$ZodIssue;

/**
 * A union (a check, a cleanup) fails as a whole; the branch that got furthest before failing is
 * the one the author meant, so its issue names the field to fix.
 */
function deepest(issue: Issue, prefix: Issue['path'] = []): Issue {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { ...issue, path };
  const candidates = issue.errors.flatMap((branch) => branch.map((inner) => deepest(inner, path)));
  return candidates.reduce((best, next) => (next.path.length > best.path.length ? next : best));
}

/** steps[2].check.objects.name, as a learner finds it in the file. */
function fieldPath(path: Issue['path']): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`))
    .join('');
}
