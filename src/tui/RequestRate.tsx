import { Text } from 'ink';
import { memo } from 'react';
import { useTheme } from './context.ts';
import { Sparkline } from './Sparkline.tsx';

/** `API 12/s ▁▂▅▇▃`: requests the API server answered per second, from the audit stream. */
export const RequestRate = memo(function RequestRate(props: {
  readonly perSecond: readonly number[];
  readonly width: number;
}) {
  const theme = useTheme();
  if (props.width < 12 || props.perSecond.length === 0) return null;
  const whole = props.perSecond;
  return (
    <Text wrap="truncate">
      <Text color={theme.muted}>API </Text>
      {String(whole.at(-1) ?? 0).padStart(4)}/s{' '}
      <Sparkline values={whole} width={Math.min(30, props.width - 10)} color={theme.info} />
    </Text>
  );
});
