import type { LessonEntry, LessonState } from './engine.ts';
import { FEATURE_NOTES } from './features.ts';

/** One line of lesson text and how it should look; the CLI prints it, the UI colours it. */
export interface LessonLine {
  readonly text: string;
  readonly style: 'title' | 'body' | 'command' | 'ok' | 'waiting' | 'hint' | 'muted';
}

const line = (text: string, style: LessonLine['style'] = 'body'): LessonLine => ({ text, style });

/** `4m 05s` */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** The lesson list: number, id, status, minutes, and what a lesson needs that the cluster lacks. */
export function renderList(entries: readonly LessonEntry[]): LessonLine[] {
  return entries.map((e, i) => {
    const n = String(i + 1).padStart(2, '0');
    const status =
      e.missing.length > 0
        ? e.missing.map((f) => FEATURE_NOTES[f]).join('; ')
        : e.status === 'in progress'
          ? `in progress (${e.stepsDone}/${e.lesson.steps.length})`
          : e.status;
    const style = e.missing.length ? 'muted' : e.status === 'done' ? 'ok' : 'body';
    return line(
      `${n} ${e.lesson.id.padEnd(22)} ${`${e.lesson.estimatedMinutes} min`.padEnd(7)} ${e.lesson.title} — ${status}`,
      style,
    );
  });
}

/**
 * The current lesson: title, the steps done, the current step's text, commands, check results,
 * hints shown and what happens underneath (once the step is green, the previous step's).
 */
export function renderState(state: LessonState | undefined): LessonLine[] {
  if (!state) return [line("No lesson started: 'lesson list' shows them, 'lesson start 1' begins.", 'muted')];
  const { lesson, progress, step, stepIndex } = state;
  const total = lesson.steps.length;
  const lines: LessonLine[] = [
    line(
      `${lesson.title} — step ${Math.min(stepIndex + 1, total)}/${total} · ${formatDuration(progress.secondsSpent)}`,
      'title',
    ),
  ];
  for (const done of lesson.steps.slice(0, stepIndex)) lines.push(line(`✓ ${done.title}`, 'ok'));
  const previous = lesson.steps[stepIndex - 1];
  if (previous) {
    lines.push(line(`  Under the hood: ${previous.underTheHood.text.trim()}`, 'muted'));
    if (previous.underTheHood.views.length)
      lines.push(line(`  See it in: ${previous.underTheHood.views.join(', ')}`, 'muted'));
  }
  if (!step) {
    lines.push(
      line(
        `Lesson complete in ${formatDuration(progress.secondsSpent)}. 'lesson next' starts the next one.`,
        'ok',
      ),
    );
    return lines;
  }
  lines.push(line(`▶ ${step.title}`, 'title'));
  // A terminal shows code spans as they are; bold markers would only be noise.
  for (const text of step.body.trim().split('\n')) lines.push(line(`  ${text.replaceAll('**', '')}`));
  for (const command of step.commands) lines.push(line(`  $ ${command}`, 'command'));
  for (const result of state.results)
    lines.push(line(`  ${result.ok ? '✓' : '…'} ${result.detail}`, result.ok ? 'ok' : 'waiting'));
  for (const [i, hint] of state.hints.entries()) lines.push(line(`  Hint ${i + 1}: ${hint}`, 'hint'));
  if (state.hints.length < step.hints.length)
    lines.push(line("  Stuck? 'lesson hint' shows a hint.", 'muted'));
  return lines;
}
