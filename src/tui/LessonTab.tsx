import { Box, Text } from 'ink';
import type { LessonLine } from '../lessons/render.ts';
import { renderState } from '../lessons/render.ts';
import { type ColorName, useTheme } from './context.ts';
import { type TabProps, visibleWindow } from './tab-props.ts';
import type { LessonSession } from './use-lesson.ts';

/** Lines of the current step that report on it: check results and hints. */
const STATUS_STYLES: ReadonlySet<LessonLine['style']> = new Set(['ok', 'waiting', 'hint']);

const COLORS: Readonly<Record<LessonLine['style'], ColorName | undefined>> = {
  title: 'accent',
  body: undefined,
  command: 'info',
  ok: 'ok',
  waiting: 'warn',
  hint: 'terminating',
  muted: 'muted',
};

/**
 * The current lesson: steps done, the step to do with its commands, its checks as they re-run
 * on every change, hints asked for and what happened underneath. `lesson ...` at the prompt drives it.
 */
export function LessonTab(props: TabProps & { readonly lesson: LessonSession }) {
  const theme = useTheme();
  if (props.lesson.error)
    return <Text color={theme.error}>Lessons could not load: {props.lesson.error}</Text>;
  if (!props.lesson.engine) return <Text color={theme.muted}>Loading lessons…</Text>;
  // The title stays on top and the step's checks and hints at the bottom, so a short pane still
  // shows what is green; between them the step's text scrolls, starting at the step to do.
  const all = renderState(props.lesson.state)
    .filter((l, i) => i === 0 || !props.filter || l.text.toLowerCase().includes(props.filter.toLowerCase()))
    .flatMap((l) => wrap(l.text, props.width).map((text) => ({ ...l, text })));
  const [title, ...rest] = all;
  const stepAt = rest.findIndex((l) => l.text.startsWith('▶'));
  const isStatus = (l: LessonLine, i: number) => stepAt >= 0 && i > stepAt && STATUS_STYLES.has(l.style);
  const footer = rest.filter(isStatus);
  const middle = rest.filter((l, i) => !isStatus(l, i));
  const height = Math.max(1, props.height - 1 - footer.length);
  const focus =
    props.selected >= 0 ? props.selected : Math.min(middle.length - 1, Math.max(0, stepAt) + height - 1);
  const { rows, first } = visibleWindow(middle, height, focus);
  const lines = [title!, ...rows, ...footer];
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text
          key={i === 0 ? 'title' : i <= rows.length ? first + i : `status-${i}`}
          wrap="truncate"
          inverse={i > 0 && i <= rows.length && first + i - 1 === props.selected}
          color={COLORS[l.style] ? theme[COLORS[l.style]!] : undefined}
        >
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  );
}

/** Splits text at spaces into lines of at most `width`, continuing with the first line's indent. */
function wrap(text: string, width: number): string[] {
  const indent = /^\s*/.exec(text)![0];
  const lines: string[] = [];
  let current = '';
  for (const word of text.trim().split(' ')) {
    const next = current ? `${current} ${word}` : `${indent}${word}`;
    if (next.length > width && current) {
      lines.push(current);
      current = `${indent}${word}`;
    } else current = next;
  }
  return [...lines, current];
}
