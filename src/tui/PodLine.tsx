import { Text } from 'ink';
import { useTheme } from './context.ts';
import { statusColor } from './pod-state.ts';

/** One pod in a node box or the tray: a dot and its name in its state's colour, then the state. */
export function PodLine(props: {
  readonly name: string;
  readonly status: string;
  readonly selected: boolean;
}) {
  const theme = useTheme();
  const color = theme[statusColor(props.status)];
  return (
    <Text wrap="truncate" inverse={props.selected}>
      <Text color={color}>●</Text> {props.name} <Text color={color}>{props.status}</Text>
    </Text>
  );
}
