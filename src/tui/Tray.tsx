import { Box, Text } from 'ink';
import { useTheme } from './context.ts';
import type { MapPod } from './NodeBox.tsx';
import { PodLine } from './PodLine.tsx';

/** Pods no node has yet: what the scheduler still has to place. */
export function Tray(props: {
  readonly pods: readonly MapPod[];
  readonly selectedPod?: string;
  readonly width: number;
  readonly height: number;
}) {
  const theme = useTheme();
  const rows = Math.max(1, props.height - 3);
  const shown = props.pods.slice(0, props.pods.length > rows ? rows - 1 : rows);
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderColor={theme.muted}
      width={props.width}
      height={props.height}
      paddingX={1}
    >
      <Text bold>unscheduled ({props.pods.length})</Text>
      {shown.map((pod) => (
        <PodLine key={pod.key} name={pod.name} status={pod.status} selected={pod.key === props.selectedPod} />
      ))}
      {shown.length < props.pods.length && (
        <Text color={theme.muted}>+{props.pods.length - shown.length} more</Text>
      )}
    </Box>
  );
}
