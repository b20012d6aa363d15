import { Box, Text } from 'ink';
import { MESSAGES } from '../lessons/messages.ts';
import type { LessonLine } from '../lessons/render.ts';
import { renderState } from '../lessons/render.ts';
import { wrapToWidth } from '../lessons/text-width.ts';
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
  const { language } = props.lesson;
  if (props.lesson.error)
    return <Text color={theme.error}>{MESSAGES[language].couldNotLoad(props.lesson.error)}</Text>;
  if (!props.lesson.engine) return <Text color={theme.muted}>{MESSAGES[language].loading}</Text>;
  // The title stays on top and the step's checks and hints at the bottom, so a short pane still
  // shows what is green; between them the step's text scrolls, starting at the step to do.
  // Lines wrap by display width: a line of Korean is twice as wide as its length.
  const all = renderState(props.lesson.state, language)
    .filter((l, i) => i === 0 || !props.filter || l.text.toLowerCase().includes(props.filter.toLowerCase()))
    .flatMap((l) => wrapToWidth(l.text, props.width).map((text) => ({ ...l, text })));
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
