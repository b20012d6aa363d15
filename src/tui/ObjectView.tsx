import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { commandFor, runCommand } from './commands.ts';
import { useLab, useTheme } from './context.ts';
import type { Settings } from './settings.ts';

/** What Enter shows of an object: y, d and l switch between them. */
export type ObjectViewMode = 'yaml' | 'describe' | 'logs';

const KUBECTL_ARGS: Record<ObjectViewMode, (kind: string, name: string) => string[]> = {
  yaml: (kind, name) => ['get', kind, name, '-o', 'yaml'],
  describe: (kind, name) => ['describe', kind, name],
  logs: (_kind, name) => ['logs', name, '--tail=200'],
};

/** An object's YAML, description or logs, as kubectl prints them, filling the screen. */
export function ObjectView(props: {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly mode: ObjectViewMode;
  readonly scroll: number;
  readonly height: number;
  /** Which kubectl prints it (the built-in one covers get -o yaml and logs). */
  readonly settings: Settings;
}) {
  const lab = useLab();
  const theme = useTheme();
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    const collected: string[] = [];
    const namespace = props.namespace ? ['-n', props.namespace] : [];
    const words = ['kubectl', ...namespace, ...KUBECTL_ARGS[props.mode](props.kind, props.name)];
    const running = runCommand(commandFor(words, lab, props.settings)!, lab, (line) => collected.push(line));
    void running.done.then(() => setLines(collected));
    return () => running.kill();
  }, [lab, props.kind, props.namespace, props.name, props.mode, props.settings]);
  const rows = props.height - 2;
  const first = Math.min(props.scroll, Math.max(0, lines.length - rows));
  return (
    <Box
      flexDirection="column"
      height={props.height}
      borderStyle="double"
      borderColor={theme.accent}
      paddingX={1}
    >
      <Text bold wrap="truncate">
        {props.kind}/{props.name} · {props.mode}{' '}
        <Text color={theme.muted}>(y yaml · d describe · l logs · ↑↓ scroll · Esc back)</Text>
      </Text>
      {lines.slice(first, first + rows - 1).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines of one output never move
        <Text key={first + i} wrap="truncate">
          {line || ' '}
        </Text>
      ))}
    </Box>
  );
}
