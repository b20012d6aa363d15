import type { LessonEngine } from './engine.ts';
import { type LessonLine, renderList, renderState } from './render.ts';

export const LESSON_ACTIONS = ['list', 'start', 'status', 'check', 'hint', 'next', 'reset'] as const;
export type LessonAction = (typeof LESSON_ACTIONS)[number];

const say = (text: string, style: LessonLine['style'] = 'body'): LessonLine[] => [{ text, style }];

/**
 * One `lesson ACTION [ID]` command, as `orch-lab lesson` and the terminal UI's prompt both run
 * it; the answer is the lines to show.
 */
export async function runLessonCommand(
  engine: LessonEngine,
  action: string,
  id?: string,
): Promise<LessonLine[]> {
  switch (action) {
    case 'list':
      return renderList(await engine.list());
    case 'start':
      if (!id) return say('Which lesson? lesson start ID (a number or an id from lesson list)', 'waiting');
      return renderState(await engine.start(id));
    case 'status': {
      const state = await engine.state();
      return state ? renderState(state) : renderState(undefined);
    }
    case 'check':
      return renderState(await engine.check());
    case 'next':
      return renderState(await engine.next());
    case 'hint': {
      if (!(await engine.state())) return renderState(undefined);
      const hint = await engine.hint();
      return say(hint ? `Hint: ${hint}` : 'No more hints for this step.', 'hint');
    }
    case 'reset': {
      const lessonId = id ?? (await engine.state())?.lesson.id;
      if (!lessonId) return renderState(undefined);
      await engine.reset(lessonId);
      return say(
        `Lesson ${engine.find(lessonId).id} reset: what it made is deleted and its progress forgotten.`,
      );
    }
    default:
      return say(`lesson ${action}: unknown; try ${LESSON_ACTIONS.join(', ')}`, 'waiting');
  }
}
