import { Text } from 'ink';
import { useTheme } from './context.ts';
import type { Health } from './use-health.ts';

/** The bottom line: trouble first (control plane gone, slow calls), then the filter and the keys. */
export function StatusLine(props: {
  readonly health: Health;
  readonly focus: string;
  readonly filter?: string;
  readonly filtering: boolean;
}) {
  const theme = useTheme();
  const { unreachableSince, slow } = props.health;
  if (props.filtering) return <Text wrap="truncate">/{props.filter}</Text>;
  return (
    <Text wrap="truncate">
      {unreachableSince && (
        <Text color={theme.error} bold>
          control plane unreachable since {unreachableSince.toTimeString().slice(0, 8)}: reconnecting…{' '}
        </Text>
      )}
      {slow && <Text color={theme.warn}>slow: {slow} </Text>}
      <Text color={theme.muted}>
        [{props.focus}]{props.filter ? ` filter "${props.filter}"` : ''} ? help · : prompt · Tab panes · 1-5
        tabs · / filter · Enter open · q quit
      </Text>
    </Text>
  );
}
