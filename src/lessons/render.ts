import type { LessonEntry, LessonState } from './engine.ts';
import type { Language } from './language.ts';
import { type LessonMessages, MESSAGES } from './messages.ts';
import { padEndToWidth } from './text-width.ts';

/** One line of lesson text and how it should look; the CLI prints it, the UI colours it. */
export interface LessonLine {
  readonly text: string;
  readonly style: 'title' | 'body' | 'command' | 'ok' | 'waiting' | 'hint' | 'muted';
}

const line = (text: string, style: LessonLine['style'] = 'body'): LessonLine => ({ text, style });

/** `4m 05s`, or `4분 05초` */
const formatDuration = (seconds: number, m: LessonMessages): string =>
  m.duration(Math.floor(seconds / 60), Math.round(seconds % 60));

/** The lesson list: number, id, status, minutes, and what a lesson needs that the cluster lacks. */
export function renderList(entries: readonly LessonEntry[], language: Language): LessonLine[] {
  const m = MESSAGES[language];
  return entries.map((e, i) => {
    const n = String(i + 1).padStart(2, '0');
    const status =
      e.missing.length > 0
        ? e.missing.map((f) => m.features[f]).join('; ')
        : e.status === 'in progress'
          ? m.status.inProgress(e.stepsDone, e.lesson.steps.length)
          : m.status[e.status];
    const style = e.missing.length ? 'muted' : e.status === 'done' ? 'ok' : 'body';
    const minutes = padEndToWidth(m.minutes(e.lesson.estimatedMinutes), 7);
    return line(`${n} ${e.lesson.id.padEnd(22)} ${minutes} ${e.lesson.title[language]} — ${status}`, style);
  });
}

/**
 * The current lesson: title, what it is about (until the first step is green), the steps done,
 * the current step's text, commands, check results, hints shown and what happens underneath (once
 * the step is green, the previous step's).
 */
export function renderState(state: LessonState | undefined, language: Language): LessonLine[] {
  const m = MESSAGES[language];
  if (!state) return [line(m.noLesson, 'muted')];
  const { lesson, progress, step, stepIndex } = state;
  const total = lesson.steps.length;
  const lines: LessonLine[] = [
    line(
      `${lesson.title[language]} — ${m.stepOf(Math.min(stepIndex + 1, total), total)} · ${formatDuration(progress.secondsSpent, m)}`,
      'title',
    ),
  ];
  if (stepIndex === 0) {
    for (const text of lesson.summary[language].trim().split('\n')) lines.push(line(text));
    lines.push(line(m.objectives, 'muted'));
    for (const objective of lesson.objectives) lines.push(line(`  • ${objective[language]}`));
  }
  for (const done of lesson.steps.slice(0, stepIndex)) lines.push(line(`✓ ${done.title[language]}`, 'ok'));
  const previous = lesson.steps[stepIndex - 1];
  if (previous) {
    lines.push(line(`  ${m.underTheHood}: ${previous.underTheHood.text[language].trim()}`, 'muted'));
    if (previous.underTheHood.views.length)
      lines.push(line(`  ${m.seeItIn(previous.underTheHood.views)}`, 'muted'));
  }
  if (!step) {
    lines.push(line(m.complete(formatDuration(progress.secondsSpent, m)), 'ok'));
    return lines;
  }
  lines.push(line(`▶ ${step.title[language]}`, 'title'));
  // A terminal shows code spans as they are; bold markers would only be noise.
  for (const text of step.body[language].trim().split('\n'))
    lines.push(line(`  ${text.replaceAll('**', '')}`));
  for (const command of step.commands) lines.push(line(`  $ ${command}`, 'command'));
  for (const result of state.results)
    lines.push(line(`  ${result.ok ? '✓' : '…'} ${result.detail[language]}`, result.ok ? 'ok' : 'waiting'));
  for (const [i, hint] of state.hints.entries())
    lines.push(line(`  ${m.hint(i + 1)}: ${hint[language]}`, 'hint'));
  if (state.hints.length < step.hints.length) lines.push(line(`  ${m.stuck}`, 'muted'));
  return lines;
}
