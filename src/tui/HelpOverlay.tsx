import { Box, Text } from 'ink';
import { PROMPT_COMMANDS } from './commands.ts';
import { useTheme } from './context.ts';

const KEYS: readonly [string, string][] = [
  ['?', 'this help'],
  [':', 'to the prompt (Esc leaves it)'],
  ['Tab / Shift-Tab', 'next / previous pane'],
  ['1-5', 'Events, Flow, Store, Scheduler, Lesson'],
  ['↑ / ↓', 'move in the focused pane'],
  ['/', 'filter the focused list (Esc clears)'],
  ['Enter', 'open the highlighted pod, event, request or decision: YAML, describe, logs'],
  ['[ / ]', 'Store tab: compare older / newer revisions of the key'],
  ['q', 'quit (asks whether to leave the lab running)'],
];

/** The keys and the prompt's commands. */
export function HelpOverlay({ height }: { readonly height: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" height={height} borderStyle="double" borderColor={theme.accent} paddingX={1}>
      <Text bold>Keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key}>
          <Text color={theme.accent}>{key.padEnd(16)}</Text> {what}
        </Text>
      ))}
      <Text bold>Prompt commands</Text>
      {Object.entries(PROMPT_COMMANDS).map(([command, what]) => (
        <Text key={command}>
          <Text color={theme.accent}>{command.padEnd(16)}</Text> {what}
        </Text>
      ))}
      <Text color={theme.muted}>Esc or ? closes this help.</Text>
    </Box>
  );
}
