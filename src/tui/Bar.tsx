import { Text } from 'ink';
import { useTheme } from './context.ts';

/** `cpu ████░░░░ 250m/2` : requested against allocatable, red past 90%. */
export function Bar(props: {
  readonly label: string;
  readonly used: number;
  readonly total: number;
  readonly width: number;
  readonly format: (n: number) => string;
}) {
  const theme = useTheme();
  const share = props.total > 0 ? Math.min(1, props.used / props.total) : 0;
  const filled = Math.round(share * props.width);
  return (
    <Text wrap="truncate">
      {props.label.padEnd(4)}
      <Text color={share > 0.9 ? theme.error : theme.ok}>{'█'.repeat(filled)}</Text>
      <Text color={theme.muted}>{'░'.repeat(props.width - filled)}</Text> {props.format(props.used)}/
      {props.format(props.total)}
    </Text>
  );
}

export const formatCpu = (milli: number) => (milli % 1000 === 0 ? `${milli / 1000}` : `${milli}m`);

export const formatBytes = (bytes: number) => {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${Math.round(n)}${units[unit]}`;
};
