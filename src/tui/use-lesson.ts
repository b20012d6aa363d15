import { useEffect, useState } from 'react';
import { runLessonCommand } from '../lessons/commands.ts';
import { LessonEngine, type LessonState } from '../lessons/engine.ts';
import { detectFeatures } from '../lessons/features.ts';
import type { Language } from '../lessons/language.ts';
import { loadLessons } from '../lessons/loader.ts';
import { Progress, progressFile } from '../lessons/progress.ts';
import { useLab, useLanguage } from './context.ts';
import type { LessonPrompt } from './use-repl.ts';

/** The lesson engine on the UI's lab session, and the current lesson as it re-checks by itself. */
export interface LessonSession {
  /** What the Lesson tab and `lesson ...` at the prompt speak. */
  readonly language: Language;
  /** Undefined while the lessons load (or if they failed to: `error` says why). */
  readonly engine?: LessonEngine;
  readonly state?: LessonState;
  readonly error?: string;
}

/**
 * useLesson runs one LessonEngine for the UI: it sees what is typed at the prompt and re-checks
 * the current step whenever the session's informers report a change.
 */
export function useLesson(): LessonSession {
  const lab = useLab();
  const language = useLanguage();
  const [session, setSession] = useState<Omit<LessonSession, 'language'>>({});
  useEffect(() => {
    let engine: LessonEngine | undefined;
    let unsubscribe = () => {};
    let closed = false;
    void (async () => {
      const [lessons, progress, features] = await Promise.all([
        loadLessons(),
        Progress.open(progressFile(lab.home)),
        detectFeatures(lab.client, { etcd: true }),
      ]);
      if (closed) return;
      engine = new LessonEngine({
        lessons,
        client: lab.client,
        progress,
        features,
        etcd: lab.kv,
        informer: lab.informer,
        seesTyped: true,
      });
      const current = engine;
      setSession({ engine: current });
      unsubscribe = current.subscribe((state) => setSession({ engine: current, state }));
    })().catch((err: Error) => setSession({ error: err.message }));
    return () => {
      closed = true;
      unsubscribe();
      engine?.close();
    };
  }, [lab]);
  return { ...session, language };
}

/** The prompt's side of the lesson engine: typed lines are reported, `lesson ...` runs on it. */
export function lessonPrompt(session: LessonSession): LessonPrompt | undefined {
  const { engine, language } = session;
  if (!engine) return undefined;
  return {
    typed: (line) => engine.typed(line),
    command: async ([action = 'status', id]) =>
      (await runLessonCommand(engine, language, action, id)).map((l) => l.text),
  };
}
