import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';

const LessonProgress = z.object({
  startedAt: z.string(),
  /** Ids of the steps that turned green, in order. */
  done: z.array(z.string()).default([]),
  /** Hints shown, by step id. */
  hints: z.record(z.string(), z.number().int().min(0)).default({}),
  secondsSpent: z.number().min(0).default(0),
  /** When time was last counted; a longer gap than IDLE_MS counts as IDLE_MS. */
  lastActiveAt: z.string().optional(),
  completedAt: z.string().optional(),
});
export type LessonProgress = z.infer<typeof LessonProgress>;

const ProgressFile = z.object({
  /** The lesson the learner is on. */
  current: z.string().optional(),
  lessons: z.record(z.string(), LessonProgress).default({}),
});
export type ProgressData = z.infer<typeof ProgressFile>;

/** Time between two changes counts as spent on the lesson up to this much; the rest was time away. */
const IDLE_MS = 5 * 60_000;

/** Where progress lives: $ORCH_LAB_HOME/progress.json. */
export const progressFile = (home: string) => join(home, 'progress.json');

/**
 * Progress is the learner's record across lessons in progress.json (lowdb), read again before
 * every change, so the terminal UI and `orch-lab lesson` in another terminal keep one record.
 */
export class Progress {
  private constructor(private readonly db: Low<ProgressData>) {}

  static async open(file: string): Promise<Progress> {
    await mkdir(dirname(file), { recursive: true });
    const adapter = new DataFile<ProgressData>(file, {
      parse: (text) => ProgressFile.parse(JSON.parse(text)),
      stringify: (data) => `${JSON.stringify(data, null, 2)}\n`,
    });
    const db = new Low<ProgressData>(adapter, { lessons: {} });
    await db.read();
    return new Progress(db);
  }

  async read(): Promise<ProgressData> {
    await this.db.read();
    return this.db.data;
  }

  /** Changes the record of `lessonId` (made if missing), counting the time since it was last active. */
  async update(
    lessonId: string,
    now: Date,
    change: (p: LessonProgress, data: ProgressData) => void,
  ): Promise<LessonProgress> {
    await this.db.read();
    const data = this.db.data;
    data.lessons[lessonId] ??= { startedAt: now.toISOString(), done: [], hints: {}, secondsSpent: 0 };
    const p = data.lessons[lessonId];
    if (p.lastActiveAt && !p.completedAt) {
      const gap = now.getTime() - Date.parse(p.lastActiveAt);
      if (gap > 0) p.secondsSpent += Math.min(gap, IDLE_MS) / 1000;
    }
    p.lastActiveAt = now.toISOString();
    change(p, data);
    await this.db.write();
    return p;
  }

  /** Forgets a lesson's record (reset); the current lesson stays. */
  async forget(lessonId: string): Promise<void> {
    await this.db.read();
    delete this.db.data.lessons[lessonId];
    await this.db.write();
  }
}
