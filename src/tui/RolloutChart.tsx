import { Box, Text } from 'ink';
import { memo } from 'react';
import { useTheme } from './context.ts';
import type { Rollout } from './rollout-samples.ts';
import { Sparkline } from './Sparkline.tsx';

/** A rollout drawn over time: the new replica set's replicas rising as the old ones' fall. */
export const RolloutChart = memo(function RolloutChart(props: {
  readonly rollout: Rollout;
  readonly width: number;
}) {
  const theme = useTheme();
  const { samples, key, newSet } = props.rollout;
  const last = samples.at(-1);
  const max = Math.max(1, ...samples.map((s) => Math.max(s.newReplicas, s.oldReplicas)));
  const chartWidth = Math.max(4, props.width - 12);
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderColor={theme.muted}
      width={props.width}
      paddingX={1}
    >
      <Text wrap="truncate" bold>
        rollout {key.replace(/^default\//, '')}
      </Text>
      <Text wrap="truncate">
        {'new '}
        <Sparkline values={samples.map((s) => s.newReplicas)} width={chartWidth} max={max} color={theme.ok} />{' '}
        {last?.newReplicas ?? 0}
      </Text>
      <Text wrap="truncate">
        {'old '}
        <Sparkline
          values={samples.map((s) => s.oldReplicas)}
          width={chartWidth}
          max={max}
          color={theme.warn}
        />{' '}
        {last?.oldReplicas ?? 0}
      </Text>
      <Text wrap="truncate" color={theme.muted}>
        {newSet || 'new set not created yet'}
      </Text>
    </Box>
  );
});
