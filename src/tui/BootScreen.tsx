import { Box, Text } from 'ink';
import type { BootLine } from './boot-progress.ts';
import { useTheme } from './context.ts';
import { Spinner } from './Spinner.tsx';

/** The start-up steps, each with a spinner while it runs and its time once done, as kind lists them. */
export function BootScreen({
  lines,
  error,
}: {
  readonly lines: readonly BootLine[];
  readonly error?: string;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>orch-lab: starting the lab</Text>
      {lines.map((line, i) =>
        line.kind === 'note' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are only ever appended
          <Text key={i} color={theme.muted}>
            {'  '}
            {line.text}
          </Text>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are only ever appended
          <Box key={i} gap={1}>
            {line.state === 'running' ? (
              <Spinner color={theme.info} />
            ) : (
              <Text color={line.state === 'done' ? theme.ok : theme.error}>
                {line.state === 'done' ? '✓' : '✗'}
              </Text>
            )}
            <Text>{line.title}</Text>
            {line.ms !== undefined && <Text color={theme.muted}>{(line.ms / 1000).toFixed(1)}s</Text>}
          </Box>
        ),
      )}
      {error && <Text color={theme.error}>{error}</Text>}
    </Box>
  );
}
