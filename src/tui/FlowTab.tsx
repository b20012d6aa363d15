import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { useTheme } from './context.ts';
import { type TabProps, visibleWindow } from './tab-props.ts';
import type { FlowEntry } from './use-audit.ts';

/** The requests the Flow tab lists: the UI's own are left out, as they would bury what the learner came to see. */
export const flowRows = (entries: readonly FlowEntry[], filter: string): FlowEntry[] =>
  entries.filter(
    (e) => e.component !== 'tui' && (!filter || `${e.component} ${e.verb} ${e.object}`.includes(filter)),
  );

/** The audit stream: who asked the API server for what, the answer, and the store revision it made. */
export const FlowTab = memo(function FlowTab(props: TabProps & { readonly entries: readonly FlowEntry[] }) {
  const theme = useTheme();
  const rows = useMemo(() => flowRows(props.entries, props.filter), [props.entries, props.filter]);
  if (rows.length === 0) return <Text color={theme.muted}>No requests seen yet.</Text>;
  const selected = Math.min(props.selected, rows.length - 1);
  const { rows: shown, first } = visibleWindow(rows, props.height, selected);
  return (
    <Box flexDirection="column">
      {shown.map((e, i) => (
        <Text key={e.id} wrap="truncate" inverse={first + i === selected}>
          <Text color={theme.muted}>{e.time}</Text> {e.component.padEnd(16).slice(0, 16)} {e.verb.padEnd(6)}{' '}
          {e.object.padEnd(40)}{' '}
          <Text color={e.code < 300 ? theme.ok : e.code < 500 ? theme.warn : theme.error}>{e.code}</Text>
          {e.revision ? <Text color={theme.info}> rev {e.revision}</Text> : ''}
        </Text>
      ))}
    </Box>
  );
});
