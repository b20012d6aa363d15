/** events: stored as sent (a PUT of a missing one creates it, as recorders expect). */
import type { Event } from '../../../api/core/event.ts';
import { events as resource } from '../../../api/core/register.ts';
import { column, nameColumn, wideColumn } from '../../tables/columns.ts';
import { parseTimestamp, translateTimestampSince } from '../../tables/duration.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

interface EventTimes {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
}

/**
 * eventTimes works out FIRST SEEN, LAST SEEN and COUNT for events written by either generation
 * of event recorders. Old recorders set firstTimestamp, lastTimestamp and count; new ones set
 * eventTime and, once an event repeats, a series with its own count and lastObservedTime:
 *
 *   old: first = firstTimestamp, last = lastTimestamp, count = count
 *   new, single: first = last = eventTime, count = 1
 *   new, repeated: first = eventTime, last = series.lastObservedTime, count = series.count
 */
function eventTimes(event: Event, now: Date): EventTimes {
  const firstSeen =
    parseTimestamp(event.firstTimestamp) === undefined
      ? translateTimestampSince(event.eventTime, now)
      : translateTimestampSince(event.firstTimestamp, now);
  const lastSeen =
    parseTimestamp(event.lastTimestamp) === undefined
      ? firstSeen
      : translateTimestampSince(event.lastTimestamp, now);
  if (event.series) {
    return {
      firstSeen,
      lastSeen: translateTimestampSince(event.series.lastObservedTime, now),
      count: event.series.count ?? 0,
    };
  }
  return { firstSeen, lastSeen, count: event.count || 1 };
}

/** OBJECT: what the event is about, as "kind/name" in lower case ("pod/web"), or just the kind. */
function eventObject(event: Event): string {
  const kind = (event.involvedObject?.kind ?? '').toLowerCase();
  const name = event.involvedObject?.name;
  return name ? `${kind}/${name}` : kind;
}

/**
 * SOURCE: who reported the event and from where, "kubelet, node-1". The v1 source fields win;
 * the newer reportingComponent and reportingInstance fill in when they are empty.
 */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent || '';
  const instance = event.source?.host || event.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** The event printer: `kubectl get events`. */
export const eventConvertor: TableConvertor<Event> = {
  columns: [
    column('Last Seen', 'string', 'How long ago the event last happened.'),
    column('Type', 'string', 'Normal, or Warning for something to look at.'),
    column('Reason', 'string', 'A short machine-readable cause, such as Scheduled or BackOff.'),
    column('Object', 'string', 'The object the event is about.'),
    wideColumn('Subobject', 'string', 'The part of the object, such as one container.'),
    wideColumn('Source', 'string', 'The component and host that reported the event.'),
    column('Message', 'string', 'What happened, for people to read.'),
    wideColumn('First Seen', 'string', 'How long ago the event first happened.'),
    wideColumn('Count', 'string', 'How many times the event has happened.'),
    { ...nameColumn, priority: 1 },
  ],
  cells(event, now) {
    const times = eventTimes(event, now);
    return [
      times.lastSeen,
      event.type ?? '',
      event.reason ?? '',
      eventObject(event),
      event.involvedObject?.fieldPath ?? '',
      eventSource(event),
      (event.message ?? '').trim(),
      times.firstSeen,
      times.count,
      event.metadata.name ?? '',
    ];
  },
};

export const events: ResourceRegistration<Event> = {
  resource,
  strategy: asSentCreateOnUpdate,
  printer: eventConvertor,
};
