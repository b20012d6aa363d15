import { Box, Text } from 'ink';
import { useTheme } from './context.ts';
import type { Repl as ReplState } from './use-repl.ts';

/** The scrollback and the prompt under it; a block cursor shows while the prompt has the keys. */
export function Repl(props: {
  readonly repl: ReplState;
  readonly focused: boolean;
  readonly height: number;
}) {
  const theme = useTheme();
  const { lines, input, running, scroll } = props.repl;
  const rows = Math.max(0, props.height - 1);
  const end = lines.length - scroll;
  const shown = lines.slice(Math.max(0, end - rows), end);
  const color = { input: theme.accent, stdout: undefined, stderr: theme.error, info: theme.muted };
  return (
    <Box flexDirection="column" height={props.height}>
      <Box flexDirection="column" height={rows} justifyContent="flex-end" overflow="hidden">
        {shown.map((line) => (
          <Text key={line.id} wrap="truncate" color={color[line.kind]}>
            {line.text || ' '}
          </Text>
        ))}
      </Box>
      <Text wrap="truncate">
        <Text color={theme.accent}>{running ? '… ' : '> '}</Text>
        {input}
        {props.focused && <Text inverse> </Text>}
      </Text>
    </Box>
  );
}
