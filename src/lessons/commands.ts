import type { LessonEngine } from './engine.ts';
import type { Language } from './language.ts';
import { LessonError, MESSAGES } from './messages.ts';
import { type LessonLine, renderList, renderState } from './render.ts';

export const LESSON_ACTIONS = ['list', 'start', 'status', 'check', 'hint', 'next', 'reset'] as const;
export type LessonAction = (typeof LESSON_ACTIONS)[number];

const say = (text: string, style: LessonLine['style'] = 'body'): LessonLine[] => [{ text, style }];

/**
 * One `lesson ACTION [ID]` command, as `orch-lab lesson` and the terminal UI's prompt both run
 * it; the answer is the lines to show, in the learner's language, and so is the message of an
 * error the learner caused (no such lesson, one the cluster cannot run).
 */
export async function runLessonCommand(
  engine: LessonEngine,
  language: Language,
  action: string,
  id?: string,
): Promise<LessonLine[]> {
  try {
    return await answer(engine, language, action, id);
  } catch (err) {
    throw err instanceof LessonError ? new Error(err.text[language], { cause: err }) : err;
  }
}

async function answer(
  engine: LessonEngine,
  language: Language,
  action: string,
  id?: string,
): Promise<LessonLine[]> {
  const m = MESSAGES[language];
  switch (action) {
    case 'list':
      return renderList(await engine.list(), language);
    case 'start':
      if (!id) return say(m.whichLesson, 'waiting');
      return renderState(await engine.start(id), language);
    case 'status':
      return renderState(await engine.state(), language);
    case 'check':
      return renderState(await engine.check(), language);
    case 'next':
      return renderState(await engine.next(), language);
    case 'hint': {
      if (!(await engine.state())) return renderState(undefined, language);
      const hint = await engine.hint();
      return say(hint ? `${m.hint()}: ${hint[language]}` : m.noMoreHints, 'hint');
    }
    case 'reset': {
      const lessonId = id ?? (await engine.state())?.lesson.id;
      if (!lessonId) return renderState(undefined, language);
      await engine.reset(lessonId);
      return say(m.reset(engine.find(lessonId).id));
    }
    default:
      return say(m.unknownAction(action, LESSON_ACTIONS), 'waiting');
  }
}
