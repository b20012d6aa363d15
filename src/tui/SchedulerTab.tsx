import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { Pod } from '../cluster/api/core/pod.ts';
import { pods } from '../cluster/api/resources.ts';
import { readDecision } from '../cluster/scheduler/decision-annotations.ts';
import { useTheme } from './context.ts';
import { type TabProps, visibleWindow } from './tab-props.ts';
import { useObjects } from './use-objects.ts';

/** The pods the scheduler decided about, newest first, with their decisions; `filter` matches pod names. */
export function decisionRows(all: readonly Pod[], filter: string) {
  return all
    .map((pod) => ({
      pod,
      decision: readDecision(pod.metadata?.annotations),
      ref: { kind: 'pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
    }))
    .filter((d) => d.decision && (!filter || d.ref.name.includes(filter)))
    .sort((a, b) =>
      (b.pod.metadata?.creationTimestamp ?? '').localeCompare(a.pod.metadata?.creationTimestamp ?? ''),
    );
}

/** The scheduler's recent decisions, read from the pods' annotations: newest first, the highlighted one in full. */
export const SchedulerTab = memo(function SchedulerTab(props: TabProps) {
  const theme = useTheme();
  const all = useObjects(pods);
  const decisions = useMemo(() => decisionRows(all, props.filter), [all, props.filter]);
  if (decisions.length === 0) return <Text color={theme.muted}>No scheduling decisions yet.</Text>;
  const selected = Math.max(0, Math.min(props.selected, decisions.length - 1));
  const { rows, first } = visibleWindow(decisions, props.height, selected);
  const chosen = decisions[selected]!;
  const listWidth = Math.min(30, Math.floor(props.width / 3));
  return (
    <Box>
      <Box flexDirection="column" width={listWidth}>
        {rows.map((d, i) => (
          <Text key={d.pod.metadata?.uid} wrap="truncate" inverse={first + i === selected}>
            {d.pod.metadata?.name} → {d.decision?.selectedNode ?? 'unschedulable'}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" flexGrow={1}>
        <Text bold wrap="truncate">
          {chosen.pod.metadata?.namespace}/{chosen.pod.metadata?.name}: chosen node{' '}
          <Text color={theme.ok}>{chosen.decision?.selectedNode ?? 'none'}</Text>
        </Text>
        {chosen.decision?.nodes.slice(0, props.height - 1).map((n) => (
          <Text key={n.node} wrap="truncate">
            {n.node === chosen.decision?.selectedNode ? '★' : ' '} {n.node.padEnd(12)}{' '}
            <Text color={n.filter === 'passed' ? theme.ok : theme.error}>{n.filter.padEnd(8)}</Text>{' '}
            {n.total === undefined ? '' : `score ${n.total} `}
            <Text color={theme.muted}>
              {Object.entries(n.scores)
                .map(([plugin, score]) => `${plugin} ${score}`)
                .join(' ')}
            </Text>
          </Text>
        ))}
      </Box>
    </Box>
  );
});
