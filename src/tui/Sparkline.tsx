import { Text } from 'ink';

const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of the last `width` values, each a bar from ▁ (zero) to █ (`max`, or the
 * largest value shown); a missing value is a space.
 */
export function Sparkline(props: {
  readonly values: readonly (number | undefined)[];
  readonly width: number;
  readonly max?: number;
  readonly color?: string;
}) {
  const shown = props.values.slice(-props.width);
  const max = props.max ?? Math.max(1, ...shown.map((v) => v ?? 0));
  const bar = (v: number | undefined) =>
    v === undefined ? ' ' : LEVELS[Math.round((Math.min(v, max) / max) * (LEVELS.length - 1))]!;
  return <Text color={props.color}>{shown.map(bar).join('').padStart(props.width)}</Text>;
}
