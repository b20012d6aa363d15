import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { Event } from '../cluster/api/core/event.ts';
import { events } from '../cluster/api/resources.ts';
import { humanDuration } from '../cluster/apiserver/tables/duration.ts';
import { useTheme } from './context.ts';
import type { ObjectRef } from './object-ref.ts';
import { type TabProps, visibleWindow } from './tab-props.ts';
import { useNow } from './use-now.ts';
import { useObjects } from './use-objects.ts';

/** Ages move on once a second even when no event arrives. */
const AGE_TICK_MS = 1000;

/** One line of the Events tab and the object it is about. */
export interface EventRow {
  readonly key: string;
  /** When it last happened, in epoch milliseconds (the tab shows its age). */
  readonly at: number;
  readonly type: string;
  readonly reason: string;
  readonly object: string;
  readonly message: string;
  readonly ref?: ObjectRef;
}

/** The events as rows, oldest first, keeping those whose text contains `filter`. */
export function eventRows(all: readonly Event[], filter: string): EventRow[] {
  const when = (e: Event) =>
    Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') || 0;
  return [...all]
    .sort((a, b) => when(a) - when(b))
    .map((e) => {
      const involved = e.involvedObject;
      return {
        key: e.metadata?.uid ?? e.metadata?.name ?? '',
        at: when(e),
        type: e.type ?? '',
        reason: e.reason ?? '',
        object: `${(involved?.kind ?? '').toLowerCase()}/${involved?.name ?? ''}`,
        message: e.message ?? '',
        ref:
          involved?.kind && involved.name
            ? { kind: involved.kind.toLowerCase(), namespace: involved.namespace ?? '', name: involved.name }
            : undefined,
      };
    })
    .filter((r) => !filter || [r.type, r.reason, r.object, r.message].join(' ').includes(filter));
}

/** Events as `kubectl get events` shows them, newest last, following the informer. */
export const EventsTab = memo(function EventsTab(props: TabProps) {
  const theme = useTheme();
  const now = useNow(AGE_TICK_MS);
  const all = useObjects(events);
  const rows = useMemo(() => eventRows(all, props.filter), [all, props.filter]);
  if (rows.length === 0) return <Text color={theme.muted}>No events yet.</Text>;
  const selected = Math.min(props.selected, rows.length - 1);
  const { rows: shown, first } = visibleWindow(rows, props.height, selected);
  return (
    <Box flexDirection="column">
      {shown.map((r, i) => (
        <Text key={r.key} wrap="truncate" inverse={first + i === selected}>
          {humanDuration(Math.max(0, now - r.at)).padEnd(5)}{' '}
          <Text color={r.type === 'Warning' ? theme.warn : theme.muted}>{r.type.padEnd(7)}</Text>{' '}
          {r.reason.padEnd(18)} {r.object.padEnd(24)} {r.message}
        </Text>
      ))}
    </Box>
  );
});
