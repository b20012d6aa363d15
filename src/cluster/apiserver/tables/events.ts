import { column, nameColumn, wideColumn } from './columns.ts';
import { parseTimestamp, translateTimestampSince } from './duration.ts';
import type { TableConvertor, TableObject } from './types.ts';

interface ObjectReference {
  kind?: string;
  name?: string;
  fieldPath?: string;
}

interface EventSource {
  component?: string;
  host?: string;
}

interface EventSeries {
  count?: number;
  lastObservedTime?: string;
}

/** Event is the view of a v1 Event the event printer reads. */
export interface Event extends TableObject {
  involvedObject?: ObjectReference;
  type?: string;
  reason?: string;
  message?: string;
  source?: EventSource;
  reportingController?: string;
  reportingInstance?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
  series?: EventSeries;
}

/**
 * EventsV1Event is an events.k8s.io/v1 Event: the same object as a v1 Event under the names the
 * newer API gave its fields (regarding, note, and deprecated* for the old timestamps).
 */
interface EventsV1Event extends TableObject {
  regarding?: ObjectReference;
  note?: string;
  type?: string;
  reason?: string;
  deprecatedSource?: EventSource;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  eventTime?: string;
  deprecatedCount?: number;
  series?: EventSeries;
}

/**
 * asCoreEvent reads an event of either API as a v1 Event. kube-apiserver prints both through
 * one printer after converting them to the same internal type; this does that conversion for
 * the fields the printer reads.
 */
function asCoreEvent(obj: Event | EventsV1Event): Event {
  if (obj.apiVersion !== 'events.k8s.io/v1') return obj as Event;
  const event = obj as EventsV1Event;
  return {
    metadata: event.metadata,
    involvedObject: event.regarding,
    type: event.type,
    reason: event.reason,
    message: event.note,
    source: event.deprecatedSource,
    reportingController: event.reportingController,
    reportingInstance: event.reportingInstance,
    firstTimestamp: event.deprecatedFirstTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp,
    eventTime: event.eventTime,
    count: event.deprecatedCount,
    series: event.series,
  };
}

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
 * the newer reportingController and reportingInstance fill in when they are empty.
 */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingController || '';
  const instance = event.source?.host || event.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** The event printer, for v1 and events.k8s.io/v1 events alike: `kubectl get events`. */
export const eventConvertor: TableConvertor<Event | EventsV1Event> = {
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
  cells(obj, now) {
    const event = asCoreEvent(obj);
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
      event.metadata?.name ?? '',
    ];
  },
};
